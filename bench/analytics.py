"""Analytics at a million members (issue 6): snapshot refresh, RFM + layers for
everyone, seed-001 KPIs for 30 days — each against the same work written by hand in
DuckDB over the same Parquet (refresh: against a bare DBAPI read + Parquet write of the
same rows), and peak memory.

1,000,000 members and 10,000,000 orders through `siyu sim` and SQLite would take hours
on this machine, so the large snapshot is generated directly as Parquet with numpy in
the snapshot's own layout (same tables and columns); the refresh path is measured
through the real code on a `siyu sim` database of --sim-members, on SQLite and on
PostgreSQL (SIYU_TEST_PG, a throwaway database), in alternating timed rounds.

    .venv/bin/python bench/analytics.py [--members 1000000] [--orders 10000000]
        [--db sqlite,postgresql] [--rounds 5] [--refresh-only]
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
import time
from datetime import date, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
import numpy as np  # noqa: E402
import pyarrow as pa  # noqa: E402
from _common import sqlite_url  # noqa: E402

from siyu.analytics import duck, kpis, snapshot, source, states  # noqa: E402
from siyu.analytics.rules import AnalyticsRules  # noqa: E402

ASOF = date(2026, 1, 31)
T0 = np.datetime64("2025-08-01T00:00:00", "us")


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def best(fn, n=3):
    times = []
    for _ in range(n):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def _ts(rng, n, days):
    return T0 + (rng.random(n) * days * 86400e6).astype("timedelta64[us]")


def generate(folder: Path, members: int, orders: int, events: int) -> None:
    rng = np.random.default_rng(1)
    specs = {s.name: s for s in source.specs("sqlite")}
    files: dict[str, list] = {}

    def put(name, cols: dict, parts: int = 1):
        table = pa.table({f.name: pa.array(cols[f.name], f.type) if f.name in cols
                          else pa.nulls(len(next(iter(cols.values()))), f.type)
                          for f in specs[name].schema})
        step = -(-table.num_rows // parts)
        for i in range(parts):
            part = table.slice(i * step, step)
            path = f"{name}/g{i:04d}.parquet"
            snapshot.write_parquet(part, folder / path)
            files.setdefault(name, []).append({"file": path, "rows": part.num_rows})

    ids = np.arange(1, members + 1)
    put("members", {"id": ids, "registered_at": _ts(rng, members, 180),
                    "channel": rng.choice(["kol", "store_counter", "share_link"], members),
                    "tier": rng.choice(["V1", "V2", "V3"], members),
                    "referrer_id": np.where(rng.random(members) < 0.2,
                                            rng.integers(1, members, members), None),
                    "erased": np.zeros(members, np.int64)}, 4)
    n_groups = max(members // 400, 1)
    put("groups", {"id": np.arange(1, n_groups + 1), "created_at": _ts(rng, n_groups, 180),
                   "name": ["群"] * n_groups, "kind": ["merchant"] * n_groups,
                   "status": ["active"] * n_groups})
    stays = int(members * 1.2)
    joined = _ts(rng, stays, 180)
    left = np.where(rng.random(stays) < 0.1, joined + np.timedelta64(20, "D"),
                    np.datetime64("NaT"))
    put("memberships", {"id": np.arange(1, stays + 1), "group_id": rng.integers(1, n_groups + 1,
                                                                                stays),
                        "member_id": rng.integers(1, members + 1, stays), "joined_at": joined,
                        "left_at": pa.array(left, pa.timestamp("us"), mask=np.isnat(left))}, 2)
    buyer = (rng.pareto(1.2, orders) * members / 50).astype(np.int64) % members + 1
    paid = _ts(rng, orders, 184)
    status = rng.choice(["completed", "paid", "refunded", "cancelled"], orders,
                        p=[0.85, 0.1, 0.03, 0.02])
    put("orders", {"id": np.arange(1, orders + 1), "member_id": buyer,
                   "group_id": np.where(rng.random(orders) < 0.4,
                                        rng.integers(1, n_groups + 1, orders), None),
                   "status": status, "total_fen": rng.integers(990, 60000, orders),
                   "discount_fen": np.zeros(orders, np.int64), "placed_at": paid,
                   "paid_at": paid}, 16)
    kinds = rng.choice(["view", "message", "add_to_cart", "share", "check_in", "pay"], events,
                       p=[0.4, 0.35, 0.1, 0.05, 0.05, 0.05])
    put("events", {"id": np.arange(1, events + 1), "kind": kinds, "ts": _ts(rng, events, 184),
                   "member_id": rng.integers(1, members + 1, events),
                   "group_id": np.where(kinds == "message", rng.integers(1, n_groups + 1, events),
                                        None),
                   "text_len": np.where(kinds == "message", rng.integers(1, 60, events), None),
                   "has_media": np.zeros(events, np.int64),
                   "quality": np.zeros(events, np.int64)}, 16)
    manifest = {"version": snapshot.VERSION, "merchant_id": 1, "generation": 1,
                "refreshed_at": datetime.now().isoformat(), "trash": [],
                "tables": {n: {"watermark": 0, "files": {str(i): f for i, f in enumerate(fs)}}
                           for n, fs in files.items()}}
    (folder / "manifest.json").write_text(json.dumps(manifest))


HAND_RFM_LAYERS = """
WITH a AS (SELECT member_id, count(*) f, sum(total_fen) m,
    max(CAST(paid_at + INTERVAL 8 HOUR AS DATE)) last_day, max(paid_at) last_at,
    count(*) FILTER (WHERE paid_at >= $hv) hv_n,
    coalesce(sum(total_fen) FILTER (WHERE paid_at >= $hv), 0) hv_m,
    count(*) FILTER (WHERE paid_at >= $q) q_n
  FROM orders WHERE paid_at IS NOT NULL AND status NOT IN ('refunded', 'cancelled')
    AND paid_at < $end GROUP BY member_id),
