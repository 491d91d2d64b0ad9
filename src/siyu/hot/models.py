"""Tables of the hot backend: pools, per-member holdings, and the take ledger.

One generic table set serves every hot domain (envelopes, flash sales, coupons, and
later promotion budgets): a domain owns a pool by its key (`hongbao:12`).

- `hot_pools`: one row per pool. On the SQL backend `remaining`/`taken`/`seq` are the
  live counters, changed only by one conditional UPDATE; on the Redis backend they are
  a snapshot written by the reconciler (Redis holds the live counters).
- `hot_holdings`: units a member holds in a pool (SQL backend only); the per-member
  limit is a condition on its upsert, unique (pool, member).
- `hot_takes`: the durable ledger, append-only: every take, give-back and close with
  its sequence number in the pool, idempotency key, units and amount (fen).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from siyu.db.base import Base, BigId, JSONType, TenantMixin, UTCDateTime

ENTRY_KINDS = ("take", "give_back", "close")


class HotPool(Base, TenantMixin):
    __tablename__ = "hot_pools"
    key: Mapped[str] = mapped_column(String(100), unique=True, nullable=False)
    # "sql" or "redis": where the live counters of this pool are.
    backend: Mapped[str] = mapped_column(String(10), nullable=False)
    # Random per pool, part of the Redis keys: a new database never meets old keys.
    token: Mapped[str] = mapped_column(String(16), nullable=False)
    total: Mapped[int] = mapped_column(Integer, nullable=False)
    per_member_limit: Mapped[int] = mapped_column(Integer, nullable=False)
    # Pre-split share amounts in fen, in take order (envelopes); null for unit pools.
    shares: Mapped[list | None] = mapped_column(JSONType)
    remaining: Mapped[int] = mapped_column(Integer, nullable=False)
    taken: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    seq: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    closed_units: Mapped[int | None] = mapped_column(Integer)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reconciled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class HotHolding(Base, TenantMixin):
    __tablename__ = "hot_holdings"
    __table_args__ = (UniqueConstraint("pool_id", "member_id"),)
    pool_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("hot_pools.id", ondelete="CASCADE"), nullable=False
    )
    member_id: Mapped[int] = mapped_column(BigId, nullable=False)
    held: Mapped[int] = mapped_column(Integer, nullable=False)


class HotTake(Base, TenantMixin):
    __tablename__ = "hot_takes"
    __table_args__ = (
        UniqueConstraint("pool_id", "seq"),
        UniqueConstraint("pool_id", "member_id", "idem_key"),
        # a client's Idempotency-Key is looked up whoever used it (sql.SqlBackend.take)
        Index("ix_hot_takes_pool_id_idem_key", "pool_id", "idem_key"),
    )
    pool_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("hot_pools.id", ondelete="CASCADE"), nullable=False
    )
    seq: Mapped[int] = mapped_column(Integer, nullable=False)
    kind: Mapped[str] = mapped_column(String(10), nullable=False)
    # 0 for a close (the pool itself).
    member_id: Mapped[int] = mapped_column(BigId, nullable=False)
    units: Mapped[int] = mapped_column(Integer, nullable=False)
    amount: Mapped[int] = mapped_column(BigInteger, default=0, nullable=False)
    shares: Mapped[list | None] = mapped_column(JSONType)
    idem_key: Mapped[str] = mapped_column(String(120), nullable=False)
    at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
