"""Tables: coupon_templates (limited coupons with total stock and a per-member limit),
member_coupons (the coupons members hold).

A template's stock lives in its hot pool (`coupon:<id>`). Every coupon carries a
`source_ref` unique per merchant (`coupon:<template>:<seq>`, `hongbao:<id>:<seq>`), so
issuing is idempotent whatever path issues it.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from siyu.db.base import Base, BigId, TenantMixin, UTCDateTime

COUPON_STATUSES = ("unused", "used", "expired")


class CouponTemplate(Base, TenantMixin):
    __tablename__ = "coupon_templates"
    name: Mapped[str] = mapped_column(String(100), nullable=False)
    face_value_fen: Mapped[int] = mapped_column(BigInteger, nullable=False)
    min_spend_fen: Mapped[int] = mapped_column(BigInteger, default=0, nullable=False)
    total: Mapped[int] = mapped_column(Integer, nullable=False)
    per_member_limit: Mapped[int] = mapped_column(Integer, nullable=False)
    claim_starts_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    claim_ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Validity of a claimed coupon: a fixed end, or N days from the claim.
    valid_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    valid_days: Mapped[int | None] = mapped_column(Integer)
    active: Mapped[bool] = mapped_column(Boolean, default=True, nullable=False)
    pool_key: Mapped[str | None] = mapped_column(String(100), unique=True)


class MemberCoupon(Base, TenantMixin):
    __tablename__ = "member_coupons"
    __table_args__ = (
        UniqueConstraint("merchant_id", "source_ref"),
        UniqueConstraint("merchant_id", "code"),
        Index("ix_member_coupons_member", "merchant_id", "member_id", "status"),
    )
    template_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("coupon_templates.id", ondelete="SET NULL"), index=True
    )
    member_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("members.id", ondelete="CASCADE"), nullable=False
    )
    code: Mapped[str] = mapped_column(String(32), nullable=False)
    name: Mapped[str] = mapped_column(String(100), nullable=False)
    face_value_fen: Mapped[int] = mapped_column(BigInteger, nullable=False)
    min_spend_fen: Mapped[int] = mapped_column(BigInteger, default=0, nullable=False)
    valid_from: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    valid_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(10), default="unused", nullable=False)
    source_ref: Mapped[str] = mapped_column(String(100), nullable=False)
