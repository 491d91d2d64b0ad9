"""Use cases of analytics: refresh a merchant's snapshot, open it for queries, compute
and store member states (RFM, layer, lifecycle).

These run at the edge's level (they take the runtime): a snapshot refresh reads through
its own read-only connection, and the member-state computation commits its own
transaction before it publishes `states.parquet`, so the file never shows states the
database does not hold.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from siyu.analytics import duck, snapshot, states, states_store
from siyu.analytics.models import AnalyticsRun
from siyu.analytics.rules import AnalyticsRules
from siyu.core.clock import beijing_date
from siyu.core.errors import InvalidInput
from siyu.db.engine import transaction
from siyu.merchants.service import get_merchant


def base_dir(settings) -> Path:
    if settings.analytics_dir:
        return Path(settings.analytics_dir)
    return snapshot.default_dir(settings.database_url)


def rules(session: Session, merchant_id: int) -> AnalyticsRules:
    return AnalyticsRules.from_settings(get_merchant(session, merchant_id).settings)


def _record(session: Session, merchant_id: int, kind: str, now: datetime, seconds: float,
            figures: dict, asof: date | None = None) -> None:
    session.add(AnalyticsRun(merchant_id=merchant_id, kind=kind, asof=asof, finished_at=now,
                             seconds=round(seconds, 3), figures=figures, created_at=now))
    session.flush()


def last_run(session: Session, merchant_id: int, kind: str) -> AnalyticsRun | None:
    stmt = (select(AnalyticsRun).where(AnalyticsRun.merchant_id == merchant_id,
                                       AnalyticsRun.kind == kind)
            .order_by(AnalyticsRun.id.desc()).limit(1))
    return session.scalars(stmt).first()


def refresh(runtime, merchant_id: int, *, full: bool = False) -> dict:
    """Bring the merchant's snapshot up to date (incremental unless `full`)."""
    now = runtime.clock.now()
    with transaction(runtime.sessions) as session:
        get_merchant(session, merchant_id)
    report = snapshot.refresh(runtime.engine, base_dir(runtime.settings), merchant_id,
                              full=full, now=now)
    with transaction(runtime.sessions) as session:
        _record(session, merchant_id, "refresh", now, report.seconds, report.as_dict())
    return report.as_dict()


def ensure_fresh(runtime, merchant_id: int, max_age: float | None = None) -> dict | None:
    """Refresh when the snapshot is older than `max_age` seconds (default: the setting);
    returns the refresh report, or None when the snapshot was fresh enough."""
    limit = runtime.settings.analytics_max_staleness_seconds if max_age is None else max_age
    folder = snapshot.merchant_dir(base_dir(runtime.settings), merchant_id)
    age = snapshot.age_seconds(snapshot.read_manifest(folder), runtime.clock.now())
    if age is not None and 0 <= age <= limit:
        return None
    return refresh(runtime, merchant_id)


def freshness(runtime, merchant_id: int) -> dict:
    folder = snapshot.merchant_dir(base_dir(runtime.settings), merchant_id)
    manifest = snapshot.read_manifest(folder)
    age = snapshot.age_seconds(manifest, runtime.clock.now())
    return {"refreshed_at": manifest and manifest.get("refreshed_at"),
            "age_seconds": None if age is None else round(age, 1)}


@contextmanager
def open_snapshot(runtime, merchant_id: int, *, fresh: bool = True) -> Iterator[duck.Snapshot]:
    """The merchant's snapshot in DuckDB, refreshed first when stale (and `fresh`)."""
    if fresh:
        ensure_fresh(runtime, merchant_id)
    else:
        with transaction(runtime.sessions) as session:
            get_merchant(session, merchant_id)
    with duck.open_snapshot(base_dir(runtime.settings), merchant_id) as snap:
        yield snap


_DIFF = """
SELECT * EXCLUDE (stored_updated_on)
  REPLACE (CASE WHEN changed THEN updated_on ELSE stored_updated_on END AS updated_on)
FROM (SELECT n.*, p.updated_on AS stored_updated_on,
        (p.member_id IS NULL OR {cmp}) AS changed
      FROM new_states n LEFT JOIN stored_states p USING (member_id))
"""


def compute_member_states(runtime, merchant_id: int, asof: date | None = None) -> dict:
    """RFM, layers and lifecycle of every member as of `asof` (default: today, Beijing),
    stored per member with the history of changes; publishes `states.parquet`."""
    began = time.perf_counter()
    now = runtime.clock.now()
    asof = asof or beijing_date(now)
    refresh(runtime, merchant_id)
    base = base_dir(runtime.settings)
    with transaction(runtime.sessions) as session:
        r = rules(session, merchant_id)
        last = last_run(session, merchant_id, "member_states")
        if last is not None and last.asof is not None and asof < last.asof:
            raise InvalidInput(f"asof: 早于上次计算的日期 {last.asof} (状态历史只能向前)",
                               field="asof")
        stored = states_store.read_stored(session, merchant_id)
        with duck.open_snapshot(base, merchant_id) as snap:
            new = states.compute(snap, asof, r.layers, r.lifecycle,
                                 stored.select([f.name for f in states.PREV_SCHEMA]))
            snap.con.register("new_states", new)
            snap.con.register("stored_states", stored)
            cmp = " OR ".join(f"n.{c} IS DISTINCT FROM p.{c}" for c in states_store.COMPARED)
            merged = snap.arrow(_DIFF.format(cmp=cmp))
            removed = snap.rows("SELECT member_id FROM stored_states ANTI JOIN new_states "
                                "USING (member_id)")
        changed_rows = merged.filter(merged["changed"]).to_pylist()
        figures = states_store.write(session, merchant_id, changed_rows,
                                     [x["member_id"] for x in removed], asof, now)
        figures["members"] = new.num_rows
        seconds = time.perf_counter() - began
        figures["seconds"] = round(seconds, 3)
        _record(session, merchant_id, "member_states", now, seconds, figures, asof)
    published = merged.select([f.name for f in duck.STATE_SCHEMA]).cast(duck.STATE_SCHEMA)
    snapshot.write_parquet(published, snapshot.merchant_dir(base, merchant_id) / "states.parquet")
    return {"asof": asof.isoformat(), **figures}


def states_asof(session: Session, merchant_id: int) -> date | None:
    run = last_run(session, merchant_id, "member_states")
    return run.asof if run else None


def ensure_states(runtime, merchant_id: int) -> date | None:
    """Compute member states for today unless today's are stored; returns their asof."""
    today = beijing_date(runtime.clock.now())
    with transaction(runtime.sessions) as session:
        asof = states_asof(session, merchant_id)
    if asof is None or asof < today:
        compute_member_states(runtime, merchant_id, today)
        return today
    return asof
