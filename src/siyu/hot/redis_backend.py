"""The Redis hot backend: one Lua script per operation, the database as durable ledger.

A take is one EVALSHA (check the idempotency key, the member's limit and the units
left, decrement, record the member, append to the pool's log), then the ledger row:
written in the caller's session (`ledger="session"`) or handed to the background
writer (`ledger="background"`, a few milliseconds behind). Whatever dies in between,
the Redis log still holds the entry and `reconcile` writes it; a retry with the same
idempotency key gets the stored answer and writes the ledger row too.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import redis
from sqlalchemy import update
from sqlalchemy.orm import Session

from siyu.core.errors import InvalidInput
from siyu.hot import ledger as lg
from siyu.hot import lua
from siyu.hot.combine import Combiner
from siyu.hot.ledger import LedgerWriter, PoolInfo
from siyu.hot.members import MemberSets
from siyu.hot.models import HotPool
from siyu.hot.sql import compare, insert_pool, make_state
from siyu.hot.types import (
    HotUnavailable,
    KeyReused,
    LimitReached,
    NotHeld,
    PoolEmpty,
    PoolState,
    Reconciliation,
    Taken,
)

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def micros(at: datetime) -> str:
    """A time as whole microseconds since the epoch, exact (records carry it as text)."""
    return str((at - EPOCH) // timedelta(microseconds=1))


def parse_record(key: str, raw: str | bytes, *, replayed: bool = False) -> Taken:
    seq, kind, member, units, amount, idem, at, shares = json.loads(raw)
    return Taken(key=key, seq=int(seq), kind=kind, member_id=int(member), units=int(units),
                 amount=int(amount), idem_key=idem,
                 at=EPOCH + timedelta(microseconds=int(at)),
                 shares=tuple(int(s) for s in shares) if isinstance(shares, list) else (),
                 replayed=replayed)


def record_of(t: Taken) -> str:
    return json.dumps([t.seq, t.kind, t.member_id, t.units, t.amount, t.idem_key,
                       micros(t.at), list(t.shares)], separators=(",", ":"))


class RedisBackend:
    name = "redis"

    def __init__(self, client: redis.Redis, infos, writer: LedgerWriter, *,
                 prefix: str = "siyu:hot:", engine_url: str = "") -> None:
        self.client, self._infos, self.writer, self.prefix = client, infos, writer, prefix
        self.members = MemberSets(client, prefix, engine_url)
        self._take = client.register_script(lua.TAKE)
        self._takes = Combiner(client, lua.TAKE_MANY)
        self._give_back = client.register_script(lua.GIVE_BACK)
        self._close = client.register_script(lua.CLOSE)
        self._create = client.register_script(lua.CREATE)
        self._restore = client.register_script(lua.RESTORE)

    def base(self, info: PoolInfo) -> str:
        return f"{self.prefix}{{{info.key}#{info.token}}}"

    def keys(self, info: PoolInfo) -> list[str]:
        """meta, held, idem, log, shares (the scripts derive them from `base`)."""
        base = self.base(info)
        return [base + ":meta", base + ":held", base + ":idem", base + ":log", base + ":shares"]

    def _call(self, script, session: Session, key: str, args: list) -> tuple[PoolInfo, list]:
        """Run a script; when the pool is missing in Redis (stale cache, lost data),
        reload the pool's facts, rebuild it from the ledger, and run it once more."""
        info = self._infos(session, key)
        for attempt in range(2):
            try:
                out = script(keys=[self.base(info)], args=args)
            except redis.RedisError as e:
                raise HotUnavailable(f"Redis 不可用: {e}", field="redis") from e
            status = out[0].decode() if isinstance(out[0], bytes) else out[0]
            if status != "missing":
                return info, [status, *out[1:]]
            if attempt == 0:
                info = self._infos(session, key, stale=info)
                self.restore(session, info)
        raise HotUnavailable(f"pool {key} 在 Redis 中不存在且无法重建", field="key")

    def _fast(self, script, session: Session, key: str, member_id: int, n: int, limit,
              amount, now: datetime, idem_key: str, members_key: str | None = None,
              ) -> tuple[PoolInfo, bytes, bytes]:
        """TAKE / GIVE_BACK: one EVALSHA with one packed argument (see siyu.hot.lua);
        TAKE also checks the member against `members_key` when given, and goes through
        the combiner (siyu.hot.combine): concurrent takes share one round trip."""
        packed = f"{member_id}|{n}|{limit}|{amount}|{micros(now)}|{idem_key}"
        info = self._infos(session, key)
        for attempt in range(2):
            try:
                if script is self._take:  # takes of concurrent callers share a round trip
                    out = self._takes.call(self.base(info), members_key, packed)
                else:
                    try:
                        out = self.client.execute_command("EVALSHA", script.sha, 1,
                                                          self.base(info), packed)
                    except redis.exceptions.NoScriptError:
                        script.sha = self.client.script_load(script.script)
                        out = self.client.execute_command("EVALSHA", script.sha, 1,
                                                          self.base(info), packed)
            except redis.RedisError as e:
                raise HotUnavailable(f"Redis 不可用: {e}", field="redis") from e
            if out != b"m":
                return info, out[:1], out[1:]
            if attempt == 0:
                info = self._infos(session, key, stale=info)
                self.restore(session, info)
        raise HotUnavailable(f"pool {key} 在 Redis 中不存在且无法重建", field="key")

    # -- creation ---------------------------------------------------------------------

    def create_pool(self, session: Session, key: str, *, merchant_id: int, units: int,
                    per_member_limit: int, shares: Sequence[int] | None = None,
                    now: datetime) -> PoolState:
        pool = insert_pool(session, key, self.name, merchant_id=merchant_id, units=units,
                           per_member_limit=per_member_limit, shares=shares, now=now)
        info = PoolInfo(pool.id, merchant_id, key, self.name, pool.token, units,
                        per_member_limit, tuple(shares) if shares is not None else None)
        args = [units, per_member_limit, "1" if shares is not None else "0", *(shares or ())]
        try:
            self._create(keys=[self.base(info)], args=args)
        except redis.RedisError as e:
            raise HotUnavailable(f"Redis 不可用: {e}", field="redis") from e
        return make_state(info, self.name, remaining=units, taken=0, seq=0, closed=False,
                          held=0, takers=0)

    # -- writes -----------------------------------------------------------------------

    def _record(self, session: Session, info: PoolInfo, entry: Taken, ledger: str) -> None:
        if ledger == "background":
            self.writer.put(info, entry)
        else:
            lg.write(session, info, [entry])

    def take(self, session: Session, key: str, member_id: int, n: int = 1, *,
             idem_key: str, now: datetime, limit: int | None = None,
             amount: int | None = None, ledger: str = "session",
             member_of: int | None = None) -> Taken:
        if n < 1:
            raise InvalidInput("qty: 至少为 1", field="qty")
        limit = "" if limit is None else limit
        amount = "" if amount is None else amount
        members_key = None if member_of is None else self.members.key(member_of)
        info, status, rest = self._fast(self._take, session, key, member_id, n, limit,
                                        amount, now, idem_key, members_key)
        if status == b"L" or status == b"u":
            # The set is not loaded (load it and ask again), or does not hold the member
            # (the database decides; raises for a member who is not active).
            if status == b"L" and self.members.load(session, member_of):
                info, status, rest = self._fast(self._take, session, key, member_id, n,
                                                limit, amount, now, idem_key, members_key)
            if status == b"L" or status == b"u":
                self.members.verify(session, member_of, member_id)
                info, status, rest = self._fast(self._take, session, key, member_id, n,
                                                limit, amount, now, idem_key)
        if status == b"x":
            raise KeyReused()
        if status == b"l":
            raise LimitReached("已达每人上限", held=int(rest), field="member_id")
        if status == b"e":
            raise PoolEmpty("已被抢完", field="key")
        if status == b"t":
            seq, total, shares = rest.split(b"|")
            # The script stored `now` in whole microseconds: the same instant.
            entry = Taken(key, int(seq), "take", member_id, n, int(total), idem_key,
                          now.astimezone(UTC),
                          tuple(map(int, shares.split(b","))) if shares else ())
        else:
            entry = parse_record(key, rest, replayed=status == b"r")
        self._record(session, info, entry, ledger)
        return entry

    def give_back(self, session: Session, key: str, member_id: int, n: int = 1, *,
                  idem_key: str, now: datetime, amount: int = 0) -> Taken:
        info, status, rest = self._fast(self._give_back, session, key, member_id, n, "",
                                        amount, now, idem_key)
        if status == b"s":
            raise InvalidInput("key: 预拆分的红包份额不能退回, 请关闭 (close) 红包池", field="key")
        if status == b"n":
            raise NotHeld(f"会员 {member_id} 未持有 {n} 份", field="member_id")
        entry = parse_record(key, rest, replayed=status == b"r")
        self._record(session, info, entry, "session")
        return entry

    def close(self, session: Session, key: str, *, idem_key: str, now: datetime) -> Taken:
        self._infos(session, key, fresh=True)
        info, out = self._call(self._close, session, key,
                               [idem_key, micros(now)])
        entry = parse_record(key, out[1], replayed=out[0] == "replay")
        self._record(session, info, entry, "session")
        session.execute(update(HotPool).where(HotPool.id == info.id, HotPool.closed_at.is_(None))
                        .values(closed_at=entry.at, closed_units=entry.units))
        return entry

    # -- reading ------------------------------------------------------------------------

    def find(self, session: Session, key: str, member_id: int, idem_key: str) -> Taken | None:
        info = self._infos(session, key, fresh=True)
        raw = self.client.hget(self.keys(info)[2], f"{member_id}:{idem_key}")
        if raw is not None:
            return parse_record(key, raw, replayed=True)
        return lg.find(session, info, member_id, idem_key)

    def _meta(self, info: PoolInfo) -> dict[str, str]:
        try:
            raw = self.client.hgetall(self.keys(info)[0])
        except redis.RedisError as e:
            raise HotUnavailable(f"Redis 不可用: {e}", field="redis") from e
        return {k.decode(): v.decode() for k, v in raw.items()}

    def state(self, session: Session, key: str) -> PoolState:
        info = self._infos(session, key, fresh=True)
        meta = self._meta(info)
        if not meta:
            self.restore(session, info)
            meta = self._meta(info)
        held = self.holders(session, key)
        return make_state(info, self.name, remaining=int(meta["remaining"]),
                          taken=int(meta["taken"]), seq=int(meta["seq"]),
                          closed="close" in meta, held=sum(held.values()), takers=len(held))

    def holders(self, session: Session, key: str) -> dict[int, int]:
        raw = self.client.hgetall(self.keys(self._infos(session, key, fresh=True))[1])
        return {int(m): int(h) for m, h in raw.items() if int(h)}

    def log(self, session: Session, key: str) -> list[Taken]:
        """The pool's live log in Redis (the durable ledger may trail it by milliseconds)."""
        return self.redis_log(session, key) or self.ledger_log(session, key)

    def ledger_log(self, session: Session, key: str) -> list[Taken]:
        return lg.entries_of(session, self._infos(session, key, fresh=True))

    def redis_log(self, session: Session, key: str) -> list[Taken]:
        info = self._infos(session, key, fresh=True)
        return [parse_record(key, r) for r in self.client.lrange(self.keys(info)[3], 0, -1)]

    # -- repair -------------------------------------------------------------------------

    def restore(self, session: Session, info: PoolInfo) -> bool:
        """Rebuild a pool Redis lost from the ledger; False when Redis still had it."""
        entries = lg.entries_of(session, info)
        held: dict[int, int] = {}
        remaining, taken = info.total, 0
        for e in entries:
            sign = -1 if e.kind == "give_back" else 1
            remaining -= sign * e.units
            if e.kind != "give_back":
                taken += e.units
            if e.kind != "close":
                held[e.member_id] = held.get(e.member_id, 0) + sign * e.units
        doc = {"log": [record_of(e) for e in entries], "total": info.total,
               "held": {str(m): h for m, h in held.items() if h},
               "remaining": remaining, "taken": taken,
               "seq": max((e.seq for e in entries), default=0), "limit": info.limit,
               "has_shares": "1" if info.shares is not None else "0",
               "shares": list(info.shares[taken:]) if info.shares is not None else []}
        return bool(self._restore(keys=[self.base(info)], args=[json.dumps(doc)]))

    def reconcile(self, session: Session, key: str, *, now: datetime) -> Reconciliation:
        """Prove Redis and the ledger agree; write ledger rows missing after a crash."""
        info = self._infos(session, key, fresh=True)
        result = Reconciliation(key=key, backend=self.name, entries=0)
        if not self._meta(info):
            result.restored = self.restore(session, info)
        records = self.redis_log(session, key)
        stored = {e.seq: e for e in lg.entries_of(session, info)}
        missing = [r for r in records if r.seq not in stored]
        lg.write(session, info, missing)
        result.repaired = [r.seq for r in missing]
        entries = lg.entries_of(session, info)
        result.entries = len(entries)
        by_seq = {r.seq: r for r in records}
        for e in entries:
            r = by_seq.get(e.seq)
            if r is None or (r.kind, r.member_id, r.units, r.amount) != (
                    e.kind, e.member_id, e.units, e.amount):
                result.problems.append(f"seq {e.seq}: ledger and Redis log differ")
        meta = self._meta(info)
        result.problems += compare(info, entries, remaining=int(meta["remaining"]),
                                   holders=self.holders(session, key), seq=int(meta["seq"]))
        close = next((e for e in entries if e.kind == "close"), None)
        session.execute(update(HotPool).where(HotPool.id == info.id).values(
            remaining=int(meta["remaining"]), taken=int(meta["taken"]), seq=int(meta["seq"]),
            reconciled_at=now, closed_at=close.at if close else None,
            closed_units=close.units if close else None))
        return result
