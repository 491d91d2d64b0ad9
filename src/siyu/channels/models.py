"""Table: channel_messages (what was sent through a channel, per merchant)."""

from __future__ import annotations

from sqlalchemy import BigInteger, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from siyu.db.base import Base, JSONType, TenantMixin


class ChannelMessage(Base, TenantMixin):
    __tablename__ = "channel_messages"
    channel: Mapped[str] = mapped_column(String(30), nullable=False)
    # group / member
    target_kind: Mapped[str] = mapped_column(String(10), nullable=False)
    target_id: Mapped[int] = mapped_column(BigInteger, nullable=False)
    # text / image / link
    content_kind: Mapped[str] = mapped_column(String(10), nullable=False)
    content: Mapped[str] = mapped_column(Text, nullable=False)
    extra: Mapped[dict] = mapped_column(JSONType, default=dict, nullable=False)
    status: Mapped[str] = mapped_column(String(10), default="sent", nullable=False)
