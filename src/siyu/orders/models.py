"""Tables: orders, order_lines."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from siyu.db.base import Base, BigId, JSONType, TenantMixin, UTCDateTime

ORDER_STATUSES = ("pending", "paid", "shipped", "completed", "cancelled", "refunded", "held")


class Order(Base, TenantMixin):
    __tablename__ = "orders"
    __table_args__ = (
        UniqueConstraint("merchant_id", "order_no"),
        UniqueConstraint("merchant_id", "idempotency_key"),
        Index("ix_orders_merchant_paid_at", "merchant_id", "paid_at"),
    )
    order_no: Mapped[str] = mapped_column(String(64), nullable=False)
    member_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("members.id", ondelete="SET NULL"), index=True
    )
    group_id: Mapped[int | None] = mapped_column(BigId)
    store_code: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(12), default="pending", nullable=False)
    subtotal_fen: Mapped[int] = mapped_column(BigInteger, nullable=False)
    discount_fen: Mapped[int] = mapped_column(BigInteger, default=0, nullable=False)
    shipping_fen: Mapped[int] = mapped_column(BigInteger, default=0, nullable=False)
    total_fen: Mapped[int] = mapped_column(BigInteger, nullable=False)
    coupons: Mapped[list] = mapped_column(JSONType, default=list, nullable=False)
    ip: Mapped[str | None] = mapped_column(String(64))
    device: Mapped[str | None] = mapped_column(String(100))
    address: Mapped[str | None] = mapped_column(String(300))
    channel: Mapped[str | None] = mapped_column(String(50))
    placed_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    paid_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    idempotency_key: Mapped[str | None] = mapped_column(String(100))
    # Priced orders: the request's fingerprint and the quote first answered, so a retry
    # with the same key gets the same answer and a different request under it is refused.
    pricing: Mapped[dict | None] = mapped_column(JSONType)


class OrderLine(Base, TenantMixin):
    __tablename__ = "order_lines"
    order_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("orders.id", ondelete="CASCADE"), index=True, nullable=False
    )
    sku: Mapped[str] = mapped_column(String(64), nullable=False)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    qty: Mapped[int] = mapped_column(Integer, nullable=False)
    unit_price_fen: Mapped[int] = mapped_column(BigInteger, nullable=False)
    discount_fen: Mapped[int] = mapped_column(BigInteger, default=0, nullable=False)
    total_fen: Mapped[int] = mapped_column(BigInteger, nullable=False)
