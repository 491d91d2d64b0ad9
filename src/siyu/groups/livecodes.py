"""活码 (live codes): one code routes newcomers into a pool of groups, by channel.

A joiner goes to the first group of the pool (by pool_position) that still has room;
when every group is full the next one is opened (name prefix + number). Joins through
one code are serialised on the code's row (SELECT … FOR UPDATE; SQLite serialises
writers anyway), so two joiners never open the same next group; each seat is still
taken by the conditional UPDATE, so no group ever exceeds its capacity.
"""

from __future__ import annotations

import secrets
import string
from datetime import datetime

from sqlalchemy.orm import Session

from siyu.groups import repository as repo
from siyu.groups import service
from siyu.groups.entry_review import ADMIT
from siyu.groups.errors import AlreadyInGroup, GroupFull, LiveCodeNotFound, require_open
from siyu.groups.models import Group, GroupMembership, JoinRequest, LiveCode
from siyu.groups.schemas import GroupIn, LiveCodeIn, LiveCodeOut, PoolGroupOut
from siyu.members import service as members

_ALPHABET = string.ascii_lowercase + string.digits
CODE_LENGTH = 10


def new_code(session: Session) -> str:
    """Random and unguessable: the code appears in public QR links."""
    while True:
        code = "".join(secrets.choice(_ALPHABET) for _ in range(CODE_LENGTH))
        if not repo.code_exists(session, code):
            return code


def create_code(session: Session, merchant_id: int, data: LiveCodeIn, *, now: datetime,
                actor: str) -> LiveCode:
    """Create a code and the first group of its pool."""
    capacity = data.capacity or service.default_capacity(session, merchant_id)
    code = LiveCode(merchant_id=merchant_id, code=new_code(session), name=data.name,
                    channel=data.channel, group_kind=data.group_kind, group_capacity=capacity,
                    group_name_prefix=data.group_name_prefix or data.name,
                    group_owner=data.owner, joins=0, created_at=now)
    session.add(code)
    session.flush()
    open_next_group(session, code, [], now=now, actor=actor)
    return code


def open_next_group(session: Session, code: LiveCode, pool: list[Group], *, now: datetime,
                    actor: str) -> Group:
    position = max((g.pool_position or 0 for g in pool), default=0) + 1
    name = f"{code.group_name_prefix}{position}"[:100]
    return service.create_group(
        session, code.merchant_id,
        GroupIn(name=name, kind=code.group_kind, owner=code.group_owner,
                capacity=code.group_capacity),
        now=now, actor=actor, live_code_id=code.id, pool_position=position,
        cleared=position > 1)  # named after the first group, whose copy was reviewed


def get_code(session: Session, merchant_id: int, code: str, *,
             for_update: bool = False) -> LiveCode:
    row = repo.code_by_value(session, merchant_id, code, for_update=for_update)
    if row is None:
        raise LiveCodeNotFound(code)
    return row


def route(session: Session, code: LiveCode, member_id: int, *, now: datetime, actor: str,
          request: JoinRequest | None) -> tuple[Group, GroupMembership, int]:
    """Seat the member in the first pool group with room, opening a new one if needed.

    The caller holds the code's row lock.
    """
    pool = repo.pool(session, code.merchant_id, code.id)
    for group in pool:  # copy waiting for (or refused by) legal: the code takes nobody
        if group.status in ("pending_review", "rejected"):
            require_open(group)
    scope = [g.id for g in pool]
    for group in pool:
        if group.status != "active":
            continue
        count = repo.take_seat(session, code.merchant_id, group.id)
        if count is not None:
            break
    else:
        group = open_next_group(session, code, pool, now=now, actor=actor)
        scope.append(group.id)
        count = repo.take_seat(session, code.merchant_id, group.id)
        if count is None:  # only if the code's capacity were below one
            raise GroupFull(group.id, group.capacity)
    stay = service.enter(session, code.merchant_id, group, member_id, count=count,
                         dup_scope=scope, now=now, channel=code.channel,
                         live_code_id=code.id, request=request)
    return group, stay, count


def join_by_code(session: Session, merchant_id: int, code: str, member_id: int, *,
                 now: datetime, actor: str, device: str | None = None, ip: str | None = None,
                 risk_score: float | None = None) -> service.JoinOutcome:
    """Scan a live code: review the joiner, then route them into the pool.

    A member already in a group of the pool is 409 `already_in_group`. A held attempt
    waits without a group; approving it routes it then.
    """
    live = get_code(session, merchant_id, code, for_update=True)
    member = members.require_active(session, merchant_id, member_id)
    pool = repo.pool(session, merchant_id, live.id)
    scope = [g.id for g in pool]
    stay = repo.open_stay(session, merchant_id, scope, member.id)
    if stay is not None:
        raise AlreadyInGroup(member.id, stay.group_id)
    verdict, request = service.review_attempt(
        session, merchant_id, member, group_ids=scope, group_id=None, live_code_id=live.id,
        device=device, ip=ip, risk_score=risk_score, now=now, channel=live.channel)
    outcome = service.JoinOutcome(decision=verdict.decision, join_request_id=request.id,
                                  member_id=member.id, reasons=list(request.reasons),
                                  live_code_id=live.id, channel=live.channel)
    if verdict.decision == ADMIT:
        group, stay, count = route(session, live, member.id, now=now, actor=actor,
                                   request=request)
        request.group_id = group.id
        outcome.group_id, outcome.membership_id, outcome.member_count = group.id, stay.id, count
        session.flush()
    return outcome


def list_codes(session: Session, merchant_id: int, *, channel: str | None = None,
               limit: int = 50, offset: int = 0) -> tuple[list[LiveCodeOut], int]:
    rows, total = repo.search_codes(session, merchant_id, channel=channel, limit=limit,
                                    offset=offset)
    return to_out(session, merchant_id, rows), total


def to_out(session: Session, merchant_id: int, codes: list[LiveCode]) -> list[LiveCodeOut]:
    pools = repo.pools_of(session, merchant_id, [c.id for c in codes])
    return [LiveCodeOut(
        id=c.id, code=c.code, name=c.name, channel=c.channel, group_kind=c.group_kind,
        capacity=c.group_capacity, group_name_prefix=c.group_name_prefix, owner=c.group_owner,
        joins=c.joins, created_at=c.created_at,
        groups=[PoolGroupOut(id=g.id, name=g.name, pool_position=g.pool_position,
                             member_count=g.member_count, capacity=g.capacity, status=g.status)
                for g in pools[c.id]]) for c in codes]
