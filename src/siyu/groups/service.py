"""Use cases of groups: create, list, join (through entry review), leave, members.

A join is one attempt, reviewed by the entry-review engine and recorded as a
JoinRequest; an admitted attempt takes a seat with a conditional UPDATE (never more
members than the capacity), opens a stay (GroupMembership) and emits a `join` event.
Services only flush; the edge commits. Live codes live in `livecodes`, the operator's
review of held attempts in `join_requests`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlalchemy.orm import Session

from siyu.audit import service as audit
from siyu.core.pii import phone_hash
from siyu.core.settings import get_settings
from siyu.db.scope import scoped
from siyu.events import service as events
from siyu.groups import copy_review
from siyu.groups import entry_review as review_engine
from siyu.groups import repository as repo
from siyu.groups.entry_review import ADMIT, HOLD, EntryReviewRules, JoinFacts, Verdict
from siyu.groups.errors import AlreadyInGroup, GroupFull, NotInGroup, require_open
from siyu.groups.models import Group, GroupMembership, JoinRequest
from siyu.groups.schemas import EntryReviewRulesIn, GroupIn, GroupOut, StayOut
from siyu.members import repository as members_repo
from siyu.members import service as members
from siyu.members.models import Member
from siyu.merchants import service as merchants
from siyu.risk import service as copy_risk

RULES_KEY = "entry_review"
# What a JoinRequest's status is right after review, by decision.
STATUS_AFTER = {"admit": "admitted", "hold": "pending", "reject": "rejected"}


@dataclass
class JoinOutcome:
    decision: str
    join_request_id: int
    member_id: int
    reasons: list[dict] = field(default_factory=list)
    group_id: int | None = None
    membership_id: int | None = None
    member_count: int | None = None
    live_code_id: int | None = None
    channel: str | None = None


@dataclass
class LeaveOutcome:
    group_id: int
    member_id: int
    left_at: datetime
    member_count: int


# ---- groups -------------------------------------------------------------------------


def default_capacity(session: Session, merchant_id: int) -> int:
    merchant = merchants.get_merchant(session, merchant_id)
    return int(merchants.merchant_setting(merchant, "group_capacity",
                                          get_settings().group_capacity))


def _rule_texts(rules: object, path: str = "rules") -> dict[str, str]:
    """Every text inside a group's rules document, by its path (rules.notice, ...)."""
    if isinstance(rules, str):
        return {path: rules}
    if isinstance(rules, dict):
        items = rules.items()
    elif isinstance(rules, list):
        items = enumerate(rules)
    else:
        return {}
    out: dict[str, str] = {}
    for key, value in items:
        out.update(_rule_texts(value, f"{path}.{key}"))
    return out


def create_group(session: Session, merchant_id: int, data: GroupIn, *, now: datetime,
                 actor: str, live_code_id: int | None = None,
                 pool_position: int | None = None, cleared: bool = False) -> Group:
    """A group's name and rules are copy its members read: copy that blocks is refused
    (422 copy_blocked naming the field); copy needing a review creates the group
    `pending_review` (no joins) and queues it for the legal role (`copy_review`).
    `cleared`: the copy was reviewed already (a live code's next pool group, named
    after the approved first one)."""
    texts = {"name": data.name, **_rule_texts(data.rules)}
    review = {} if cleared else copy_risk.check_copy(session, merchant_id, texts)
    group = Group(merchant_id=merchant_id, name=data.name, kind=data.kind, owner=data.owner,
                  capacity=data.capacity or default_capacity(session, merchant_id),
                  rules=data.rules, member_count=0,
                  status="pending_review" if review else "active",
                  live_code_id=live_code_id, pool_position=pool_position, created_at=now)
    session.add(group)
    session.flush()
    if review:
        copy_review.hold(session, group, texts, review, actor=actor, now=now)
    return group


def get_group(session: Session, merchant_id: int, group_id: int) -> Group:
    return repo.require_group(session, merchant_id, group_id)


def list_groups(session: Session, merchant_id: int, *, kind: str | None = None,
                status: str | None = None, limit: int = 50, offset: int = 0,
                ) -> tuple[list[Group], int]:
    return repo.search_groups(session, merchant_id, kind=kind, status=status, limit=limit,
                              offset=offset)


def archive_group(session: Session, merchant_id: int, group_id: int, *, actor: str) -> Group:
    """Archived groups take no new members; the members in them stay."""
    group = repo.require_group(session, merchant_id, group_id)
    if group.status != "archived":
        before, group.status = group.status, "archived"
        audit.record(session, merchant_id, actor=actor, action="archive", entity="group",
                     entity_id=group.id, before={"status": before},
                     after={"status": "archived"})
        session.flush()
    return group


def to_out(g: Group) -> GroupOut:
    return GroupOut(id=g.id, name=g.name, kind=g.kind, owner=g.owner, capacity=g.capacity,
                    member_count=g.member_count, rules=dict(g.rules or {}), status=g.status,
                    live_code_id=g.live_code_id, pool_position=g.pool_position,
                    created_at=g.created_at)


# ---- entry review -------------------------------------------------------------------


