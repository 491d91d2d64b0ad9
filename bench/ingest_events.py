"""Ingestion benchmark: events per second for batched, validated, idempotent ingestion
(siyu.events.service.ingest, as the API calls it) against a bare DBAPI `executemany`
insert of the same rows into the same table on the same database, in the same run.

Run: .venv/bin/python bench/ingest_events.py [--events 50000] [--batch 1000]
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from _common import postgres_url, sqlite_url, timed  # noqa: E402
from sqlalchemy import text  # noqa: E402

from siyu.db.engine import make_engine, session_factory  # noqa: E402
from siyu.db.migrate import upgrade  # noqa: E402
from siyu.events import service  # noqa: E402
from siyu.events.schemas import EventIn  # noqa: E402
from siyu.merchants.service import create_merchant  # noqa: E402

KINDS = ("view", "message", "add_to_cart", "share", "check_in")


def raw_events(n: int, prefix: str) -> list[dict]:
    t0 = datetime(2026, 1, 20, tzinfo=UTC)
    return [{"kind": KINDS[i % len(KINDS)], "at": (t0 + timedelta(seconds=i)).isoformat(),
             "payload": {"page": f"p{i % 50}"}, "idempotency_key": f"{prefix}{i}"}
            for i in range(n)]


def run(url: str, n: int, batch: int) -> dict:
    engine = make_engine(url)
    upgrade(engine)
    sessions = session_factory(engine)
    with sessions.begin() as s:
        m1 = create_merchant(s, "bench-service")[0].id
        m2 = create_merchant(s, "bench-bare")[0].id
    now = datetime.now(UTC)
    docs = raw_events(n, "svc-")

    def ingest_all():
        for i in range(0, n, batch):
            with sessions.begin() as s:
                events = [EventIn(**d) for d in docs[i : i + batch]]
                service.ingest(s, m1, events, now=now)

    rows = [{"merchant_id": m2, "kind": d["kind"], "at": datetime.fromisoformat(d["at"]),
             "member_id": None, "group_id": None, "payload": d["payload"],
             "idempotency_key": "bare-" + d["idempotency_key"], "created_at": now}
            for d in docs]

    def bare_all():
        # The baseline: one plain INSERT, DBAPI executemany per batch, same rows, same table.
        pg = engine.dialect.name == "postgresql"
        ph = "%s" if pg else "?"
        sql = ("INSERT INTO events (merchant_id, kind, at, member_id, group_id, payload, "
               f"idempotency_key, created_at) VALUES ({ph}, {ph}, {ph}, {ph}, {ph}, "
               f"{ph + '::jsonb' if pg else ph}, {ph}, {ph})")
        naive_now = now.replace(tzinfo=None)
        tuples = [(r["merchant_id"], r["kind"], r["at"].replace(tzinfo=None), None, None,
                   json.dumps(r["payload"]), r["idempotency_key"], naive_now) for r in rows]
        with engine.connect() as conn:
            raw = conn.connection.dbapi_connection
            for i in range(0, n, batch):
                with conn.begin():
                    cur = raw.cursor()
                    cur.executemany(sql, tuples[i : i + batch])
                    cur.close()

    t_bare, _ = timed(bare_all)
    t_svc, _ = timed(ingest_all)
    t_replay, _ = timed(ingest_all)  # the same batches again: all duplicates
    with engine.connect() as c:
        stored = c.execute(text("SELECT count(*) FROM events WHERE merchant_id = :m"),
                           {"m": m1}).scalar()
    engine.dispose()
    assert stored == n, f"stored {stored} != {n}"
    return {"bare_eps": n / t_bare, "service_eps": n / t_svc, "replay_eps": n / t_replay,
            "ratio": t_bare / t_svc}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--events", type=int, default=50_000)
    ap.add_argument("--batch", type=int, default=1000)
    args = ap.parse_args()
    print(f"events={args.events} batch={args.batch}")
    for name, ctx in (("sqlite", sqlite_url), ("postgresql", postgres_url)):
        with ctx() as url:
            r = run(url, args.events, args.batch)
        print(f"{name:10s} bare executemany {r['bare_eps']:>10,.0f} ev/s | "
              f"siyu ingest {r['service_eps']:>10,.0f} ev/s | ratio {r['ratio']:.2f} | "
              f"replay (all duplicates) {r['replay_eps']:>10,.0f} ev/s")


if __name__ == "__main__":
    main()
