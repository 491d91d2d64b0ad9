"""Table: saved segments (live rule trees evaluated over the analytics snapshot)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from siyu.db.base import Base, JSONType, TenantMixin, UTCDateTime


class SavedSegment(Base, TenantMixin):
    __tablename__ = "saved_segments"
    __table_args__ = (UniqueConstraint("merchant_id", "name"),)
    name: Mapped[str] = mapped_column(String(100), nullable=False)
    description: Mapped[str | None] = mapped_column(String(500))
    rule: Mapped[dict] = mapped_column(JSONType, nullable=False)
    created_by: Mapped[str | None] = mapped_column(String(100))
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
