"""Tables: merchants, users, api_keys, stores."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from siyu.db.base import Base, BigId, JSONType, TenantMixin, TimestampMixin, UTCDateTime

ROLES = ("owner", "planner", "operator", "cs", "supply", "legal", "analyst")


class Merchant(Base, TimestampMixin):
    __tablename__ = "merchants"
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    # Merchant-editable rule objects (capacities, thresholds, entry review, ...).
    settings: Mapped[dict] = mapped_column(JSONType, default=dict, nullable=False)


class User(Base, TenantMixin):
    __tablename__ = "users"
    __table_args__ = (UniqueConstraint("merchant_id", "name"),)
    name: Mapped[str] = mapped_column(String(100), nullable=False)
    role: Mapped[str] = mapped_column(String(20), nullable=False)


class ApiKey(Base, TenantMixin):
    __tablename__ = "api_keys"
    user_id: Mapped[int] = mapped_column(BigId, ForeignKey("users.id", ondelete="CASCADE"))
    key_hash: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    prefix: Mapped[str] = mapped_column(String(12), nullable=False)
    role: Mapped[str] = mapped_column(String(20), nullable=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True, nullable=False)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Store(Base, TenantMixin):
    __tablename__ = "stores"
    __table_args__ = (UniqueConstraint("merchant_id", "code"),)
    code: Mapped[str] = mapped_column(String(64), nullable=False)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    # online / offline / pickup (自提点)
    kind: Mapped[str] = mapped_column(String(20), default="online", nullable=False)
