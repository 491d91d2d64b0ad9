"""The durable ledger (`hot_takes`): pool lookup, idempotent writes, listeners, and the
background writer that the Redis backend uses for `ledger="background"`.

Writes are `INSERT … ON CONFLICT DO NOTHING`: the same entry written
twice (a retry, the background writer and the reconciler racing) is stored once.
Listeners registered by key prefix see the entries in the same transaction (hongbao
turns grabs into events this way); they must be idempotent (events carry fixed keys).
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC

from sqlalchemy import bindparam, select, text
from sqlalchemy.orm import Session, sessionmaker

from siyu.db.base import JSONType, UTCDateTime
from siyu.db.bulk import copy_rows
from siyu.hot.models import HotPool, HotTake
from siyu.hot.types import PoolNotFound, Taken

log = logging.getLogger("siyu.hot")

Listener = Callable[[Session, int, Sequence[Taken]], None]
_listeners: dict[str, Listener] = {}


def on_ledger(prefix: str, listener: Listener) -> None:
    """Call `listener(session, merchant_id, entries)` for new entries of pools whose key
    starts with `prefix` (e.g. "hongbao:")."""
    _listeners[prefix] = listener


@dataclass(frozen=True)
class PoolInfo:
    """The immutable facts of a pool, cached per backend instance."""

    id: int
    merchant_id: int
    key: str
    backend: str
    token: str
    total: int
    limit: int
    shares: tuple[int, ...] | None


def load_info(session: Session, key: str) -> PoolInfo:
    row = session.execute(
        select(HotPool.id, HotPool.merchant_id, HotPool.key, HotPool.backend, HotPool.token,
               HotPool.total, HotPool.per_member_limit, HotPool.shares)
        .where(HotPool.key == key)).one_or_none()
    if row is None:
        raise PoolNotFound(f"库存池 {key} 不存在", field="key")
    return PoolInfo(row.id, row.merchant_id, row.key, row.backend, row.token, row.total,
                    row.per_member_limit, tuple(row.shares) if row.shares is not None else None)


def to_row(info: PoolInfo, t: Taken) -> dict:
    return {"merchant_id": info.merchant_id, "pool_id": info.id, "seq": t.seq, "kind": t.kind,
            "member_id": t.member_id, "units": t.units, "amount": t.amount,
            "shares": list(t.shares) if t.shares else None, "idem_key": t.idem_key,
            "at": t.at, "created_at": t.at}


def from_row(key: str, row, *, replayed: bool = False) -> Taken:
    return Taken(key=key, seq=row.seq, kind=row.kind, member_id=row.member_id, units=row.units,
                 amount=row.amount, idem_key=row.idem_key, at=row.at,
                 shares=tuple(row.shares or ()), replayed=replayed)


INSERT = text(
    "INSERT INTO hot_takes (merchant_id, pool_id, seq, kind, member_id, units, amount, shares,"
    " idem_key, at, created_at) VALUES (:merchant_id, :pool_id, :seq, :kind, :member_id,"
    " :units, :amount, :shares, :idem_key, :at, :created_at)"
    " ON CONFLICT DO NOTHING",
).bindparams(bindparam("shares", type_=JSONType), bindparam("at", type_=UTCDateTime()),
             bindparam("created_at", type_=UTCDateTime()))


_COLUMNS = ("merchant_id, pool_id, seq, kind, member_id, units, amount, shares, idem_key, at,"
            " created_at")


def _insert_many(session: Session, info: PoolInfo, entries: Sequence[Taken]) -> None:
    """A batch as one DBAPI executemany, values prepared as the column types would
    prepare them (naive UTC times, JSON text): SQLAlchemy's per-row parameter processing
    cost more than the insert (events.bulk measured the same). One statement text, so
    psycopg parses it once (a multi-row VALUES is parsed anew for every batch)."""
    conn = session.connection()
    pg = conn.dialect.name == "postgresql"
    ph = "%s" if pg else "?"
    marks = ", ".join([ph] * 7 + [ph + "::jsonb" if pg else ph] + [ph] * 3)
    sql = f"INSERT INTO hot_takes ({_COLUMNS}) VALUES ({marks}) ON CONFLICT DO NOTHING"
    params = []
    for t in entries:
        at = t.at.astimezone(UTC).replace(tzinfo=None)
        if not pg:
            at = at.isoformat(" ", "microseconds")
        params.append((info.merchant_id, info.id, t.seq, t.kind, t.member_id, t.units, t.amount,
                       json.dumps(list(t.shares)) if t.shares else "null", t.idem_key, at, at))
    if pg and copy_rows(conn, "hot_takes", _COLUMNS, params, if_new=True):
        return
    cursor = conn.connection.dbapi_connection.cursor()
    try:
        cursor.executemany(sql, params)
    finally:
        cursor.close()


def write(session: Session, info: PoolInfo, entries: Sequence[Taken]) -> None:
    """Store entries (those stored already are skipped) and tell the listeners, who must
    be idempotent too: an entry written twice reaches them twice."""
    if not entries:
        return
    if len(entries) == 1:
        session.execute(INSERT, to_row(info, entries[0]))
    else:
        session.flush()
        _insert_many(session, info, entries)
    notify(session, info, entries)


def notify(session: Session, info: PoolInfo, entries: Sequence[Taken]) -> None:
    if not entries:
        return
    for prefix, listener in _listeners.items():
        if info.key.startswith(prefix):
            listener(session, info.merchant_id, entries)


def entries_of(session: Session, info: PoolInfo) -> list[Taken]:
    rows = session.execute(select(HotTake).where(HotTake.pool_id == info.id)
                           .order_by(HotTake.seq)).scalars()
    return [from_row(info.key, r) for r in rows]


def find(session: Session, info: PoolInfo, member_id: int, idem_key: str) -> Taken | None:
    row = session.scalars(select(HotTake).where(
        HotTake.pool_id == info.id, HotTake.member_id == member_id,
        HotTake.idem_key == idem_key)).one_or_none()
    return None if row is None else from_row(info.key, row, replayed=True)


def find_key(session: Session, info: PoolInfo, idem_key: str) -> Taken | None:
    """The take made with a client's key in this pool, whichever member made it."""
    row = session.scalars(select(HotTake).where(
        HotTake.pool_id == info.id, HotTake.idem_key == idem_key,
        HotTake.kind == "take").limit(1)).one_or_none()
    return None if row is None else from_row(info.key, row, replayed=True)


