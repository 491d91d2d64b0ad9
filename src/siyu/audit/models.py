"""Table: audit_log (append-only)."""

from __future__ import annotations

from sqlalchemy import BigInteger, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from siyu.db.base import Base, JSONType, TenantMixin


class AuditEntry(Base, TenantMixin):
    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_entity", "merchant_id", "entity", "entity_id"),)
    actor: Mapped[str] = mapped_column(String(100), nullable=False)
    action: Mapped[str] = mapped_column(String(50), nullable=False)
    entity: Mapped[str] = mapped_column(String(50), nullable=False)
    entity_id: Mapped[int | None] = mapped_column(BigInteger)
    before: Mapped[dict | None] = mapped_column(JSONType)
    after: Mapped[dict | None] = mapped_column(JSONType)
