"""Tables of analytics: per-member states (RFM, layer, lifecycle), their change history,
and the log of computations."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Date, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from siyu.db.base import Base, BigId, JSONType, TenantMixin, UTCDateTime


class MemberState(Base, TenantMixin):
    """One row per member: RFM, the seed's layer and the lifecycle stage, as of the
    merchant's latest computation (`AnalyticsRun` kind "member_states"). A row is
    rewritten only when one of its values changes; recency is derived from the run's
    asof and `last_paid_on`."""

    __tablename__ = "member_states"
    __table_args__ = (UniqueConstraint("merchant_id", "member_id"),
                      Index("ix_member_states_merchant_layer", "merchant_id", "layer"))
    member_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("members.id", ondelete="CASCADE"), nullable=False)
    last_paid_on: Mapped[date | None] = mapped_column(Date)
    frequency: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    monetary_fen: Mapped[int] = mapped_column(BigInteger, default=0, nullable=False)
    r_score: Mapped[int | None] = mapped_column(Integer)
    f_score: Mapped[int | None] = mapped_column(Integer)
    m_score: Mapped[int | None] = mapped_column(Integer)
    rfm_segment: Mapped[str | None] = mapped_column(String(20))
    layer: Mapped[str] = mapped_column(String(20), nullable=False)
    # static (contract 5), sticky (high value kept while spending within the downgrade
    # window), downgraded (high value with no spend for the window → potential)
    layer_reason: Mapped[str] = mapped_column(String(12), nullable=False)
    layer_since: Mapped[date] = mapped_column(Date, nullable=False)
    lifecycle: Mapped[str] = mapped_column(String(20), nullable=False)
    lifecycle_since: Mapped[date] = mapped_column(Date, nullable=False)
    updated_on: Mapped[date] = mapped_column(Date, nullable=False)


class LayerChange(Base, TenantMixin):
    """用户分层变化: history of layer changes (the first computation is the baseline)."""

    __tablename__ = "layer_changes"
    __table_args__ = (Index("ix_layer_changes_merchant_asof", "merchant_id", "asof"),
                      Index("ix_layer_changes_member", "member_id"))
    member_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("members.id", ondelete="CASCADE"), nullable=False)
    asof: Mapped[date] = mapped_column(Date, nullable=False)
    from_layer: Mapped[str] = mapped_column(String(20), nullable=False)
    to_layer: Mapped[str] = mapped_column(String(20), nullable=False)
    reason: Mapped[str] = mapped_column(String(12), nullable=False)


class LifecycleChange(Base, TenantMixin):
    """生命周期变化: each transition, also emitted as an event of kind "lifecycle"."""

    __tablename__ = "lifecycle_changes"
    __table_args__ = (Index("ix_lifecycle_changes_merchant_asof", "merchant_id", "asof"),
                      Index("ix_lifecycle_changes_member", "member_id"))
    member_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("members.id", ondelete="CASCADE"), nullable=False)
    asof: Mapped[date] = mapped_column(Date, nullable=False)
    from_stage: Mapped[str] = mapped_column(String(20), nullable=False)
    to_stage: Mapped[str] = mapped_column(String(20), nullable=False)


class AnalyticsRun(Base, TenantMixin):
    """One computation: a snapshot refresh or a member-state computation, with figures."""

    __tablename__ = "analytics_runs"
    __table_args__ = (Index("ix_analytics_runs_merchant_kind", "merchant_id", "kind", "id"),)
    kind: Mapped[str] = mapped_column(String(20), nullable=False)
    asof: Mapped[date | None] = mapped_column(Date)
    finished_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    seconds: Mapped[float] = mapped_column(default=0.0, nullable=False)
    figures: Mapped[dict] = mapped_column(JSONType, default=dict, nullable=False)
