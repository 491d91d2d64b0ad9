"""Tables: members, tags, member_tags."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from siyu.db.base import Base, BigId, TenantMixin, UTCDateTime

TAG_KINDS = ("static", "behavioural", "interest", "manual")


class Member(Base, TenantMixin):
    __tablename__ = "members"
    __table_args__ = (
        UniqueConstraint("merchant_id", "external_id"),
        Index("ix_members_merchant_phone_hash", "merchant_id", "phone_hash"),
    )
    external_id: Mapped[str] = mapped_column(String(100), nullable=False)
    nickname: Mapped[str | None] = mapped_column(String(100))
    phone_enc: Mapped[str | None] = mapped_column(String(200))
    phone_hash: Mapped[str | None] = mapped_column(String(64))
    phone_masked: Mapped[str | None] = mapped_column(String(16))
    channel: Mapped[str | None] = mapped_column(String(50))
    tier: Mapped[str] = mapped_column(String(4), default="V1", nullable=False)
    points: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    lifecycle: Mapped[str] = mapped_column(String(20), default="new", nullable=False)
    referrer_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("members.id", ondelete="SET NULL")
    )
    registered_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Tag(Base, TenantMixin):
    __tablename__ = "tags"
    __table_args__ = (UniqueConstraint("merchant_id", "name"),)
    name: Mapped[str] = mapped_column(String(50), nullable=False)
    kind: Mapped[str] = mapped_column(String(20), default="manual", nullable=False)


class MemberTag(Base, TenantMixin):
    __tablename__ = "member_tags"
    __table_args__ = (UniqueConstraint("member_id", "tag_id"),)
    member_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("members.id", ondelete="CASCADE"), index=True, nullable=False
    )
    tag_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("tags.id", ondelete="CASCADE"), index=True, nullable=False
    )
    # import / manual / rule
    source: Mapped[str] = mapped_column(String(20), default="manual", nullable=False)
