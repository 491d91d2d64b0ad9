"""The SQL hot backend: correct on SQLite and PostgreSQL without application locks.

A take, inside the caller's transaction:
1. a non-locking read of the pool's remaining units, the member's holding and a stored
   answer for the idempotency key (most losers of a race stop here: sold out);
2. the member's holding: `INSERT … ON CONFLICT (pool, member) DO UPDATE SET held =
   held + n WHERE held + n <= limit RETURNING held` — no row back means over the limit.
   From here on the member's row is locked, so one member's requests are serialised;
3. the pool: `UPDATE hot_pools SET remaining = remaining - n, taken = taken + n,
   seq = seq + 1 WHERE id = … AND remaining >= n RETURNING taken, seq` — no row back
   means empty (the holding is put back, in the same transaction);
4. the ledger row.
PostgreSQL re-checks `remaining >= n` on the newest row version after waiting for a
row lock (READ COMMITTED), and SQLite's BEGIN IMMEDIATE serialises writers, so the
pool never goes below zero and a member never exceeds the limit.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import bindparam, func, select, text, update
from sqlalchemy.orm import Session

from siyu.core.errors import InvalidInput
from siyu.db.base import UTCDateTime
from siyu.hot import ledger as lg
from siyu.hot.ledger import PoolInfo
from siyu.hot.models import HotHolding, HotPool, HotTake
from siyu.hot.types import (
    API_KEY_PREFIX,
    KeyReused,
    LimitReached,
    NotHeld,
    PoolEmpty,
    PoolState,
    Reconciliation,
    Taken,
)

_P = HotPool.__table__
_H = HotHolding.__table__

# The hot statements as SQL text, compiled once: SQLAlchemy does not cache INSERTs with
# ON CONFLICT clauses, and compiling them cost more than running them.
PRECHECK = text(
    "SELECT p.key, p.remaining, (SELECT h.held FROM hot_holdings h WHERE h.pool_id = p.id"
    " AND h.member_id = :m) FROM hot_pools p WHERE p.id = :p")
HOLD = text(
    "INSERT INTO hot_holdings (merchant_id, pool_id, member_id, held, created_at)"
    " VALUES (:merchant, :p, :m, :n, :now) ON CONFLICT (pool_id, member_id) DO UPDATE"
    " SET held = hot_holdings.held + excluded.held"
    " WHERE hot_holdings.held + excluded.held <= :limit RETURNING held",
).bindparams(bindparam("now", type_=UTCDateTime()))
DECREMENT = text(
    "UPDATE hot_pools SET remaining = remaining - :n, taken = taken + :n, seq = seq + 1"
    " WHERE id = :p AND remaining >= :n RETURNING taken, seq")
UNHOLD = text("UPDATE hot_holdings SET held = held - :n WHERE pool_id = :p AND member_id = :m")


def check_new_pool(units: int, per_member_limit: int, shares: Sequence[int] | None) -> None:
    if units < 0:
        raise InvalidInput("units: 不能为负数", field="units")
    if per_member_limit < 1:
        raise InvalidInput("per_member_limit: 至少为 1", field="per_member_limit")
    if shares is not None and (len(shares) != units or any(s < 0 for s in shares)):
        raise InvalidInput("shares: 份数须等于 units, 金额非负", field="shares")


def insert_pool(session: Session, key: str, backend: str, *, merchant_id: int, units: int,
                per_member_limit: int, shares: Sequence[int] | None, now: datetime) -> HotPool:
    check_new_pool(units, per_member_limit, shares)
    pool = HotPool(merchant_id=merchant_id, key=key, backend=backend,
                   token=secrets.token_hex(4), total=units, per_member_limit=per_member_limit,
                   shares=list(shares) if shares is not None else None, remaining=units,
                   taken=0, seq=0, created_at=now)
    session.add(pool)
    session.flush()
    return pool


class SqlBackend:
    name = "sql"

    def __init__(self, infos) -> None:
        # `infos(session, key, fresh=False, stale=None) -> PoolInfo`: the owner's cache of
        # pool facts. Only takes trust the cache (and check it); the rest read afresh.
        self._infos = infos

    # -- creation ---------------------------------------------------------------------

    def create_pool(self, session: Session, key: str, *, merchant_id: int, units: int,
                    per_member_limit: int, shares: Sequence[int] | None = None,
                    now: datetime) -> PoolState:
        insert_pool(session, key, self.name, merchant_id=merchant_id, units=units,
                    per_member_limit=per_member_limit, shares=shares, now=now)
        return self.state(session, key)

    # -- take -------------------------------------------------------------------------

    def _precheck(self, session: Session, key: str, member_id: int):
        """(info, remaining, held) from one non-locking read; reloads a stale cache.
        `held` is None when the member never took from the pool (no holdings row), 0
        when everything they took was given back."""
        info = self._infos(session, key)
        row = session.execute(PRECHECK, {"p": info.id, "m": member_id}).one_or_none()
        if row is None or row[0] != key:
            info = self._infos(session, key, stale=info)
            row = session.execute(PRECHECK, {"p": info.id, "m": member_id}).one()
        return info, row[1], row[2]

    def take(self, session: Session, key: str, member_id: int, n: int = 1, *,
             idem_key: str, now: datetime, limit: int | None = None,
             amount: int | None = None, ledger: str = "session") -> Taken:
        if n < 1:
            raise InvalidInput("qty: 至少为 1", field="qty")
        info, remaining, held = self._precheck(session, key, member_id)
        limit = info.limit if limit is None else limit
        if idem_key.startswith(API_KEY_PREFIX):  # a client's key: whoever used it first
            stored = lg.find_key(session, info, idem_key)
            if stored is not None:
                if (stored.member_id, stored.units) != (member_id, n):
                    raise KeyReused()
                return stored
        elif held is not None:  # took before (maybe given back since): a retry replays
            stored = lg.find(session, info, member_id, idem_key)
            if stored is not None:
                return stored
        held = held or 0
        if held + n > limit:
            raise LimitReached(f"已达每人上限 {limit}", held=held, field="member_id")
        if remaining < n:
            raise PoolEmpty("已被抢完", field="key")
        new_held = session.scalar(HOLD, {"merchant": info.merchant_id, "p": info.id,
                                         "m": member_id, "n": n, "now": now, "limit": limit})
        if new_held is None or new_held > n:
            # Another request of this member got in first: it may carry this very key.
            stored = lg.find(session, info, member_id, idem_key)
            if stored is not None:
                if new_held is not None:
                    self._unhold(session, info, member_id, n)
                return stored
            if new_held is None:
                raise LimitReached(f"已达每人上限 {limit}", held=limit, field="member_id")
        row = session.execute(DECREMENT, {"p": info.id, "n": n}).one_or_none()
        if row is None:
            self._unhold(session, info, member_id, n)
            raise PoolEmpty("已被抢完", field="key")
        taken_after, seq = row
        if info.shares is not None:
            shares = info.shares[taken_after - n : taken_after]
            amount = sum(shares)
        else:
            shares = ()
        entry = Taken(key=key, seq=seq, kind="take", member_id=member_id, units=n,
                      amount=amount or 0, idem_key=idem_key, at=now, shares=tuple(shares))
        lg.write(session, info, [entry])
        return entry

    def _unhold(self, session: Session, info: PoolInfo, member_id: int, n: int) -> None:
        session.execute(UNHOLD, {"p": info.id, "m": member_id, "n": n})

    # -- give back, close ---------------------------------------------------------------

    def give_back(self, session: Session, key: str, member_id: int, n: int = 1, *,
                  idem_key: str, now: datetime, amount: int = 0) -> Taken:
        info = self._infos(session, key, fresh=True)
        if info.shares is not None:
            raise InvalidInput("key: 预拆分的红包份额不能退回, 请关闭 (close) 红包池", field="key")
        new_held = session.scalar(
            update(_H).where(_H.c.pool_id == info.id, _H.c.member_id == member_id,
                             _H.c.held >= n)
            .values(held=_H.c.held - n).returning(_H.c.held))
        stored = lg.find(session, info, member_id, idem_key)
        if stored is not None:
            if new_held is not None:
                self._unhold(session, info, member_id, -n)
            return stored
        if new_held is None:
            raise NotHeld(f"会员 {member_id} 未持有 {n} 份", field="member_id")
        seq = session.scalar(update(_P).where(_P.c.id == info.id)
                             .values(remaining=_P.c.remaining + n, seq=_P.c.seq + 1)
                             .returning(_P.c.seq))
        entry = Taken(key=key, seq=seq, kind="give_back", member_id=member_id, units=n,
                      amount=amount, idem_key=idem_key, at=now)
        lg.write(session, info, [entry])
        return entry

    def close(self, session: Session, key: str, *, idem_key: str, now: datetime) -> Taken:
        info = self._infos(session, key, fresh=True)
        # Right-hand sides read the old row: closed_units is what was left.
        row = session.execute(
            update(_P).where(_P.c.id == info.id, _P.c.closed_at.is_(None))
            .values(closed_units=_P.c.remaining, taken=_P.c.taken + _P.c.remaining,
                    remaining=0, seq=_P.c.seq + 1, closed_at=now)
            .returning(_P.c.closed_units, _P.c.taken, _P.c.seq)).one_or_none()
        if row is None:
            stored = session.scalars(select(HotTake).where(
                HotTake.pool_id == info.id, HotTake.kind == "close")).first()
            return lg.from_row(key, stored, replayed=True)
        units, taken_after, seq = row
        shares = info.shares[taken_after - units : taken_after] if info.shares else ()
        entry = Taken(key=key, seq=seq, kind="close", member_id=0, units=units,
                      amount=sum(shares), idem_key=idem_key, at=now, shares=tuple(shares))
        lg.write(session, info, [entry])
        return entry

    # -- reading ------------------------------------------------------------------------

    def find(self, session: Session, key: str, member_id: int, idem_key: str) -> Taken | None:
        return lg.find(session, self._infos(session, key, fresh=True), member_id, idem_key)

    def state(self, session: Session, key: str) -> PoolState:
        info = self._infos(session, key, fresh=True)
        pool = session.execute(select(_P.c.remaining, _P.c.taken, _P.c.seq, _P.c.closed_at,
                                      _P.c.closed_units).where(_P.c.id == info.id)).one()
        held, takers = session.execute(
            select(func.coalesce(func.sum(_H.c.held), 0), func.count())
            .where(_H.c.pool_id == info.id, _H.c.held > 0)).one()
        return make_state(info, self.name, remaining=pool.remaining, taken=pool.taken,
                          seq=pool.seq, closed=pool.closed_at is not None, held=held,
                          takers=takers)

    def holders(self, session: Session, key: str) -> dict[int, int]:
        info = self._infos(session, key, fresh=True)
        rows = session.execute(select(_H.c.member_id, _H.c.held)
                               .where(_H.c.pool_id == info.id, _H.c.held > 0))
        return {m: h for m, h in rows}

    def log(self, session: Session, key: str) -> list[Taken]:
        return lg.entries_of(session, self._infos(session, key, fresh=True))

    def reconcile(self, session: Session, key: str, *, now: datetime) -> Reconciliation:
        """On SQL the counters and the ledger change in one transaction: prove it."""
        info = self._infos(session, key, fresh=True)
        entries = lg.entries_of(session, info)
        result = Reconciliation(key=key, backend=self.name, entries=len(entries))
        state = self.state(session, key)
        result.problems = compare(info, entries, remaining=state.remaining,
                                  holders=self.holders(session, key), seq=state.seq)
        session.execute(update(_P).where(_P.c.id == info.id).values(reconciled_at=now))
        return result


def make_state(info: PoolInfo, backend: str, *, remaining: int, taken: int, seq: int,
               closed: bool, held: int, takers: int) -> PoolState:
    total_amount = sum(info.shares) if info.shares is not None else 0
    remaining_amount = sum(info.shares[taken:]) if info.shares is not None else 0
    return PoolState(key=info.key, backend=backend, total=info.total, remaining=remaining,
                     per_member_limit=info.limit, taken_units=held, takers=takers,
                     total_amount=total_amount, remaining_amount=remaining_amount,
                     closed=closed, seq=seq)


def compare(info: PoolInfo, entries: Sequence[Taken], *, remaining: int,
            holders: dict[int, int], seq: int) -> list[str]:
    """Differences between live counters and what the ledger says they must be."""
    problems = []
    seqs = [e.seq for e in entries]
    if seqs != list(range(1, seq + 1)):
        missing = sorted(set(range(1, seq + 1)) - set(seqs))
        problems.append(f"ledger seqs: {len(seqs)} entries, counter at {seq}, "
                        f"missing {missing[:10]}")
    left = info.total
    held: dict[int, int] = {}
    for e in entries:
        if e.kind == "take":
            left -= e.units
            held[e.member_id] = held.get(e.member_id, 0) + e.units
        elif e.kind == "give_back":
            left += e.units
            held[e.member_id] = held.get(e.member_id, 0) - e.units
        else:
            left -= e.units
    if left != remaining:
        problems.append(f"remaining: counter {remaining}, ledger {left}")
    held = {m: h for m, h in held.items() if h}
    if held != holders:
        diff = {m for m in set(held) | set(holders) if held.get(m) != holders.get(m)}
        problems.append(f"holdings differ for {len(diff)} members, e.g. {sorted(diff)[:5]}")
    if info.shares is not None:
        taken = [s for e in entries if e.kind in ("take", "close") for s in e.shares]
        if taken != list(info.shares[: len(taken)]):
            problems.append("shares: ledger shares differ from the pool's split")
        if sum(e.amount for e in entries) + sum(info.shares[len(taken):]) != sum(info.shares):
            problems.append("amount: ledger and remaining shares do not add up to the total")
    return problems
