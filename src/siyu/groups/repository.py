"""Every query of the groups domain, scoped to one merchant.

Seats are taken and given back with conditional UPDATEs, so a group never holds more
members than its capacity however many joins race: on PostgreSQL the second UPDATE
waits for the first's row lock and re-checks `member_count < capacity`; SQLite
serialises writers (BEGIN IMMEDIATE).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.util import identity_key

from siyu.db.scope import require_scoped, scoped
from siyu.groups.models import Group, GroupMembership, JoinRequest, LiveCode

# ---- groups -------------------------------------------------------------------------


def require_group(session: Session, merchant_id: int, group_id: int) -> Group:
    return require_scoped(session, Group, merchant_id, group_id, "group")


def search_groups(session: Session, merchant_id: int, *, kind: str | None = None,
                  status: str | None = None, live_code_id: int | None = None,
                  limit: int = 50, offset: int = 0) -> tuple[list[Group], int]:
    stmt = scoped(Group, merchant_id)
    if kind:
        stmt = stmt.where(Group.kind == kind)
    if status:
        stmt = stmt.where(Group.status == status)
    if live_code_id is not None:
        stmt = stmt.where(Group.live_code_id == live_code_id)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = list(session.scalars(stmt.order_by(Group.id).limit(limit).offset(offset)))
    return rows, total


def names_of(session: Session, merchant_id: int, group_ids: Iterable[int]) -> dict[int, str]:
    ids = sorted(set(group_ids))
    if not ids:
        return {}
    stmt = select(Group.id, Group.name).where(Group.merchant_id == merchant_id,
                                              Group.id.in_(ids))
    return {gid: name for gid, name in session.execute(stmt)}


def take_seat(session: Session, merchant_id: int, group_id: int) -> int | None:
    """Atomically add one member if there is room; the new count, or None when full."""
    stmt = (update(Group)
            .where(Group.id == group_id, Group.merchant_id == merchant_id,
                   Group.status == "active", Group.member_count < Group.capacity)
            .values(member_count=Group.member_count + 1)
            .returning(Group.member_count)
            .execution_options(synchronize_session=False))
    count = session.execute(stmt).scalar_one_or_none()
    _expire(session, Group, group_id, "member_count")
    return count


def free_seat(session: Session, merchant_id: int, group_id: int) -> int:
    stmt = (update(Group)
            .where(Group.id == group_id, Group.merchant_id == merchant_id,
                   Group.member_count > 0)
            .values(member_count=Group.member_count - 1)
            .returning(Group.member_count)
            .execution_options(synchronize_session=False))
    count = session.execute(stmt).scalar_one_or_none()
    _expire(session, Group, group_id, "member_count")
    return count or 0


def _expire(session: Session, model: type, row_id: int, attr: str) -> None:
    """A counter UPDATE bypasses the identity map: a loaded row must re-read it."""
    obj = session.identity_map.get(identity_key(model, row_id))
    if obj is not None:
        session.expire(obj, [attr])


def pool(session: Session, merchant_id: int, live_code_id: int) -> list[Group]:
    stmt = scoped(Group, merchant_id).where(Group.live_code_id == live_code_id).order_by(
        Group.pool_position, Group.id)
    return list(session.scalars(stmt))


def pools_of(session: Session, merchant_id: int, code_ids: list[int]) -> dict[int, list[Group]]:
    out: dict[int, list[Group]] = {i: [] for i in code_ids}
    if not code_ids:
        return out
    stmt = scoped(Group, merchant_id).where(Group.live_code_id.in_(code_ids)).order_by(
        Group.pool_position, Group.id)
    for g in session.scalars(stmt):
        out[g.live_code_id].append(g)
    return out


# ---- memberships --------------------------------------------------------------------


def open_stay(session: Session, merchant_id: int, group_ids: list[int],
              member_id: int) -> GroupMembership | None:
    if not group_ids:
        return None
    stmt = scoped(GroupMembership, merchant_id).where(
        GroupMembership.group_id.in_(group_ids), GroupMembership.member_id == member_id,
        GroupMembership.left_at.is_(None)).order_by(GroupMembership.id).limit(1)
    return session.scalars(stmt).first()


def close_stay(session: Session, merchant_id: int, stay_id: int, *, now: datetime) -> bool:
    """Atomically end a stay; False when another request ended it first."""
    stmt = (update(GroupMembership)
            .where(GroupMembership.id == stay_id, GroupMembership.merchant_id == merchant_id,
                   GroupMembership.left_at.is_(None))
            .values(left_at=now)
            .execution_options(synchronize_session=False))
    return session.execute(stmt).rowcount == 1


def current_members(session: Session, merchant_id: int, group_id: int, *, limit: int = 50,
                    offset: int = 0) -> tuple[list[GroupMembership], int]:
    stmt = scoped(GroupMembership, merchant_id).where(
        GroupMembership.group_id == group_id, GroupMembership.left_at.is_(None))
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = list(session.scalars(stmt.order_by(GroupMembership.joined_at, GroupMembership.id)
                                .limit(limit).offset(offset)))
    return rows, total


def stays_of_member(session: Session, merchant_id: int, member_id: int, *, limit: int = 50,
                    offset: int = 0) -> tuple[list[GroupMembership], int]:
    stmt = scoped(GroupMembership, merchant_id).where(GroupMembership.member_id == member_id)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = list(session.scalars(stmt.order_by(GroupMembership.joined_at.desc(),
                                              GroupMembership.id.desc())
                                .limit(limit).offset(offset)))
    return rows, total


def members_in_or_joined(session: Session, merchant_id: int, group_ids: list[int],
                         member_ids: list[int], *, since: datetime) -> set[int]:
    """Which of `member_ids` are in one of the groups now, or joined one since `since`."""
    if not group_ids or not member_ids:
        return set()
    stmt = select(GroupMembership.member_id).where(
        GroupMembership.merchant_id == merchant_id, GroupMembership.group_id.in_(group_ids),
        GroupMembership.member_id.in_(member_ids),
        GroupMembership.left_at.is_(None) | (GroupMembership.joined_at >= since))
    return set(session.scalars(stmt))


# ---- join requests ------------------------------------------------------------------


def require_request(session: Session, merchant_id: int, request_id: int, *,
                    for_update: bool = False) -> JoinRequest:
    return require_scoped(session, JoinRequest, merchant_id, request_id, "join_request",
                          for_update=for_update)


def other_joiners(session: Session, merchant_id: int, member_id: int, *,
                  device: str | None = None, ip: str | None = None, since: datetime) -> int:
    """Distinct other members who tried to join from this device (or IP) since `since`."""
    stmt = select(func.count(func.distinct(JoinRequest.member_id))).where(
        JoinRequest.merchant_id == merchant_id, JoinRequest.member_id != member_id,
        JoinRequest.created_at >= since)
    if device is not None:
        stmt = stmt.where(JoinRequest.device == device)
    if ip is not None:
        stmt = stmt.where(JoinRequest.ip == ip)
    return session.scalar(stmt) or 0


def search_requests(session: Session, merchant_id: int, *, status: str | None = None,
                    decision: str | None = None, group_id: int | None = None,
                    live_code_id: int | None = None, member_id: int | None = None,
                    limit: int = 50, offset: int = 0) -> tuple[list[JoinRequest], int]:
    stmt = scoped(JoinRequest, merchant_id)
    if status:
        stmt = stmt.where(JoinRequest.status == status)
    if decision:
        stmt = stmt.where(JoinRequest.decision == decision)
    if group_id is not None:
        stmt = stmt.where(JoinRequest.group_id == group_id)
    if live_code_id is not None:
        stmt = stmt.where(JoinRequest.live_code_id == live_code_id)
    if member_id is not None:
        stmt = stmt.where(JoinRequest.member_id == member_id)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = list(session.scalars(stmt.order_by(JoinRequest.id.desc()).limit(limit)
                                .offset(offset)))
    return rows, total


# ---- live codes ---------------------------------------------------------------------


def code_by_value(session: Session, merchant_id: int, code: str, *,
                  for_update: bool = False) -> LiveCode | None:
    stmt = scoped(LiveCode, merchant_id).where(LiveCode.code == code)
    if for_update:
        stmt = stmt.with_for_update()
    return session.scalars(stmt).one_or_none()


def require_code_by_id(session: Session, merchant_id: int, code_id: int, *,
                       for_update: bool = False) -> LiveCode:
    return require_scoped(session, LiveCode, merchant_id, code_id, "live_code",
                          for_update=for_update)


def code_exists(session: Session, code: str) -> bool:
    """Codes are unique across merchants (they appear in public QR links)."""
    return session.scalar(select(func.count()).select_from(LiveCode)
                          .where(LiveCode.code == code)) > 0


def search_codes(session: Session, merchant_id: int, *, channel: str | None = None,
                 limit: int = 50, offset: int = 0) -> tuple[list[LiveCode], int]:
    stmt = scoped(LiveCode, merchant_id)
    if channel:
        stmt = stmt.where(LiveCode.channel == channel)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    return list(session.scalars(stmt.order_by(LiveCode.id).limit(limit).offset(offset))), total


def count_code_join(session: Session, merchant_id: int, code_id: int) -> None:
    session.execute(update(LiveCode)
                    .where(LiveCode.id == code_id, LiveCode.merchant_id == merchant_id)
                    .values(joins=LiveCode.joins + 1)
                    .execution_options(synchronize_session=False))
    _expire(session, LiveCode, code_id, "joins")
