"""Tables of stored promotions: the promotions, their budgets' counters, what each order
used, and price protection (价格保护: price drops and the refunds they owe).

- `promotions`: one row per merchant promotion; `rule` is its contract-1 PROMOTION
  document as written; `code` is that document's `id`. Budget counters (`spent_fen`,
  `uses`) move only by conditional UPDATE in the order's transaction.
- `promotion_member_uses`: uses per member of a promotion with a per-member limit.
- `promotion_uses`: what one order took from one promotion or coupon, line by line;
  `released_at` is set when the order is cancelled and the budget and coupon restored.
- `price_drops` / `price_protection_refunds`: a SKU's price went down; each earlier
  buyer within the window is owed a refund, at most once per drop and order.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from siyu.db.base import Base, BigId, JSONType, TenantMixin, UTCDateTime

PROMOTION_STATUSES = ("active", "pending_approval", "pending_review", "rejected", "disabled")


class StoredPromotion(Base, TenantMixin):
    __tablename__ = "promotions"
    __table_args__ = (
        UniqueConstraint("merchant_id", "code"),
        Index("ix_promotions_merchant_status", "merchant_id", "status"),
    )
    code: Mapped[str] = mapped_column(String(64), nullable=False)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    kind: Mapped[str] = mapped_column(String(20), nullable=False)
    status: Mapped[str] = mapped_column(String(20), nullable=False)
    rule: Mapped[dict] = mapped_column(JSONType, nullable=False)
    # Budget and limits; null = unlimited.
    budget_fen: Mapped[int | None] = mapped_column(BigInteger)
    per_member_limit: Mapped[int | None] = mapped_column(Integer)
    total_limit: Mapped[int | None] = mapped_column(Integer)
    spent_fen: Mapped[int] = mapped_column(BigInteger, default=0, nullable=False)
    uses: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    # Red line at creation/edit: the SKUs whose worst-case price breaks a floor.
    red_line: Mapped[list] = mapped_column(JSONType, default=list, nullable=False)
    reviewed_by: Mapped[str | None] = mapped_column(String(100))
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    review_note: Mapped[str | None] = mapped_column(String(500))
    updated_by: Mapped[str] = mapped_column(String(100), nullable=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)


class PromotionMemberUse(Base, TenantMixin):
    __tablename__ = "promotion_member_uses"
    __table_args__ = (UniqueConstraint("promotion_id", "member_id"),)
    promotion_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("promotions.id", ondelete="CASCADE"), nullable=False
    )
    member_id: Mapped[int] = mapped_column(BigId, nullable=False)
    uses: Mapped[int] = mapped_column(Integer, default=0, nullable=False)


class PromotionUse(Base, TenantMixin):
    __tablename__ = "promotion_uses"
    __table_args__ = (UniqueConstraint("order_id", "code"),)
    order_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("orders.id", ondelete="CASCADE"), index=True, nullable=False
    )
    member_id: Mapped[int | None] = mapped_column(BigId)
    # "promotion" (a stored promotion) or "coupon" (a wallet coupon).
    source: Mapped[str] = mapped_column(String(12), nullable=False)
    # The id the quote showed: the promotion's code, or the coupon's quote id.
    code: Mapped[str] = mapped_column(String(100), nullable=False)
    promotion_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("promotions.id", ondelete="SET NULL"), index=True
    )
    coupon_id: Mapped[int | None] = mapped_column(BigId)
    discount_fen: Mapped[int] = mapped_column(BigInteger, nullable=False)
    # [{"sku": ..., "line": index in the order, "discount_fen": ...}]
    lines: Mapped[list] = mapped_column(JSONType, nullable=False)
    # How the budget was charged: "sql", "hot" or "" (no budget), for the release.
    charged_by: Mapped[str] = mapped_column(String(8), default="", nullable=False)
    released_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class PriceDrop(Base, TenantMixin):
    __tablename__ = "price_drops"
    __table_args__ = (Index("ix_price_drops_merchant_sku", "merchant_id", "sku"),)
    product_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("products.id", ondelete="CASCADE"), nullable=False
    )
    sku: Mapped[str] = mapped_column(String(64), nullable=False)
    old_price_fen: Mapped[int | None] = mapped_column(BigInteger)
    new_price_fen: Mapped[int] = mapped_column(BigInteger, nullable=False)
    dropped_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    window_days: Mapped[int] = mapped_column(Integer, nullable=False)
    # "catalog" (the price change hook) or "manual" (an on-demand run).
    source: Mapped[str] = mapped_column(String(10), nullable=False)


class PriceProtectionRefund(Base, TenantMixin):
    __tablename__ = "price_protection_refunds"
    __table_args__ = (UniqueConstraint("price_drop_id", "order_id"),
                      Index("ix_price_protection_refunds_sku", "merchant_id", "sku"))
    price_drop_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("price_drops.id", ondelete="CASCADE"), nullable=False
    )
    order_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("orders.id", ondelete="CASCADE"), index=True, nullable=False
    )
    member_id: Mapped[int | None] = mapped_column(BigId)
    sku: Mapped[str] = mapped_column(String(64), nullable=False)
    qty: Mapped[int] = mapped_column(Integer, nullable=False)
    # What the order paid for these units after its discounts, and the new unit price.
    paid_fen: Mapped[int] = mapped_column(BigInteger, nullable=False)
    new_price_fen: Mapped[int] = mapped_column(BigInteger, nullable=False)
    refund_fen: Mapped[int] = mapped_column(BigInteger, nullable=False)
    status: Mapped[str] = mapped_column(String(12), default="owed", nullable=False)
