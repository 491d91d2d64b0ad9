"""Tables of the risk domain: risk_hits (order-risk sweep results), incidents (complaints
and hits with tiers and timers), copy_reviews (outgoing copy waiting for legal)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from siyu.db.base import Base, JSONType, TenantMixin, UTCDateTime


class RiskHit(Base, TenantMixin):
    """One hit of an order-risk rule; a re-run of the sweep updates it, never doubles it."""

    __tablename__ = "risk_hits"
    __table_args__ = (UniqueConstraint("merchant_id", "fingerprint"),
                      Index("ix_risk_hits_merchant_rule", "merchant_id", "rule"))
    rule: Mapped[str] = mapped_column(String(40), nullable=False)
    fingerprint: Mapped[str] = mapped_column(String(80), nullable=False)
    subject: Mapped[str] = mapped_column(String(300), nullable=False)
    tier: Mapped[str] = mapped_column(String(10), nullable=False)
    message: Mapped[str] = mapped_column(Text, nullable=False)
    order_nos: Mapped[list] = mapped_column(JSONType, default=list, nullable=False)
    order_ids: Mapped[list] = mapped_column(JSONType, default=list, nullable=False)
    members: Mapped[list] = mapped_column(JSONType, default=list, nullable=False)
    evidence: Mapped[dict] = mapped_column(JSONType, default=dict, nullable=False)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    incident_id: Mapped[int | None] = mapped_column(BigInteger)


class Incident(Base, TenantMixin):
    """A complaint or a risk hit being handled: tier, team, one running timer."""

    __tablename__ = "incidents"
    __table_args__ = (Index("ix_incidents_merchant_status", "merchant_id", "status"),
                      Index("ix_incidents_due", "status", "due_at"))
    source: Mapped[str] = mapped_column(String(12), nullable=False)
    tier: Mapped[str] = mapped_column(String(10), nullable=False)
    team: Mapped[str] = mapped_column(String(10), nullable=False)
    status: Mapped[str] = mapped_column(String(12), default="open", nullable=False)
    title: Mapped[str] = mapped_column(String(200), nullable=False)
    detail: Mapped[str] = mapped_column(Text, default="", nullable=False)
    member_id: Mapped[int | None] = mapped_column(BigInteger)
    order_id: Mapped[int | None] = mapped_column(BigInteger)
    group_id: Mapped[int | None] = mapped_column(BigInteger)
    campaign: Mapped[str | None] = mapped_column(String(100))
    risk_hit_id: Mapped[int | None] = mapped_column(BigInteger)
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    acknowledged_by: Mapped[str | None] = mapped_column(String(100))
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_by: Mapped[str | None] = mapped_column(String(100))
    resolution: Mapped[str | None] = mapped_column(Text)
    escalations: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    breached_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # [{"at", "action", "by", "tier", "note"}], oldest first.
    history: Mapped[list] = mapped_column(JSONType, default=list, nullable=False)


class CopyReview(Base, TenantMixin):
    """Outgoing copy the scanner sent to review (复核): waits for the legal role."""

    __tablename__ = "copy_reviews"
    __table_args__ = (Index("ix_copy_reviews_merchant_status", "merchant_id", "status"),)
    # What is waiting: channel_message (others: envelope, promotion, ...).
    source: Mapped[str] = mapped_column(String(30), nullable=False)
    source_id: Mapped[int] = mapped_column(BigInteger, nullable=False)
    field: Mapped[str] = mapped_column(String(50), nullable=False)
    text: Mapped[str] = mapped_column(Text, nullable=False)
    findings: Mapped[list] = mapped_column(JSONType, default=list, nullable=False)
    status: Mapped[str] = mapped_column(String(10), default="pending", nullable=False)
    requested_by: Mapped[str] = mapped_column(String(100), nullable=False)
    decided_by: Mapped[str | None] = mapped_column(String(100))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    note: Mapped[str | None] = mapped_column(String(500))
    result: Mapped[dict] = mapped_column(JSONType, default=dict, nullable=False)

