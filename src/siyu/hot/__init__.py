"""Hot paths: atomic takes from pools of units under heavy concurrency.

Red-envelope grabs, flash-sale purchases and limited-coupon claims (and later
promotion budgets) are all "take n units from a pool if any are left and the member is
under the limit, once per idempotency key". One interface (`HotBackend`, see
`siyu.hot.types`), two implementations: SQL (`siyu.hot.sql`: conditional UPDATE and a
conditional upsert, inside the caller's transaction) and Redis (`siyu.hot.redis_backend`:
one Lua script per operation, the database as durable ledger, a reconciler).

    hot = siyu.hot.backend_for(runtime)
    hot.create_pool(session, "coupon:7", merchant_id=m, units=1000, per_member_limit=2,
                    now=now)
    taken = hot.take(session, "coupon:7", member_id, 1, idem_key=key, now=now)
"""

from __future__ import annotations

import os
import threading

from siyu.hot.facade import Hot
from siyu.hot.ledger import on_ledger
from siyu.hot.types import (
    API_KEY_PREFIX,
    HotBackend,
    HotError,
    HotUnavailable,
    KeyReused,
    LimitReached,
    NotHeld,
    PoolEmpty,
    PoolNotFound,
    PoolState,
    Reconciliation,
    Taken,
)

__all__ = ["API_KEY_PREFIX", "Hot", "HotBackend", "HotError", "HotUnavailable", "KeyReused",
           "LimitReached", "NotHeld",
           "PoolEmpty", "PoolNotFound", "PoolState", "Reconciliation", "Taken", "backend_for",
           "on_ledger", "set_backend"]

_lock = threading.Lock()


def backend_for(runtime) -> Hot:
    """The runtime's hot backend, built on first use: Redis when `settings.redis_url` is
    set (SIYU_REDIS_URL / --redis), else the database."""
    hot = getattr(runtime, "_hot", None)
    if hot is None:
        with _lock:
            hot = getattr(runtime, "_hot", None)
            if hot is None:
                hot = Hot(runtime.sessions, redis_url=runtime.settings.redis_url,
                          prefix=os.environ.get("SIYU_REDIS_PREFIX", "siyu:hot:"))
                runtime._hot = hot
    return hot


def set_backend(runtime, hot: Hot) -> None:
    """Use this backend for the runtime (tests, benchmarks)."""
    runtime._hot = hot