e AS (SELECT member_id, count(*) n FROM events WHERE ts >= $ev AND ts < $end
  AND kind IN ('view','message','share','check_in','like','comment','add_to_cart','grab',
  'invite') GROUP BY member_id),
r AS (SELECT member_id, datediff('day', last_day, $asof) rec, f, m FROM a),
s AS (SELECT member_id,
  (5 * (2 * (rank() OVER (ORDER BY rec DESC) - 1) + count(*) OVER (PARTITION BY rec))
    + 2 * count(*) OVER () - 1) // (2 * count(*) OVER ()) r_s,
  (5 * (2 * (rank() OVER (ORDER BY f) - 1) + count(*) OVER (PARTITION BY f))
    + 2 * count(*) OVER () - 1) // (2 * count(*) OVER ()) f_s,
  (5 * (2 * (rank() OVER (ORDER BY m) - 1) + count(*) OVER (PARTITION BY m))
    + 2 * count(*) OVER () - 1) // (2 * count(*) OVER ()) m_s FROM r)
SELECT mb.id, s.r_s, s.f_s, s.m_s, CASE
  WHEN coalesce(a.hv_m, 0) >= 50000 AND coalesce(a.hv_n, 0) >= 2 THEN 'high_value'
  WHEN coalesce(a.q_n, 0) = 0 AND coalesce(a.f, 0) >= 1 AND a.m >= 30000 * a.f THEN 'potential'
  WHEN coalesce(a.f, 0) = 0 THEN 'new'
  WHEN datediff('day', CAST(mb.registered_at + INTERVAL 8 HOUR AS DATE), $asof) >= 30
    AND coalesce(e.n, 0) < 3 THEN 'low_activity' ELSE 'other' END layer
FROM members mb LEFT JOIN a ON a.member_id = mb.id LEFT JOIN e ON e.member_id = mb.id
LEFT JOIN s ON s.member_id = mb.id WHERE mb.erased = 0 AND mb.registered_at < $end
"""


def hand_kpis(snap, p):
    """The seed-001 KPIs of the range, written directly."""
    snap.rows("""SELECT count(DISTINCT member_id) FILTER (WHERE kind IN ('view','add_to_cart',
      'order','pay')) uv, count(*) FILTER (WHERE kind='message' AND group_id IS NOT NULL) msgs,
      count(*) FILTER (WHERE kind='message' AND group_id IS NOT NULL AND (quality=1 OR
      has_media=1 OR text_len >= 20)) q, count(*) FILTER (WHERE kind='complaint') c
      FROM events WHERE ts >= $lo AND ts < $hi""", {k: p[k] for k in ("lo", "hi")})
    snap.rows("""SELECT sum(n) orders, sum(g) gmv, count(member_id) buyers,
      count(*) FILTER (WHERE n >= 2) rep, count(*) FILTER (WHERE fg > 0) conv, sum(rf) rf
      FROM (SELECT member_id, count(*) n, sum(total_fen) g,
        count(*) FILTER (WHERE group_id IS NOT NULL) fg,
        count(*) FILTER (WHERE status = 'refunded') rf
        FROM orders WHERE paid_at >= $lo AND paid_at < $hi GROUP BY member_id)""",
              {k: p[k] for k in ("lo", "hi")})
    snap.rows("""SELECT d.day, count(DISTINCT s.member_id) FILTER (WHERE coalesce(s.left_at,
      TIMESTAMP '9999-12-31') >= d.hi) present FROM (SELECT CAST(x AS DATE) AS day,
      CAST(x AS TIMESTAMP) - INTERVAL 8 HOUR AS lo, CAST(x AS TIMESTAMP) + INTERVAL 16 HOUR AS hi
      FROM generate_series(CAST($start AS TIMESTAMP), CAST($end AS TIMESTAMP), INTERVAL 1 DAY)
      t(x)) d JOIN memberships s ON s.joined_at < d.hi AND coalesce(s.left_at,
      TIMESTAMP '9999-12-31') >= d.lo GROUP BY 1""",
              {k: p[k] for k in ("start", "end")})
    snap.rows("""SELECT CAST(ts + INTERVAL 8 HOUR AS DATE) d, count(DISTINCT member_id)
      FROM events WHERE kind = 'message' AND group_id IS NOT NULL AND ts >= $lo AND ts < $hi
      GROUP BY 1""", {k: p[k] for k in ("lo", "hi")})
    snap.rows("""SELECT count(DISTINCT member_id) FROM memberships WHERE joined_at < $hi AND
      coalesce(left_at, TIMESTAMP '9999-12-31') >= $lo""", {k: p[k] for k in ("lo", "hi")})
    snap.rows("""SELECT count(*), count(*) FILTER (WHERE coalesce(left_at, TIMESTAMP
      '9999-12-31') >= joined_at + INTERVAL 30 DAY) FROM memberships WHERE
      joined_at + INTERVAL 30 DAY >= $lo AND joined_at + INTERVAL 30 DAY < $hi""",
              {k: p[k] for k in ("lo", "hi")})
    snap.rows("SELECT count(*) FROM groups WHERE created_at >= $lo AND created_at < $hi",
              {k: p[k] for k in ("lo", "hi")})
    snap.rows("SELECT count(*) FROM members WHERE registered_at >= $lo AND registered_at < $hi",
              {k: p[k] for k in ("lo", "hi")})


def bare_read_write(engine, merchant_id: int, out: Path) -> int:
    """The baseline: the same SELECTs (same rows, same derived columns) through a bare DBAPI
    cursor, `fetchall`, one Arrow array per column, one Parquet file per table."""
    import pyarrow.parquet as pq

    dialect, rows = engine.dialect.name, 0
    raw = engine.raw_connection()
    try:
        for spec in source.specs(dialect):
            reader = source.Reader(raw, dialect)
            cur = raw.cursor()
            cur.execute(reader._sql(f"{reader._select(spec)} ORDER BY {spec.id}"),
                        {"m": merchant_id})
            fetched = cur.fetchall()
            cur.close()
            columns = list(zip(*fetched, strict=True)) if fetched else [()] * len(spec.columns)
            table = pa.table([pa.array(v).cast(t) if t == source.TS else pa.array(v, t)
                              for (_, _, t), v in zip(spec.columns, columns, strict=True)],
                             schema=spec.schema)
            pq.write_table(table, out / f"{spec.name}.parquet", compression="zstd")
            rows += table.num_rows
    finally:
        raw.rollback()
        raw.close()
    return rows


def _backend(db: str):
    from _common import postgres_url

    return sqlite_url() if db == "sqlite" else postgres_url()


def bench_refresh(sim_members: int, db: str = "sqlite", rounds: int = 5) -> dict:
    """First refresh (into an empty folder) through the real path against the bare read,
    alternating which goes first, after one untimed warm-up of each; then a refresh with
    nothing changed. Wall and this process's CPU time (on a shared machine the CPU ratio is
    the steadier one; on PostgreSQL it leaves out the server's share, equal on both sides)."""
    from siyu.core.clock import BEIJING, FixedClock
    from siyu.db.engine import transaction
    from siyu.merchants.service import create_merchant
    from siyu.runtime import open_runtime
    from siyu.sim.runner import SimConfig, simulate

    with _backend(db) as url, tempfile.TemporaryDirectory() as out:
        rt = open_runtime(url, clock=FixedClock(datetime(2026, 1, 31, 12, tzinfo=BEIJING)))
        with transaction(rt.sessions) as s:
            m, _ = create_merchant(s, "bench")
            simulate(s, m.id, SimConfig(members=sim_members, start=date(2026, 1, 1)),
                     now=rt.clock.now())
            mid = m.id
        counter = iter(range(10**6))

        def first() -> tuple[float, float]:
            folder = Path(out) / f"r{next(counter)}"
            t, c = time.perf_counter(), time.process_time()
            report = snapshot.refresh(rt.engine, folder, mid)
            took = time.perf_counter() - t, time.process_time() - c
            sizes.append(sum(report.rows_total.values()))
            return took

        def bare() -> tuple[float, float]:
            folder = Path(out) / f"b{next(counter)}"
            folder.mkdir()
            t, c = time.perf_counter(), time.process_time()
            sizes.append(bare_read_write(rt.engine, mid, folder))
            return time.perf_counter() - t, time.process_time() - c

        sizes: list[int] = []
        first(), bare()  # warm-up: caches, imports, the database's pages
        pairs = []
        for i in range(rounds):
            if i % 2:
                b = bare()
                pairs.append((first(), b))
            else:
                f = first()
                pairs.append((f, bare()))
        assert len(set(sizes)) == 1, sizes  # both read exactly the same rows every time
        again = best(lambda: snapshot.refresh(rt.engine, Path(out) / "r0", mid), 3)
        rt.close()
    rows = sizes[0]
    firsts, bares = [p[0][0] for p in pairs], [p[1][0] for p in pairs]
    ratios = sorted(f / b for f, b in zip(firsts, bares, strict=True))
    cpu = sorted(f[1] / b[1] for f, b in pairs)
    return {"db": db, "sim_members": sim_members, "rows": rows, "rounds": rounds,
            "first_refresh_s": [round(min(firsts), 2), round(max(firsts), 2)],
            "rows_per_s": [round(rows / max(firsts)), round(rows / min(firsts))],
            "bare_read_write_s": [round(min(bares), 2), round(max(bares), 2)],
            "ratio_per_round": [round(ratios[0], 2), round(ratios[len(ratios) // 2], 2),
                                round(ratios[-1], 2)],
            "ratio_of_best": round(min(firsts) / min(bares), 2),
            "cpu_ratio_per_round": [round(cpu[0], 2), round(cpu[len(cpu) // 2], 2),
                                    round(cpu[-1], 2)],
            "unchanged_refresh_s": round(again, 3)}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--members", type=int, default=1_000_000)
    ap.add_argument("--orders", type=int, default=10_000_000)
    ap.add_argument("--events", type=int, default=10_000_000)
    ap.add_argument("--sim-members", type=int, default=10_000)
    ap.add_argument("--db", default="sqlite,postgresql",
                    help="backends of the refresh part, comma-separated")
    ap.add_argument("--rounds", type=int, default=5, help="timed rounds of the refresh part")
    ap.add_argument("--refresh-only", action="store_true", help="skip the DuckDB part")
    args = ap.parse_args()
    out: dict = {}
    for db in args.db.split(","):
        out[f"refresh_{db}"] = bench_refresh(args.sim_members, db, args.rounds)
        print(json.dumps(out[f"refresh_{db}"], ensure_ascii=False), flush=True)
    out["peak_mb_after_refresh"] = round(peak_mb())
    if args.refresh_only:
        print(json.dumps(out, ensure_ascii=False))
        return
    rules = AnalyticsRules.from_settings({})
    with tempfile.TemporaryDirectory() as base:
        folder = snapshot.merchant_dir(base, 1)
        t = time.perf_counter()
        generate(folder, args.members, args.orders, args.events)
        out["generate_s"] = round(time.perf_counter() - t, 1)
        with duck.open_snapshot(base, 1) as snap:
            sizes = snap.one("SELECT (SELECT count(*) FROM members) m, (SELECT count(*) FROM "
                             "orders) o, (SELECT count(*) FROM events) e")
            out["sizes"] = sizes
            siyu_states = best(lambda: states.compute(snap, ASOF, rules.layers, rules.lifecycle),
                               2)
            from siyu.segments.layers import asof_end, window_start

            p = {"asof": ASOF, "end": duck.utc(asof_end(ASOF)),
                 "hv": duck.utc(window_start(ASOF, 30)), "q": duck.utc(window_start(ASOF, 60)),
                 "ev": duck.utc(window_start(ASOF, 30))}
            hand_states = best(lambda: snap.arrow(HAND_RFM_LAYERS, p), 2)
            out["rfm_layers"] = {"siyu_s": round(siyu_states, 2), "hand_s": round(hand_states, 2),
                                 "ratio": round(siyu_states / hand_states, 2),
                                 "note": "siyu also computes the lifecycle and dynamic layer"}
            start, end = date(2026, 1, 2), ASOF
            now = datetime(2026, 2, 1, 12)
            siyu_k = best(lambda: kpis.finish(kpis.raw(snap, start, end, now, "total",
                                                       rules.targets)[0], rules.targets, 30), 2)
            hp = {"lo": duck.day_start(start), "hi": duck.day_end(end), "start": start,
                  "end": end}
            hand_k = best(lambda: hand_kpis(snap, hp), 2)
            out["kpis_30_days"] = {"siyu_s": round(siyu_k, 2), "hand_s": round(hand_k, 2),
                                   "ratio": round(siyu_k / hand_k, 2)}
    out["peak_mb"] = round(peak_mb())
    print(json.dumps(out, ensure_ascii=False, default=str))


if __name__ == "__main__":
    main()
