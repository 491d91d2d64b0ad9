"""Tables: experiments and exposures (A/B assignment is a hash, exposures are logged)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from siyu.db.base import Base, BigId, JSONType, TenantMixin, UTCDateTime


class Experiment(Base, TenantMixin):
    __tablename__ = "experiments"
    __table_args__ = (UniqueConstraint("merchant_id", "key"),)
    key: Mapped[str] = mapped_column(String(64), nullable=False)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    # [{"name": "A", "weight": 50}, {"name": "B", "weight": 50}]; the first is the control
    variants: Mapped[list] = mapped_column(JSONType, nullable=False)
    # conversion: a member converts with a `goal` event (or a paid order for "pay")
    # after exposure; mean: the member's paid order value after exposure (Welch t-test)
    metric: Mapped[str] = mapped_column(String(12), default="conversion", nullable=False)
    goal: Mapped[str] = mapped_column(String(20), default="pay", nullable=False)
    window_days: Mapped[int] = mapped_column(Integer, default=7, nullable=False)
    min_lift: Mapped[float | None] = mapped_column()
    status: Mapped[str] = mapped_column(String(12), default="running", nullable=False)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Exposure(Base, TenantMixin):
    """The first time a member saw the experiment; later exposures change nothing."""

    __tablename__ = "experiment_exposures"
    __table_args__ = (UniqueConstraint("experiment_id", "member_id"),
                      Index("ix_experiment_exposures_experiment", "experiment_id", "variant"))
    experiment_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("experiments.id", ondelete="CASCADE"), nullable=False)
    member_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("members.id", ondelete="CASCADE"), nullable=False)
    variant: Mapped[str] = mapped_column(String(40), nullable=False)
    exposed_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    exposures: Mapped[int] = mapped_column(BigInteger, default=1, nullable=False)
