"""Tables: envelopes, envelope_rains, envelope_shares.

An envelope's grabs are the entries of its hot pool (`hot_takes`, key `hongbao:<id>`):
one ledger for the counters and the grabs, so they can never disagree.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from siyu.db.base import Base, BigId, JSONType, TenantMixin, UTCDateTime

# normal: lucky or equal split; targeted (定向): only named members; tiered (分享解锁):
# coupon value unlocked by sharing; blind_box (盲盒): sharing earns one more open.
ENVELOPE_KINDS = ("normal", "targeted", "tiered", "blind_box")
# pending_review: the greeting waits for the legal review queue (not grabbable);
# active: grabbable in its window; rejected: never grabbable (refunded by the expiry job).
ENVELOPE_STATUSES = ("active", "pending_review", "rejected")


class EnvelopeRain(Base, TenantMixin):
    """红包雨: waves at set times, each wave a batch of envelopes."""

    __tablename__ = "envelope_rains"
    name: Mapped[str] = mapped_column(String(100), nullable=False)
    greeting: Mapped[str] = mapped_column(String(200), default="", nullable=False)
    rules: Mapped[dict] = mapped_column(JSONType, nullable=False)


class Envelope(Base, TenantMixin):
    __tablename__ = "envelopes"
    __table_args__ = (Index("ix_envelopes_expiry", "refunded_at", "expires_at"),)
    kind: Mapped[str] = mapped_column(String(12), nullable=False)
    mode: Mapped[str] = mapped_column(String(8), nullable=False)
    amount_fen: Mapped[int] = mapped_column(BigInteger, nullable=False)
    count: Mapped[int] = mapped_column(Integer, nullable=False)
    greeting: Mapped[str] = mapped_column(String(200), default="", nullable=False)
    sender: Mapped[str] = mapped_column(String(100), nullable=False)
    pool_key: Mapped[str | None] = mapped_column(String(100), unique=True)
    # The split is reproducible from the seed (published fairness).
    seed: Mapped[str | None] = mapped_column(String(40))
    targets: Mapped[list | None] = mapped_column(JSONType)
    tiers: Mapped[list | None] = mapped_column(JSONType)
    extra_opens: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    rain_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("envelope_rains.id", ondelete="CASCADE"), index=True
    )
    wave: Mapped[int | None] = mapped_column(Integer)
    rules: Mapped[dict] = mapped_column(JSONType, nullable=False)
    status: Mapped[str] = mapped_column(String(16), default="active", server_default="active",
                                        nullable=False)
    refunded_fen: Mapped[int | None] = mapped_column(BigInteger)
    refunded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class EnvelopeShare(Base, TenantMixin):
    """A member shared an envelope to another member (unlocks tiers, earns opens)."""

    __tablename__ = "envelope_shares"
    __table_args__ = (UniqueConstraint("envelope_id", "member_id", "to_member_id"),)
    envelope_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("envelopes.id", ondelete="CASCADE"), nullable=False
    )
    member_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("members.id", ondelete="CASCADE"), nullable=False
    )
    to_member_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("members.id", ondelete="CASCADE"), nullable=False
    )