class LedgerWriter:
    """Writes Redis takes to the database in batches, a few milliseconds behind.

    A crash loses at most what is queued; the entries are still in each pool's Redis
    log, and the reconciler writes them. `put` is on every grab, so it takes no lock:
    a deque append, and a wake-up only when the writer sleeps."""

    def __init__(self, sessions: sessionmaker[Session], *, batch: int = 500,
                 linger: float = 0.02) -> None:
        self.sessions, self.batch, self.linger = sessions, batch, linger
        self._items: deque[tuple[PoolInfo, Taken]] = deque()
        self._wake = threading.Event()
        self._busy = False
        self._stop = False
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self.failures = 0

    def put(self, info: PoolInfo, entry: Taken) -> None:
        self._items.append((info, entry))
        if self._thread is None:
            self._start()
        if not self._busy:
            self._wake.set()

    def _start(self) -> None:
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="siyu-hot-ledger",
                                                daemon=True)
                self._thread.start()

    def flush(self, timeout: float = 30.0) -> bool:
        """Wait until every queued entry is written (or failed); True when idle."""
        deadline = time.monotonic() + timeout
        while self._items or self._busy:
            if time.monotonic() > deadline:
                return False
            self._wake.set()
            time.sleep(0.001)
        return True

    def close(self) -> None:
        self.flush()
        self._stop = True
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def _run(self) -> None:
        while not self._stop:
            self._wake.wait(1.0)
            self._wake.clear()
            self._busy = True
            if self._items:
                # Linger while a batch gathers: one transaction per batch, not per take.
                time.sleep(self.linger)
            while self._items:
                items = []
                while self._items and len(items) < self.batch:
                    items.append(self._items.popleft())
                self._write(items)
            self._busy = False
            if self._items:  # appended after the last look, while still busy
                self._wake.set()

    def _write(self, items: list[tuple[PoolInfo, Taken]]) -> None:
        by_pool: dict[int, tuple[PoolInfo, list[Taken]]] = {}
        for info, entry in items:
            by_pool.setdefault(info.id, (info, []))[1].append(entry)
        try:
            with self.sessions.begin() as session:
                for info, entries in by_pool.values():
                    write(session, info, entries)
        except Exception:  # noqa: BLE001 - the Redis log keeps them; the reconciler repairs
            self.failures += 1
            log.exception("hot ledger: %d entries not written; the reconciler will", len(items))
