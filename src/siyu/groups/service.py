"""Use cases of groups: create, list, join (through entry review), leave, members."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update
from sqlalchemy.orm import Session

from siyu.db.scope import scoped
from siyu.groups.models import Group, GroupMembership


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
