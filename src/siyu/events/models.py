"""Table: events (append-only; idempotent by key per merchant)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from siyu.db.base import Base, BigId, JSONType, TenantMixin, UTCDateTime

EVENT_KINDS = ("join", "leave", "message", "view", "add_to_cart", "order", "pay", "refund",
               "share", "invite", "check_in", "grab", "redeem", "complaint", "review",
               "like", "comment", "lifecycle")


class Event(Base, TenantMixin):
    __tablename__ = "events"
    __table_args__ = (
        UniqueConstraint("merchant_id", "idempotency_key"),
        Index("ix_events_merchant_kind_at", "merchant_id", "kind", "at"),
        Index("ix_events_merchant_group_at", "merchant_id", "group_id", "at"),
    )
    kind: Mapped[str] = mapped_column(String(20), nullable=False)
    at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    member_id: Mapped[int | None] = mapped_column(BigId, index=True)
    group_id: Mapped[int | None] = mapped_column(BigId)
    payload: Mapped[dict] = mapped_column(JSONType, default=dict, nullable=False)
    idempotency_key: Mapped[str] = mapped_column(String(100), nullable=False)
