"""Tables: flash_sales (one row per session, 场次), flash_orders (a winner's order).

Stock and per-member limits live in the sale's hot pool (`flashsale:<id>`); a flash
order links the take (its sequence number in the pool) to the order it created.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from siyu.db.base import Base, BigId, TenantMixin, UTCDateTime

FLASH_ORDER_STATUSES = ("pending", "paid", "released")
# pending_review: the sale's name waits for the legal review queue (no one can buy);
# active: on sale in its window; rejected: never on sale (stock returns at settlement).
FLASH_SALE_STATUSES = ("active", "pending_review", "rejected")


class FlashSale(Base, TenantMixin):
    __tablename__ = "flash_sales"
    sku: Mapped[str] = mapped_column(String(64), nullable=False)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    price_fen: Mapped[int] = mapped_column(BigInteger, nullable=False)
    stock: Mapped[int] = mapped_column(Integer, nullable=False)
    per_member_limit: Mapped[int] = mapped_column(Integer, nullable=False)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    # e.g. "10:00场"; "返场" for a return round.
    label: Mapped[str] = mapped_column(String(50), default="", nullable=False)
    # 1: the session itself; 2: its return round (返场) for what did not sell.
    round: Mapped[int] = mapped_column(Integer, default=1, nullable=False)
    parent_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("flash_sales.id", ondelete="CASCADE"), unique=True
    )
    unpaid_minutes: Mapped[int] = mapped_column(Integer, nullable=False)
    pool_key: Mapped[str | None] = mapped_column(String(100), unique=True)
    # The catalog product whose stock was reserved for the sale (none: a SKU outside the
    # catalog). Settling the sale returns what did not sell to that product.
    product_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("products.id", ondelete="SET NULL")
    )
    settled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    returned_units: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), default="active", server_default="active",
                                        nullable=False)


class FlashOrder(Base, TenantMixin):
    __tablename__ = "flash_orders"
    __table_args__ = (
        UniqueConstraint("flash_sale_id", "seq"),
        Index("ix_flash_orders_due", "status", "pay_by"),
    )
    flash_sale_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("flash_sales.id", ondelete="CASCADE"), nullable=False
    )
    member_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("members.id", ondelete="CASCADE"), nullable=False
    )
    order_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("orders.id", ondelete="CASCADE"), unique=True, nullable=False
    )
    qty: Mapped[int] = mapped_column(Integer, nullable=False)
    seq: Mapped[int] = mapped_column(Integer, nullable=False)
    status: Mapped[str] = mapped_column(String(10), default="pending", nullable=False)
    pay_by: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    settled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