def get_rules(session: Session, merchant_id: int) -> EntryReviewRules:
    merchant = merchants.get_merchant(session, merchant_id)
    raw = merchants.merchant_setting(merchant, RULES_KEY, None)
    return EntryReviewRules.model_validate(raw) if raw else EntryReviewRules()


def set_rules(session: Session, merchant_id: int, data: EntryReviewRulesIn, *,
              actor: str) -> EntryReviewRules:
    """Replace the merchant's rules. Phones given in clear are kept only as hashes."""
    doc = data.model_dump()
    phones = doc["blacklist"].pop("phones")
    bl = doc["blacklist"]
    bl["phone_hashes"] = list(dict.fromkeys(bl["phone_hashes"] + [phone_hash(p) for p in phones]))
    for key in ("member_ids", "devices", "ips"):
        bl[key] = list(dict.fromkeys(bl[key]))
    rules = EntryReviewRules.model_validate(doc)
    before = get_rules(session, merchant_id).model_dump()
    merchants.set_setting(session, merchant_id, RULES_KEY, rules.model_dump())
    audit.record(session, merchant_id, actor=actor, action="update", entity="entry_review_rules",
                 entity_id=merchant_id, before=before, after=rules.model_dump())
    session.flush()
    return rules


def gather_facts(session: Session, merchant_id: int, member: Member, rules: EntryReviewRules,
                 *, group_ids: list[int], device: str | None, ip: str | None,
                 risk_score: float | None, now: datetime) -> JoinFacts:
    same_phone: set[int] = set()
    if member.phone_hash and rules.duplicate_phone.enabled:
        others = [m.id for m in members_repo.by_phone_hash(session, merchant_id, member.phone_hash)
                  if m.id != member.id]
        since = now - timedelta(hours=rules.duplicate_phone.window_hours)
        same_phone = repo.members_in_or_joined(session, merchant_id, group_ids, others,
                                               since=since)
    device_joins = ip_joins = 0
    if device and rules.device.enabled:
        device_joins = repo.other_joiners(
            session, merchant_id, member.id, device=device,
            since=now - timedelta(hours=rules.device.window_hours))
    if ip and rules.ip.enabled:
        ip_joins = repo.other_joiners(session, merchant_id, member.id, ip=ip,
                                      since=now - timedelta(hours=rules.ip.window_hours))
    return JoinFacts(member_id=member.id, phone_hash=member.phone_hash, device=device, ip=ip,
                     risk_score=risk_score, same_phone_members=tuple(sorted(same_phone)),
                     device_joins=device_joins, ip_joins=ip_joins)


def review_attempt(session: Session, merchant_id: int, member: Member, *, group_ids: list[int],
                   group_id: int | None, live_code_id: int | None, device: str | None,
                   ip: str | None, risk_score: float | None, now: datetime,
                   channel: str | None = None) -> tuple[Verdict, JoinRequest]:
    """Review one join attempt and record it as a JoinRequest (flushed, with its id)."""
    rules = get_rules(session, merchant_id)
    facts = gather_facts(session, merchant_id, member, rules, group_ids=group_ids,
                         device=device, ip=ip, risk_score=risk_score, now=now)
    verdict = review_engine.review(rules, facts)
    decided = verdict.decision != HOLD
    request = JoinRequest(
        merchant_id=merchant_id, group_id=group_id, member_id=member.id,
        live_code_id=live_code_id, device=device, ip=ip, channel=channel,
        decision=verdict.decision,
        status=STATUS_AFTER[verdict.decision], reasons=[r.to_dict() for r in verdict.reasons],
        decided_by="entry_review" if decided else None, decided_at=now if decided else None,
        created_at=now)
    session.add(request)
    session.flush()
    return verdict, request


# ---- join and leave -----------------------------------------------------------------


def enter(session: Session, merchant_id: int, group: Group, member_id: int, *, count: int,
          dup_scope: list[int], now: datetime, channel: str | None, live_code_id: int | None,
          request: JoinRequest | None) -> GroupMembership:
    """After a seat was taken in `group`: open the stay and record the join.

    Re-checks under the group's row lock that the member is not in already (a racing
    join of the same member may have committed first); if so, gives the seat back.
    """
    if repo.open_stay(session, merchant_id, dup_scope, member_id) is not None:
        repo.free_seat(session, merchant_id, group.id)
        raise AlreadyInGroup(member_id, group.id)
    stay = GroupMembership(merchant_id=merchant_id, group_id=group.id, member_id=member_id,
                           joined_at=now, channel=channel, live_code_id=live_code_id,
                           created_at=now)
    session.add(stay)
    session.flush()
    if live_code_id is not None:
        repo.count_code_join(session, merchant_id, live_code_id)
    events.emit(session, merchant_id, "join", at=now, member_id=member_id, group_id=group.id,
                payload={"channel": channel, "live_code_id": live_code_id,
                         "join_request_id": request.id if request else None,
                         "member_count": count},
                key=f"join:{stay.id}")
    return stay


