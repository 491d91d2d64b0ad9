"""Read-only lookups the console's filters need, every statement scoped by merchant."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from siyu.members.models import Member, Tag


def tag_names(session: Session, merchant_id: int) -> list[str]:
    stmt = select(Tag.name).where(Tag.merchant_id == merchant_id).order_by(Tag.id)
    return list(session.scalars(stmt))


def channels(session: Session, merchant_id: int) -> list[str]:
    stmt = (select(Member.channel).where(Member.merchant_id == merchant_id,
                                         Member.channel.is_not(None))
            .group_by(Member.channel).order_by(Member.channel))
    return list(session.scalars(stmt))
