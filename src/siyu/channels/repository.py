"""Every query of the channels domain, scoped to one merchant."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from siyu.channels.adapter import Target
from siyu.channels.models import ChannelMessage
from siyu.db.scope import require_scoped, scoped


def require_message(session: Session, merchant_id: int, message_id: int) -> ChannelMessage:
    return require_scoped(session, ChannelMessage, merchant_id, message_id, "message")


def search_messages(session: Session, merchant_id: int, *, channel: str | None = None,
                    target_kind: str | None = None, target_id: int | None = None,
                    limit: int = 50, offset: int = 0) -> tuple[list[ChannelMessage], int]:
    stmt = scoped(ChannelMessage, merchant_id)
    if channel:
        stmt = stmt.where(ChannelMessage.channel == channel)
    if target_kind:
        stmt = stmt.where(ChannelMessage.target_kind == target_kind)
    if target_id is not None:
        stmt = stmt.where(ChannelMessage.target_id == target_id)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = list(session.scalars(stmt.order_by(ChannelMessage.id.desc()).limit(limit)
                                .offset(offset)))
    return rows, total


def add_message(session: Session, merchant_id: int, *, channel: str, target: Target, kind: str,
                content: str, extra: dict, status: str, now: datetime) -> ChannelMessage:
    """A message recorded: sent by the simulator, or held for review unsent."""
    row = ChannelMessage(merchant_id=merchant_id, channel=channel, target_kind=target.kind,
                         target_id=target.id, content_kind=kind, content=content, extra=extra,
                         status=status, created_at=now)
    session.add(row)
    session.flush()
    return row
