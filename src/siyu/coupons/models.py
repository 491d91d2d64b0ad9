"""Tables: coupon_templates (limited coupons with total stock and a per-member limit),
member_coupons (the coupons members hold), coupon_issues (the merchant's 发券 batches,
one per Idempotency-Key, with the answer a retry gets back).

A template's stock lives in its hot pool (`coupon:<id>`). Every coupon carries a
`source_ref` unique per merchant (`coupon:<template>:<seq>`, `hongbao:<id>:<seq>`), so
issuing is idempotent whatever path issues it.

A coupon is 满X减Y / 无门槛 (`kind` "fixed": `face_value_fen` off once `min_spend_fen`
is reached) or 折扣券 (`kind` "percent": `percent` off, at most `max_off_fen`, from
`min_spend_fen`; its `face_value_fen` is 0); `scope` narrows the items it applies to
(contract 1's scope shape).
A template's rule is copied onto every coupon it issues, so editing or disabling the
template never changes a coupon already held.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from siyu.db.base import Base, BigId, JSONType, TenantMixin, UTCDateTime

COUPON_STATUSES = ("unused", "used", "expired")
COUPON_KINDS = ("fixed", "percent")
# active: claimable and issuable. pending_review: its name waits for the legal copy
# review; pending_approval: its worst-case price breaks a red line and waits for an
# approver; rejected; disabled (no new coupons; coupons held stay usable).
TEMPLATE_STATUSES = ("active", "pending_review", "pending_approval", "rejected", "disabled")


class CouponTemplate(Base, TenantMixin):
    __tablename__ = "coupon_templates"
    name: Mapped[str] = mapped_column(String(100), nullable=False)
    kind: Mapped[str] = mapped_column(String(10), default="fixed", nullable=False)
    # fixed: the amount off; percent: 0 (its discount is `percent`, see the docstring)
    face_value_fen: Mapped[int] = mapped_column(BigInteger, nullable=False)
    percent: Mapped[str | None] = mapped_column(String(10))  # percent only: "15" = 85折
    max_off_fen: Mapped[int | None] = mapped_column(BigInteger)  # percent only, optional
    min_spend_fen: Mapped[int] = mapped_column(BigInteger, default=0, nullable=False)
    scope: Mapped[dict | None] = mapped_column(JSONType)  # None: every item
    total: Mapped[int] = mapped_column(Integer, nullable=False)
    per_member_limit: Mapped[int] = mapped_column(Integer, nullable=False)
    claim_starts_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    claim_ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Validity of a claimed coupon: a fixed end, or N days from the claim.
    valid_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    valid_days: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20), default="active", nullable=False)
    red_line: Mapped[list | None] = mapped_column(JSONType)  # findings when created/enabled
    created_by: Mapped[str | None] = mapped_column(String(100))
    reviewed_by: Mapped[str | None] = mapped_column(String(100))
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    review_note: Mapped[str | None] = mapped_column(String(500))
    pool_key: Mapped[str | None] = mapped_column(String(100), unique=True)

    @property
    def active(self) -> bool:
        return self.status == "active"


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
    kind: Mapped[str] = mapped_column(String(10), default="fixed", nullable=False)
    face_value_fen: Mapped[int] = mapped_column(BigInteger, nullable=False)  # percent: 0
    percent: Mapped[str | None] = mapped_column(String(10))
    max_off_fen: Mapped[int | None] = mapped_column(BigInteger)
    min_spend_fen: Mapped[int] = mapped_column(BigInteger, default=0, nullable=False)
    scope: Mapped[dict | None] = mapped_column(JSONType)
    valid_from: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    valid_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(10), default="unused", nullable=False)
    source_ref: Mapped[str] = mapped_column(String(100), nullable=False)


class CouponIssue(Base, TenantMixin):
    """发券: one issue request of a template to a list of members (or a segment)."""

    __tablename__ = "coupon_issues"
    __table_args__ = (UniqueConstraint("merchant_id", "idempotency_key"),)
    template_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("coupon_templates.id", ondelete="CASCADE"), index=True,
        nullable=False)
    idempotency_key: Mapped[str] = mapped_column(String(100), nullable=False)
    request: Mapped[dict] = mapped_column(JSONType, nullable=False)  # what was asked
    result: Mapped[dict] = mapped_column(JSONType, nullable=False)  # the first answer
    actor: Mapped[str] = mapped_column(String(100), nullable=False)
