"""Hot-path benchmark: red-envelope grabs per second on SQLite, PostgreSQL and Redis
(PostgreSQL as ledger), in-process and over HTTP, each as a ratio to the same backend's
bare atomic operation measured in the same run:

- SQL bare: one single-row conditional `UPDATE … SET n = n - 1 WHERE id = 1 AND n >= 1`
  committed per operation, on a raw DBAPI connection per worker;
- Redis bare: an EVALSHA of a trivial script (`DECRBY` of one key).

Measured, with the same number of worker threads for every figure:
- take:  `hot.take` on a pool of pre-split shares (the grab primitive: idempotency,
         limit check, decrement, share, ledger row — in its own committed transaction on
         SQL, handed to the background writer on Redis; the time includes draining that
         writer, which runs in this process);
- grab:  `hongbao.grabs.grab` in the API's unit of work (`siyu.db.engine.transaction`:
         session opened, committed when used, closed; envelope facts, member check in
         the Lua step against the merchant's member set, take, answer, grab event
         written by the background writer): cold = each member's first grab, warm = the
         same members on a second envelope;
- http:  POST /api/v1/envelopes/{id}/grab against `siyu serve` (uvicorn, one process,
         127.0.0.1) from a client in this process; also shown against the same server's
         authenticated `GET /api/v1/members?limit=1`, the floor of any API call.

Run: .venv/bin/python bench/hot_paths.py [--grabs 3000] [--http 1500] [--workers 8]
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from _common import postgres_url, sqlite_url  # noqa: E402

from siyu.core.clock import SystemClock  # noqa: E402
from siyu.core.settings import Settings  # noqa: E402
from siyu.db.engine import make_engine, session_factory, transaction  # noqa: E402
from siyu.db.migrate import upgrade  # noqa: E402
from siyu.hongbao import grabs, service  # noqa: E402
from siyu.hongbao.schemas import EnvelopeIn  # noqa: E402
from siyu.hot import Hot, set_backend  # noqa: E402
from siyu.members import service as members_service  # noqa: E402
from siyu.members.schemas import MemberIn  # noqa: E402
from siyu.merchants.service import create_merchant, set_setting  # noqa: E402
from siyu.runtime import Runtime  # noqa: E402

REDIS_URL = os.environ.get("SIYU_BENCH_REDIS", "redis://127.0.0.1:6379/15")
SIYU = str(Path(sys.executable).with_name("siyu"))


def rate(n: int, workers: int, op, after=None) -> float:
    """Operations per second: n calls of op(i) on `workers` threads (+ `after()`)."""
    counter = iter(range(n))
    lock = threading.Lock()

    def run():
        while True:
            with lock:
                i = next(counter, None)
            if i is None:
                return
            op(i)

    t0 = time.perf_counter()
    with ThreadPoolExecutor(workers) as pool:
        for f in [pool.submit(run) for _ in range(workers)]:
            f.result()
    if after is not None:
        after()
    return n / (time.perf_counter() - t0)


def bare_sql(engine, n: int, workers: int) -> float:
    with engine.begin() as c:
        c.exec_driver_sql("CREATE TABLE IF NOT EXISTS bench_bare (id INTEGER PRIMARY KEY, "
                          "n INTEGER NOT NULL)")
        c.exec_driver_sql("DELETE FROM bench_bare")
        c.exec_driver_sql(f"INSERT INTO bench_bare (id, n) VALUES (1, {n + 10})")
    sqlite = engine.dialect.name == "sqlite"
    local = threading.local()
    opened = []
    sql = "UPDATE bench_bare SET n = n - 1 WHERE id = 1 AND n >= 1"

    def op(_i):
        conn = getattr(local, "conn", None)
        if conn is None:
            conn = local.conn = engine.raw_connection()
            opened.append(conn)
        cur = conn.cursor()
        if sqlite:
            cur.execute("BEGIN IMMEDIATE")
        cur.execute(sql)
        conn.commit()
        cur.close()

    try:
        return rate(n, workers, op)
    finally:
        for conn in opened:
            conn.close()


def bare_redis(client, n: int, workers: int) -> float:
    sha = client.script_load("return redis.call('DECRBY', KEYS[1], 1)")
    key = f"siyubench:{uuid.uuid4().hex[:8]}:bare"
    client.set(key, n + 10)
    out = rate(n, workers, lambda _i: client.evalsha(sha, 1, key))
    client.delete(key)
    return out


def setup(url: str, redis_url: str | None, prefix: str, n_members: int):
    engine = make_engine(url, pool_size=20, max_overflow=10)
    upgrade(engine)
    sessions = session_factory(engine)
    runtime = Runtime(Settings(database_url=url, redis_url=redis_url), engine, sessions,
                      SystemClock())
    hot = Hot(sessions, redis_url=redis_url, prefix=prefix)
    set_backend(runtime, hot)
    now = datetime.now(UTC)
    with sessions.begin() as s:
        merchant, key = create_merchant(s, "bench")
        merchant = merchant.id
        set_setting(s, merchant, "hongbao", {"max_count": 1_000_000,
                                             "max_amount": "100000000.00"})
        rows = [MemberIn(external_id=f"b{i}") for i in range(n_members)]
        members_service.bulk_upsert(s, merchant, rows, now=now, actor="bench")
        ids = members_service.ids_by_external_id(s, merchant, [r.external_id for r in rows])
    return runtime, hot, merchant, key, [ids[r.external_id] for r in rows]


def envelope(runtime, merchant: int, count: int) -> tuple[int, str]:
    with runtime.sessions.begin() as s:
        e = service.create(s, runtime.hot, merchant, EnvelopeIn(
            amount=f"{count}.00", count=count, expires_in_hours=720),
            now=datetime.now(UTC), actor="bench")
        return e.id, e.pool_key


def in_process(runtime, merchant: int, members: list[int], n: int, workers: int,
               bare) -> dict:
    """Rounds of (bare, take, grab), interleaved so that a slow moment of the machine
    hits all three; the median of each is reported."""
    hot = runtime.hot
    rounds = 5
    per = n // rounds
    take_key = f"bench:{uuid.uuid4().hex[:8]}"
    with runtime.sessions.begin() as s:  # a plain pool of 1-fen shares: no envelope rules
        hot.create_pool(s, take_key, merchant_id=merchant, units=n, per_member_limit=1,
                        shares=[1] * n, now=datetime.now(UTC))
    grab_id, _ = envelope(runtime, merchant, n)
    warm_id, _ = envelope(runtime, merchant, n)
    local = threading.local()
    sessions: list = []

    def take(i):
        # The primitive alone. On SQL it runs in a transaction of its own (committed);
        # on Redis with the background ledger it does not touch the session, so one per
        # worker thread stands for the request's (whose cost the grab figure includes).
        session = getattr(local, "session", None)
        if session is None:
            session = local.session = runtime.sessions()
            sessions.append(session)
        hot.take(session, take_key, members[i], 1, idem_key="b", now=datetime.now(UTC),
                 ledger="background")
        if hot.redis is None:
            session.commit()

    def grab(envelope_id, i):
        with transaction(runtime.sessions) as s:  # the API's unit of work (deps.get_session)
            grabs.grab(s, hot, merchant, envelope_id, members[i], idem_key="b",
                       now=datetime.now(UTC))

    out: dict[str, list[float]] = {"bare": [], "take": [], "grab": [], "warm": []}
    for r in range(rounds):
        base = r * per
        out["bare"].append(bare(per))
        out["take"].append(rate(per, workers, lambda i, b=base: take(b + i), hot.flush))
        # cold: each member's first grab (looked up); warm: the same members again, on
        # another envelope (a red-envelope group grabbing envelope after envelope).
        out["grab"].append(rate(per, workers, lambda i, b=base: grab(grab_id, b + i),
                                hot.flush))
        out["warm"].append(rate(per, workers, lambda i, b=base: grab(warm_id, b + i),
                                hot.flush))
    for session in sessions:
        session.close()
    return {k: statistics.median(v) for k, v in out.items()}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def over_http(url: str, redis_url: str | None, prefix: str, runtime, merchant: int, key: str,
              members: list[int], n: int, workers: int) -> tuple[float, float]:
    import httpx

    eid, _ = envelope(runtime, merchant, n)
    port = free_port()
    args = [SIYU, "serve", "--db", url, "--port", str(port)]
    if redis_url:
        args += ["--redis", redis_url]
    # The scheduled jobs run elsewhere: this measures grabs alone.
    env = {**os.environ, "SIYU_REDIS_PREFIX": prefix, "SIYU_JOBS_IN_SERVER": "0"}
    server = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                httpx.get(base + "/healthz", timeout=1)
                break
            except httpx.HTTPError:
                time.sleep(0.1)
        client = httpx.Client(base_url=base, headers={"Authorization": f"Bearer {key}"},
                              timeout=60,
                              limits=httpx.Limits(max_connections=workers))

        def grab(i):
            r = client.post(f"/api/v1/envelopes/{eid}/grab", json={"member_id": members[i]},
                            headers={"Idempotency-Key": "h"})
            assert r.status_code == 200, r.text

        out = rate(n, workers, grab)
        # The same server's floor for any authenticated call that reads the database.
        ref = rate(n, workers, lambda i: client.get("/api/v1/members?limit=1"))
        client.close()
        return out, ref
    finally:
        server.terminate()
        server.wait(timeout=30)


def run_backend(name: str, url: str, redis_url: str | None, args) -> dict:
    prefix = f"siyubench:{uuid.uuid4().hex[:8]}:"
    n_members = max(args.grabs, args.http)
    runtime, hot, merchant, key, members = setup(url, redis_url, prefix, n_members)
    try:
        if redis_url:
            def bare(n):
                return bare_redis(hot.redis.client, n, args.workers)
        else:
            def bare(n):
                return bare_sql(runtime.engine, n, args.workers)
        figures = in_process(runtime, merchant, members, args.grabs, args.workers, bare)
        figures["http"], figures["http_ref"], figures["bare_http"] = 0.0, 1.0, 1.0
        if args.http:
            figures["http"], figures["http_ref"] = over_http(
                url, redis_url, prefix, runtime, merchant, key, members, args.http,
                args.workers)
            figures["bare_http"] = bare(args.http)
    finally:
        if hot.redis is not None:
            client = hot.redis.client
            keys = list(client.scan_iter(match=prefix + "*", count=1000))
            for i in range(0, len(keys), 500):
                client.delete(*keys[i : i + 500])
        runtime.close()
    b, bh = figures["bare"], figures["bare_http"]
    http = (f"http {figures['http']:>4,.0f}/s ({figures['http'] / bh:.3f} of bare "
            f"{bh:,.0f}/s; {figures['http'] / figures['http_ref']:.2f} of GET /members "
            f"{figures['http_ref']:,.0f}/s)") if args.http else "http not run (--http 0)"
    print(f"{name:<18} bare {b:>6,.0f}/s | take {figures['take']:>5,.0f}/s "
          f"({figures['take'] / b:.2f}) | grab cold {figures['grab']:>5,.0f}/s "
          f"({figures['grab'] / b:.2f}) warm {figures['warm']:>5,.0f}/s "
          f"({figures['warm'] / b:.2f}) | {http}", flush=True)
    return {"backend": name, **figures}


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--grabs", type=int, default=3000)
    p.add_argument("--http", type=int, default=1500)
    p.add_argument("--workers", type=int, default=8)
    p.add_argument("--only", choices=["sqlite", "postgresql", "redis"])
    args = p.parse_args()
    os.environ.setdefault("SIYU_SECRET_KEY", "bench-secret")
    print(f"hot paths: {args.grabs} grabs in-process, {args.http} over HTTP, "
          f"{args.workers} worker threads; ratio = rate / bare rate of the same backend")
    if args.only in (None, "sqlite"):
        with sqlite_url() as url:
            run_backend("SQLite", url, None, args)
    if args.only in (None, "postgresql"):
        with postgres_url() as url:
            run_backend("PostgreSQL", url, None, args)
    if args.only in (None, "redis"):
        with postgres_url() as url:
            run_backend("Redis (+PG ledger)", url, REDIS_URL, args)


if __name__ == "__main__":
    main()
