"""Table: products (one row per SKU)."""

from __future__ import annotations

from sqlalchemy import BigInteger, Boolean, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from siyu.db.base import Base, JSONType, TenantMixin


class Product(Base, TenantMixin):
    __tablename__ = "products"
    __table_args__ = (UniqueConstraint("merchant_id", "sku"),)
    sku: Mapped[str] = mapped_column(String(64), nullable=False)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    category: Mapped[str] = mapped_column(String(64), default="", nullable=False)
    price_fen: Mapped[int] = mapped_column(BigInteger, nullable=False)
    cost_fen: Mapped[int] = mapped_column(BigInteger, default=0, nullable=False)
    daily_price_fen: Mapped[int] = mapped_column(BigInteger, nullable=False)
    stock: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    tags: Mapped[list] = mapped_column(JSONType, default=list, nullable=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True, nullable=False)
