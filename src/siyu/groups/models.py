"""Tables: groups, group_memberships, live_codes, join_requests."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from siyu.db.base import Base, BigId, JSONType, TenantMixin, UTCDateTime

GROUP_KINDS = ("red_envelope", "merchant", "gift", "stock_up", "self_use", "flash_sale",
               "after_sales")


class Group(Base, TenantMixin):
    __tablename__ = "groups"
    name: Mapped[str] = mapped_column(String(100), nullable=False)
    kind: Mapped[str] = mapped_column(String(20), nullable=False)
    owner: Mapped[str | None] = mapped_column(String(100))
    capacity: Mapped[int] = mapped_column(Integer, default=500, nullable=False)
    rules: Mapped[dict] = mapped_column(JSONType, default=dict, nullable=False)
    # Members currently in the group; kept by the service under a row lock.
    member_count: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    live_code_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("live_codes.id", ondelete="SET NULL"), index=True
    )
    pool_position: Mapped[int | None] = mapped_column(Integer)
    # active / archived
    status: Mapped[str] = mapped_column(String(20), default="active", nullable=False)


class GroupMembership(Base, TenantMixin):
    """Join/leave history: one row per stay; left_at is null while the member is in."""

    __tablename__ = "group_memberships"
    __table_args__ = (
        Index("ix_group_memberships_group_left", "group_id", "left_at"),
        Index("ix_group_memberships_member", "member_id"),
    )
    group_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("groups.id", ondelete="CASCADE"), nullable=False
    )
    member_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("members.id", ondelete="CASCADE"), nullable=False
    )
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    left_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    channel: Mapped[str | None] = mapped_column(String(50))
    live_code_id: Mapped[int | None] = mapped_column(BigId)


class LiveCode(Base, TenantMixin):
    """活码: one code that routes joiners into a pool of groups, by channel."""

    __tablename__ = "live_codes"
    __table_args__ = (UniqueConstraint("code"),)
    code: Mapped[str] = mapped_column(String(32), nullable=False)
    name: Mapped[str] = mapped_column(String(100), nullable=False)
    channel: Mapped[str] = mapped_column(String(50), nullable=False)
    group_kind: Mapped[str] = mapped_column(String(20), nullable=False)
    group_capacity: Mapped[int] = mapped_column(Integer, default=500, nullable=False)
    group_name_prefix: Mapped[str] = mapped_column(String(80), nullable=False)
    group_owner: Mapped[str | None] = mapped_column(String(100))
    joins: Mapped[int] = mapped_column(Integer, default=0, nullable=False)


class JoinRequest(Base, TenantMixin):
    """Every join attempt and the entry-review decision taken on it."""

    __tablename__ = "join_requests"
    __table_args__ = (
        Index("ix_join_requests_device", "merchant_id", "device", "created_at"),
        Index("ix_join_requests_ip", "merchant_id", "ip", "created_at"),
    )
    group_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("groups.id", ondelete="CASCADE"), index=True
    )
    member_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("members.id", ondelete="CASCADE"), index=True, nullable=False
    )
    live_code_id: Mapped[int | None] = mapped_column(BigId)
    device: Mapped[str | None] = mapped_column(String(100))
    ip: Mapped[str | None] = mapped_column(String(64))
    channel: Mapped[str | None] = mapped_column(String(50))
    # admit / hold / reject ; a held request becomes approved / rejected
    decision: Mapped[str] = mapped_column(String(10), nullable=False)
    status: Mapped[str] = mapped_column(String(10), nullable=False)
    reasons: Mapped[list] = mapped_column(JSONType, default=list, nullable=False)
    decided_by: Mapped[str | None] = mapped_column(String(100))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
