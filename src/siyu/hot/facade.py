"""`Hot`: the one HotBackend a runtime hands to domains.

New pools go to the configured backend (Redis when `redis_url` is set, else SQL);
every later call goes to the backend that holds the pool (recorded on its row), so a
pool created before a configuration change keeps working. The immutable facts of a
pool are cached per instance.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from siyu.hot.ledger import LedgerWriter, PoolInfo, load_info
from siyu.hot.sql import SqlBackend
from siyu.hot.types import HotUnavailable, PoolState, Reconciliation, Taken


class Hot:
    def __init__(self, sessions: sessionmaker[Session], *, redis_url: str | None = None,
                 prefix: str = "siyu:hot:", redis_client=None) -> None:
        self._cache: dict[str, PoolInfo] = {}
        # Domains may keep immutable facts of their hot objects here (an envelope's window
        # and rules), so a grab need not read them again; bounded by `remember`.
        self.memo: dict = {}
        self._lock = threading.Lock()
        self.sessions = sessions
        self.sql = SqlBackend(self.info)
        self.writer = LedgerWriter(sessions)
        self.redis = None
        if redis_url or redis_client is not None:
            import redis

            from siyu.hot.redis_backend import RedisBackend

            client = redis_client or redis.Redis.from_url(redis_url, socket_timeout=10,
                                                          health_check_interval=30)
            url = sessions.kw["bind"].url.render_as_string(hide_password=True)
            self.redis = RedisBackend(client, self.info, self.writer, prefix=prefix,
                                      engine_url=url)
        self.default = self.redis or self.sql
        self.name = self.default.name

    def info(self, session: Session, key: str, *, fresh: bool = False,
             stale: PoolInfo | None = None) -> PoolInfo:
        info = self._cache.get(key)
        if info is None or fresh or (stale is not None and info == stale):
            info = load_info(session, key)
            with self._lock:
                self._cache[key] = info
        return info

    def remember(self, key, value, *, limit: int = 50_000):
        if len(self.memo) >= limit:
            self.memo.clear()
        self.memo[key] = value
        return value

    def _for(self, session: Session, key: str):
        if self.info(session, key).backend == "redis":
            if self.redis is None:
                raise HotUnavailable(f"pool {key} 在 Redis 上, 但没有配置 SIYU_REDIS_URL",
                                     field="redis")
            return self.redis
        return self.sql

    def create_pool(self, session: Session, key: str, *, merchant_id: int, units: int,
                    per_member_limit: int, shares: Sequence[int] | None = None,
                    now: datetime) -> PoolState:
        return self.default.create_pool(session, key, merchant_id=merchant_id, units=units,
                                        per_member_limit=per_member_limit, shares=shares,
                                        now=now)

    def take(self, session: Session, key: str, member_id: int, n: int = 1, *,
             idem_key: str, now: datetime, limit: int | None = None,
             amount: int | None = None, ledger: str = "session",
             member_of: int | None = None) -> Taken:
        """See HotBackend.take. `member_of`: the member must be an active member of this
        merchant (else the members' NotFound): on Redis checked inside the take's script
        against the merchant's member set (siyu.hot.members), on SQL read in the session."""
        backend = self._for(session, key)
        if backend is self.redis:
            return backend.take(session, key, member_id, n, idem_key=idem_key, now=now,
                                limit=limit, amount=amount, ledger=ledger,
                                member_of=member_of)
        if member_of is not None:
            from siyu.members import service as members

            members.require_active(session, member_of, member_id)
        return backend.take(session, key, member_id, n, idem_key=idem_key, now=now,
                            limit=limit, amount=amount, ledger=ledger)

    def give_back(self, session: Session, key: str, member_id: int, n: int = 1, *,
                  idem_key: str, now: datetime, amount: int = 0) -> Taken:
        return self._for(session, key).give_back(session, key, member_id, n,
                                                 idem_key=idem_key, now=now, amount=amount)

    def close(self, session: Session, key: str, *, idem_key: str, now: datetime) -> Taken:
        return self._for(session, key).close(session, key, idem_key=idem_key, now=now)

    def find(self, session: Session, key: str, member_id: int, idem_key: str) -> Taken | None:
        return self._for(session, key).find(session, key, member_id, idem_key)

    def state(self, session: Session, key: str) -> PoolState:
        return self._for(session, key).state(session, key)

    def holders(self, session: Session, key: str) -> dict[int, int]:
        return self._for(session, key).holders(session, key)

    def log(self, session: Session, key: str) -> list[Taken]:
        return self._for(session, key).log(session, key)

    def reconcile(self, session: Session, key: str, *, now: datetime) -> Reconciliation:
        if self._for(session, key) is self.redis:
            self.writer.flush()
        return self._for(session, key).reconcile(session, key, now=now)

    def flush(self, timeout: float = 30.0) -> bool:
        """Wait for the background ledger writer to catch up."""
        return self.writer.flush(timeout)

    def shutdown(self) -> None:
        self.writer.close()
        if self.redis is not None:
            from siyu.hot.members import _registry

            _registry.discard(self.redis.members)
            self.redis.client.close()