def seat_in(session: Session, merchant_id: int, group: Group, member_id: int, *,
            now: datetime, channel: str | None, live_code_id: int | None,
            request: JoinRequest | None) -> tuple[GroupMembership, int]:
    """Take a seat in this very group (409 when full or archived) and enter."""
    require_open(group)
    count = repo.take_seat(session, merchant_id, group.id)
    if count is None:
        raise GroupFull(group.id, group.capacity)
    stay = enter(session, merchant_id, group, member_id, count=count, dup_scope=[group.id],
                 now=now, channel=channel, live_code_id=live_code_id, request=request)
    return stay, count


def join(session: Session, merchant_id: int, group_id: int, member_id: int, *, now: datetime,
         actor: str, device: str | None = None, ip: str | None = None,
         channel: str | None = None, live_code_id: int | None = None,
         risk_score: float | None = None) -> JoinOutcome:
    """A member asks to join a group: review, record, and (when admitted) seat them.

    Raises 404 for another merchant's group, member or code; 409 `group_archived`,
    `already_in_group`, `group_full`. A hold or reject is an outcome, not an error:
    the attempt stays recorded for the operator.
    """
    group = repo.require_group(session, merchant_id, group_id)
    member = members.require_active(session, merchant_id, member_id)
    if live_code_id is not None:
        code = repo.require_code_by_id(session, merchant_id, live_code_id)
        channel = channel or code.channel
    require_open(group)
    if repo.open_stay(session, merchant_id, [group.id], member.id) is not None:
        raise AlreadyInGroup(member.id, group.id)
    verdict, request = review_attempt(
        session, merchant_id, member, group_ids=[group.id], group_id=group.id,
        live_code_id=live_code_id, device=device, ip=ip, risk_score=risk_score, now=now,
        channel=channel)
    outcome = JoinOutcome(decision=verdict.decision, join_request_id=request.id,
                          member_id=member.id, reasons=list(request.reasons),
                          group_id=group.id, live_code_id=live_code_id, channel=channel)
    if verdict.decision == ADMIT:
        stay, count = seat_in(session, merchant_id, group, member.id, now=now, channel=channel,
                              live_code_id=live_code_id, request=request)
        outcome.membership_id, outcome.member_count = stay.id, count
    return outcome


def leave(session: Session, merchant_id: int, group_id: int, member_id: int, *,
          now: datetime, actor: str) -> LeaveOutcome:
    """Close the member's stay, give the seat back and emit `leave`; 409 `not_in_group`."""
    group = repo.require_group(session, merchant_id, group_id)
    members.require_active(session, merchant_id, member_id)
    stay = repo.open_stay(session, merchant_id, [group.id], member_id)
    # The conditional close makes a concurrent second leave fail instead of double-count.
    if stay is None or not repo.close_stay(session, merchant_id, stay.id, now=now):
        raise NotInGroup(member_id, group.id)
    count = repo.free_seat(session, merchant_id, group.id)
    session.expire(stay, ["left_at"])
    events.emit(session, merchant_id, "leave", at=now, member_id=member_id, group_id=group.id,
                payload={"channel": stay.channel, "live_code_id": stay.live_code_id,
                         "member_count": count},
                key=f"leave:{stay.id}")
    return LeaveOutcome(group_id=group.id, member_id=member_id, left_at=now, member_count=count)


def leave_all(session: Session, merchant_id: int, member_id: int, *, now: datetime) -> int:
    """Close every open stay of a member (used by PIPL erasure). Returns how many."""
    stmt = scoped(GroupMembership, merchant_id).where(
        GroupMembership.member_id == member_id, GroupMembership.left_at.is_(None))
    rows = list(session.scalars(stmt))
    for row in rows:
        row.left_at = now
        session.execute(update(Group).where(Group.id == row.group_id,
                                            Group.merchant_id == merchant_id)
                        .values(member_count=Group.member_count - 1))
    session.flush()
    return len(rows)


# ---- members of a group, groups of a member -----------------------------------------


def stays_out(session: Session, merchant_id: int, stays: list[GroupMembership]) -> list[StayOut]:
    names = repo.names_of(session, merchant_id, [s.group_id for s in stays])
    return [StayOut(id=s.id, group_id=s.group_id, group_name=names.get(s.group_id, ""),
                    member_id=s.member_id, joined_at=s.joined_at, left_at=s.left_at,
                    channel=s.channel, live_code_id=s.live_code_id) for s in stays]


def current_members(session: Session, merchant_id: int, group_id: int, *, limit: int = 50,
                    offset: int = 0) -> tuple[list[StayOut], int]:
    repo.require_group(session, merchant_id, group_id)
    rows, total = repo.current_members(session, merchant_id, group_id, limit=limit,
                                       offset=offset)
    return stays_out(session, merchant_id, rows), total


def history(session: Session, merchant_id: int, member_id: int, *, limit: int = 50,
            offset: int = 0) -> tuple[list[StayOut], int]:
    """Every stay of a member in the merchant's groups, latest first."""
    members_repo.require(session, merchant_id, member_id)
    rows, total = repo.stays_of_member(session, merchant_id, member_id, limit=limit,
                                       offset=offset)
    return stays_out(session, merchant_id, rows), total
