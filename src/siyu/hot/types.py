"""The hot backend's interface: values, errors and the `HotBackend` protocol.

A *pool* is a number of units that members take, atomically, under concurrency:
envelope shares, flash-sale stock, coupon stock, a promotion budget in fen. A pool has
a per-member limit and, optionally, pre-split share amounts (an envelope's shares are
handed out in order). Every write takes an idempotency key: the same (member, key)
again returns the first answer (`Taken.replayed`) instead of taking twice.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal, Protocol

from sqlalchemy.orm import Session

from siyu.core.errors import Conflict, Gone, InvalidInput, NotFound, SiyuError

Ledger = Literal["session", "background"]


@dataclass(frozen=True)
class Taken:
    """One ledger entry: a take, a give-back or a close of a pool."""

    key: str
    seq: int  # position in the pool's log, from 1
    kind: str  # "take" | "give_back" | "close"
    member_id: int  # 0 for a close
    units: int
    amount: int  # fen: sum of the shares taken (share pools) or the amount given
    idem_key: str
    at: datetime
    shares: tuple[int, ...] = ()
    replayed: bool = False  # True: the stored answer of an earlier call with this key


@dataclass(frozen=True)
class PoolState:
    key: str
    backend: str
    total: int
    remaining: int
    per_member_limit: int
    taken_units: int  # units held by members now (takes - give-backs)
    takers: int  # members holding at least one unit
    total_amount: int  # share pools: the sum of all shares; else 0
    remaining_amount: int  # share pools: the sum of the shares not yet taken
    closed: bool
    seq: int


@dataclass
class Reconciliation:
    """What the reconciler found for one pool, after repairing what it could."""

    key: str
    backend: str
    entries: int  # ledger entries after repair
    repaired: list[int] = field(default_factory=list)  # seqs written from the Redis log
    restored: bool = False  # Redis state rebuilt from the ledger
    problems: list[str] = field(default_factory=list)

    @property
    def agree(self) -> bool:
        return not self.problems


class HotError(SiyuError):
    pass


class PoolNotFound(HotError, NotFound):
    code = "pool_not_found"


class PoolEmpty(HotError, Gone):
    code = "pool_empty"


class LimitReached(HotError, Conflict):
    code = "limit_reached"

    def __init__(self, message: str, *, held: int = 0, **kw) -> None:
        super().__init__(message, **kw)
        self.held = held


class NotHeld(HotError, Conflict):
    code = "not_held"


# A client's Idempotency-Key (contract 9) reaches the hot backend with this prefix: a
# retry with the key returns the first answer; the same key for another member or
# another quantity in the same pool is refused (KeyReused). Internal keys (release:,
# expire, seed...) are scoped per member as before.
API_KEY_PREFIX = "api:"


class KeyReused(HotError, InvalidInput):
    code = "idempotency_mismatch"

    def __init__(self) -> None:
        super().__init__("Idempotency-Key: 该键已用于另一会员或另一数量的请求, 请换一个新键",
                         field="Idempotency-Key")


class HotUnavailable(HotError):
    code = "hot_unavailable"
    status = 503


class HotBackend(Protocol):
    """What every hot domain uses; `siyu.hot.backend_for(runtime)` returns one.

    Every method takes the caller's session: on the SQL backend all writes happen in
    it (the caller commits); on the Redis backend the counters move in Redis at once
    and the ledger row is written in the session (`ledger="session"`, committed with
    the caller's other rows) or by a background writer (`ledger="background"`).
    A crash in between is repaired by `reconcile`.
    """

    name: str

    def create_pool(self, session: Session, key: str, *, merchant_id: int, units: int,
                    per_member_limit: int, shares: Sequence[int] | None = None,
                    now: datetime) -> PoolState: ...

    def take(self, session: Session, key: str, member_id: int, n: int = 1, *,
             idem_key: str, now: datetime, limit: int | None = None,
             amount: int | None = None, ledger: Ledger = "session") -> Taken:
        """Take n units for a member, or raise PoolEmpty / LimitReached.

        `limit` raises the pool's per-member limit for this call (earned extra takes);
        `amount` is recorded for unit pools (share pools record the shares)."""
        ...

    def give_back(self, session: Session, key: str, member_id: int, n: int = 1, *,
                  idem_key: str, now: datetime, amount: int = 0) -> Taken:
        """Return n units a member holds (release, refund); unit pools only."""
        ...

    def close(self, session: Session, key: str, *, idem_key: str, now: datetime) -> Taken:
        """Take everything left out of the pool (expiry, end of sale), once."""
        ...

    def find(self, session: Session, key: str, member_id: int, idem_key: str) -> Taken | None:
        ...

    def state(self, session: Session, key: str) -> PoolState: ...

    def holders(self, session: Session, key: str) -> dict[int, int]: ...

    def log(self, session: Session, key: str) -> list[Taken]:
        """Every entry of the pool in sequence order: on SQL the ledger; on Redis the
        pool's live log (the durable ledger may trail it by milliseconds)."""
        ...

    def reconcile(self, session: Session, key: str, *, now: datetime) -> Reconciliation: ...
