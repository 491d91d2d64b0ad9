"""The three hot backends as one fixture: SQLite, PostgreSQL, PostgreSQL + Redis.

`hot_runtime` is a Runtime whose `hot` is the backend under test. Redis runs on db 15
under a key prefix of its own, and deletes only its own keys afterwards; without a
Redis server the Redis case fails under CI=true and is skipped on a laptop.
"""

from __future__ import annotations

import uuid

import pytest

from siyu.core.settings import Settings
from siyu.db.engine import make_engine, session_factory
from siyu.db.migrate import ensure_schema
from siyu.hot import Hot, set_backend
from siyu.runtime import Runtime
from tests.conftest import REDIS_URL, need_server

BACKENDS = ["sqlite", "postgresql", "postgresql+redis"]


@pytest.fixture(scope="session")
def hot_engines():
    engines: dict[str, object] = {}
    yield engines
    for engine in engines.values():
        engine.dispose()


def _engine(request, engines, kind: str):
    url = request.getfixturevalue("sqlite_database_url" if kind == "sqlite"
                                  else "pg_database_url")
    if url not in engines:
        engine = make_engine(url)
        ensure_schema(engine)
        engines[url] = engine
    return url, engines[url]


def redis_client():
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.RedisError as e:
        need_server("Redis", e)
    return client


def drop_keys(client, prefix: str) -> None:
    keys = list(client.scan_iter(match=prefix + "*", count=1000))
    for i in range(0, len(keys), 500):
        client.delete(*keys[i : i + 500])


@pytest.fixture(params=BACKENDS)
def hot_runtime(request, hot_engines, clock):
    kind = request.param
    url, engine = _engine(request, hot_engines, "sqlite" if kind == "sqlite" else "postgresql")
    redis_url = REDIS_URL if kind.endswith("redis") else None
    runtime = Runtime(Settings(database_url=url, redis_url=redis_url), engine,
                      session_factory(engine), clock)
    client, prefix = None, f"siyutest:{uuid.uuid4().hex[:10]}:"
    if redis_url:
        client = redis_client()
    hot = Hot(runtime.sessions, redis_url=redis_url, prefix=prefix, redis_client=client)
    set_backend(runtime, hot)
    yield runtime
    hot.flush()
    hot.writer.close()
    if client is not None:
        drop_keys(client, prefix)
        client.close()


def hammer(runtime, calls, *, workers: int = 32) -> list:
    """Run each `call(session)` in its own transaction on a pool of threads, all
    released at once; returns each call's result or the code of its SiyuError.
    A crash (any other exception) is returned as "crash:..." so the test shows it."""
    import threading
    from concurrent.futures import ThreadPoolExecutor

    from siyu.core.errors import SiyuError
    from siyu.db.engine import transaction

    gate = threading.Event()

    def run(call):
        gate.wait()
        try:
            with transaction(runtime.sessions) as session:
                return call(session)
        except SiyuError as e:
            return e.code
        except Exception as e:  # noqa: BLE001 - a crash must fail the test, not vanish
            return f"crash:{type(e).__name__}:{e}"

    with ThreadPoolExecutor(max_workers=workers) as pool:
        futures = [pool.submit(run, c) for c in calls]
        gate.set()
        return [f.result(timeout=300) for f in futures]


def make_merchant(runtime, name: str = "热点商户") -> int:
    from siyu.merchants.service import create_merchant

    with runtime.sessions.begin() as s:
        return create_merchant(s, name)[0].id


def make_members(runtime, merchant: int, n: int, *, now) -> list[int]:
    """n members of the merchant, in one bulk upsert."""
    from siyu.members import service as members
    from siyu.members.schemas import MemberIn

    tag = uuid.uuid4().hex[:8]
    rows = [MemberIn(external_id=f"{tag}-{i}") for i in range(n)]
    with runtime.sessions.begin() as s:
        members.bulk_upsert(s, merchant, rows, now=now, actor="test")
        ids = members.ids_by_external_id(s, merchant, [r.external_id for r in rows])
    return [ids[r.external_id] for r in rows]


@pytest.fixture(scope="session")
def hot_apps():
    """One app and test client per backend for the whole run (building them took about
    a second per test); each test points the app at its own runtime."""
    clients: dict = {}
    yield clients
    for client in clients.values():
        client.__exit__(None, None, None)


@pytest.fixture
def hot_client(hot_runtime, hot_apps):
    from fastapi.testclient import TestClient

    from siyu.app import create_app

    kind = (hot_runtime.settings.database_url, hot_runtime.settings.redis_url)
    if kind not in hot_apps:
        hot_apps[kind] = TestClient(create_app(hot_runtime)).__enter__()
    client = hot_apps[kind]
    client.app.state.runtime = hot_runtime
    return client


@pytest.fixture
def hot_api(hot_client, hot_runtime):
    """An API client signed in as a new merchant, on the backend under test."""
    from tests.conftest import Api, new_merchant

    merchant_id, key = new_merchant(hot_runtime, "商户甲")
    return Api(hot_client, merchant_id, key)


@pytest.fixture
def hot_other_api(hot_client, hot_runtime):
    from tests.conftest import Api, new_merchant

    merchant_id, key = new_merchant(hot_runtime, "商户乙")
    return Api(hot_client, merchant_id, key)


def add_members(api, n: int, prefix: str = "m") -> list[int]:
    return [api.post("/api/v1/members", json={"external_id": f"{prefix}{i}"}).json()["id"]
            for i in range(n)]
