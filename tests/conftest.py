"""Shared fixtures: every service test runs on SQLite and on PostgreSQL.

PostgreSQL is the machine's server (127.0.0.1:5432, trust auth). Each test session gets
its own database, dropped at the end. When the server is missing, tests that need it
fail under CI=true and are skipped with the reason on a developer's laptop.
"""

from __future__ import annotations

import os
import uuid
from datetime import datetime

os.environ.setdefault("SIYU_SECRET_KEY", "test-secret-key-for-siyu")
os.environ.pop("SIYU_DATABASE_URL", None)
os.environ.pop("SIYU_REDIS_URL", None)
# Apps built by tests do not run the scheduled jobs in the background (tests/jobs does).
os.environ.setdefault("SIYU_JOBS_IN_SERVER", "0")

import pytest  # noqa: E402
from fastapi.testclient import TestClient  # noqa: E402
from sqlalchemy import create_engine, text  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from siyu.core.clock import BEIJING, FixedClock  # noqa: E402
from siyu.core.settings import Settings  # noqa: E402
from siyu.db.engine import make_engine, session_factory  # noqa: E402
from siyu.db.migrate import upgrade  # noqa: E402
from siyu.runtime import Runtime  # noqa: E402

PG_ADMIN = os.environ.get("SIYU_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
REDIS_URL = os.environ.get("SIYU_TEST_REDIS", "redis://127.0.0.1:6379/15")
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
NOW = datetime(2026, 1, 20, 12, 0, tzinfo=BEIJING)


def need_server(what: str, error: Exception) -> None:
    message = f"{what} 不可用 ({type(error).__name__}: {error})"
    if IN_CI:
        pytest.fail(f"CI 需要 {message}")
    pytest.skip(f"本机没有 {message}; CI 中此测试会失败")


@pytest.fixture(scope="session")
def pg_database_url():
    name = f"siyu_test_{uuid.uuid4().hex[:10]}"
    try:
        admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as e:  # noqa: BLE001
        need_server("PostgreSQL", e)
    url = PG_ADMIN.rsplit("/", 1)[0] + "/" + name
    yield url
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session")
def sqlite_database_url(tmp_path_factory):
    return "sqlite:///" + str(tmp_path_factory.mktemp("db") / "siyu-test.db")


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def db_url(request):
    if request.param == "sqlite":
        url = request.getfixturevalue("sqlite_database_url")
    else:
        url = request.getfixturevalue("pg_database_url")
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    return url


@pytest.fixture(scope="session")
def engine(db_url):
    engine = make_engine(db_url)
    yield engine
    engine.dispose()


@pytest.fixture
def clock():
    return FixedClock(NOW)


@pytest.fixture
def now(clock):
    return clock.now()


@pytest.fixture
def runtime(engine, clock, db_url):
    settings = Settings(database_url=db_url)
    return Runtime(settings, engine, session_factory(engine), clock)


@pytest.fixture
def session(engine):
    """A session whose work is rolled back after the test."""
    connection = engine.connect()
    trans = connection.begin()
    s = Session(bind=connection, join_transaction_mode="create_savepoint",
                expire_on_commit=False)
    try:
        yield s
    finally:
        s.close()
        trans.rollback()
        connection.close()


@pytest.fixture
def merchant(session):
    from siyu.merchants.service import create_merchant

    m, _key = create_merchant(session, "测试商户")
    return m.id


@pytest.fixture
def other_merchant(session):
    from siyu.merchants.service import create_merchant

    m, _key = create_merchant(session, "别家商户")
    return m.id


class Api:
    """A test client signed in as one merchant's key."""

    def __init__(self, client: TestClient, merchant_id: int, key: str) -> None:
        self.client, self.merchant_id, self.key = client, merchant_id, key
        self.headers = {"Authorization": f"Bearer {key}"}

    def request(self, method, url, **kw):
        headers = {**self.headers, **kw.pop("headers", {})}
        return self.client.request(method, url, headers=headers, **kw)

    def __getattr__(self, method):
        def call(url, **kw):
            headers = {**self.headers, **kw.pop("headers", {})}
            return getattr(self.client, method)(url, headers=headers, **kw)

        return call


def new_merchant(runtime: Runtime, name: str = "测试商户", role: str | None = None):
    from siyu.merchants.service import create_merchant, issue_key

    with runtime.sessions.begin() as s:
        m, key = create_merchant(s, name)
        if role:
            key = issue_key(s, m.id, user_name=f"{role}-user", role=role)
        return m.id, key


@pytest.fixture
def app(runtime):
    from siyu.app import create_app

    return create_app(runtime)


@pytest.fixture
def client(app):
    with TestClient(app) as c:
        yield c


@pytest.fixture
def api(client, runtime):
    merchant_id, key = new_merchant(runtime, "商户甲")
    return Api(client, merchant_id, key)


@pytest.fixture
def other_api(client, runtime):
    merchant_id, key = new_merchant(runtime, "商户乙")
    return Api(client, merchant_id, key)

# The hot-path backends (SQL, Redis) as fixtures for every test that needs them.
pytest_plugins = ["tests.hot.backends"]
