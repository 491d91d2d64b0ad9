"""Use cases of A/B experiments: create, assign (a hash, `assign`), log exposures, and
results through the statistics of `abtest.engine` with a verdict.

Results: every exposed member counts in the variant they were assigned. Conversion
metric: the member converts when, after their first exposure and within `window_days`
(and before the experiment ended), they pay an order (goal "pay": a paid order that is
not refunded or cancelled) or send an event of the goal kind. Mean metric: the member's
paid order value in yuan in that window (0 when none), compared with Welch's t-test.
Each variant is compared with the first (the control); the verdict says "not enough
data yet" with the sample still needed while it is short.
"""

from __future__ import annotations

from datetime import datetime

import pyarrow as pa
from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from siyu.abtest import engine
from siyu.abtest.assign import check_variants, variant_of
from siyu.abtest.models import Experiment, Exposure
from siyu.analytics import service as analytics
from siyu.analytics.duck import utc
from siyu.core.errors import Conflict, InvalidInput
from siyu.db.engine import transaction
from siyu.db.scope import require_scoped, scoped
from siyu.events.models import EVENT_KINDS
from siyu.members import service as members

METRICS = ("conversion", "mean")


def create(session: Session, merchant_id: int, *, key: str, name: str, variants: list[dict],
           now: datetime, metric: str = "conversion", goal: str = "pay", window_days: int = 7,
           min_lift: float | None = None) -> Experiment:
    key = (key or "").strip()
    if not key or len(key) > 64:
        raise InvalidInput("key: 实验标识须为 1–64 字", field="key")
    if session.scalars(scoped(Experiment, merchant_id).where(Experiment.key == key)).first():
        raise Conflict(f"key: 实验 {key} 已存在", field="key", code="duplicate_experiment")
    if metric not in METRICS:
        raise InvalidInput("metric: 须为 conversion 或 mean", field="metric")
    if goal not in EVENT_KINDS:
        raise InvalidInput(f"goal: 未知事件类型 {goal!r}", field="goal")
    if metric == "mean" and goal != "pay":
        raise InvalidInput("goal: 均值指标只支持 pay (订单金额)", field="goal")
    if not 1 <= window_days <= 365:
        raise InvalidInput("window_days: 须在 1–365 之间", field="window_days")
    if min_lift is not None and not 0 < min_lift < 10:
        raise InvalidInput("min_lift: 须在 0 与 10 之间", field="min_lift")
    row = Experiment(merchant_id=merchant_id, key=key, name=(name or key)[:200],
                     variants=check_variants(variants), metric=metric, goal=goal,
                     window_days=window_days, min_lift=min_lift, status="running",
                     started_at=now, created_at=now)
    session.add(row)
    session.flush()
    return row


def get(session: Session, merchant_id: int, experiment_id: int) -> Experiment:
    return require_scoped(session, Experiment, merchant_id, experiment_id, "experiment")


def list_experiments(session: Session, merchant_id: int) -> list[Experiment]:
    return list(session.scalars(scoped(Experiment, merchant_id).order_by(Experiment.id)))


def stop(session: Session, merchant_id: int, experiment_id: int, *, now: datetime) -> Experiment:
    row = get(session, merchant_id, experiment_id)
    if row.status != "stopped":
        row.status, row.ended_at = "stopped", now
        session.flush()
    return row


def to_dict(row: Experiment) -> dict:
    return {"id": row.id, "key": row.key, "name": row.name, "variants": row.variants,
            "metric": row.metric, "goal": row.goal, "window_days": row.window_days,
            "min_lift": row.min_lift, "status": row.status, "started_at": row.started_at,
            "ended_at": row.ended_at}


def assign(session: Session, merchant_id: int, experiment_id: int, member_id: int) -> str:
    row = get(session, merchant_id, experiment_id)
    members.require_active(session, merchant_id, member_id)
    return variant_of(row.key, row.variants, member_id)


def expose(session: Session, merchant_id: int, experiment_id: int, member_id: int, *,
           now: datetime) -> dict:
    """Log that the member saw the experiment; the first exposure's time is kept."""
    row = get(session, merchant_id, experiment_id)
    members.require_active(session, merchant_id, member_id)
    if row.status != "running":
        raise Conflict("experiment: 实验已停止", field="experiment", code="experiment_stopped")
    variant = variant_of(row.key, row.variants, member_id)
    values = {"merchant_id": merchant_id, "experiment_id": row.id, "member_id": member_id,
              "variant": variant, "exposed_at": now, "exposures": 1, "created_at": now}
    dialect = session.get_bind().dialect.name
    ins = (pg_insert if dialect == "postgresql" else sqlite_insert)(Exposure).values(values)
    session.execute(ins.on_conflict_do_update(
        index_elements=["experiment_id", "member_id"],
        set_={"exposures": Exposure.exposures + 1}))
    session.flush()
    return {"experiment_id": row.id, "member_id": member_id, "variant": variant}


def exposure_counts(session: Session, merchant_id: int, experiment_id: int) -> dict[str, int]:
    stmt = (select(Exposure.variant, func.count()).where(
        Exposure.merchant_id == merchant_id, Exposure.experiment_id == experiment_id)
        .group_by(Exposure.variant))
    return {v: int(n) for v, n in session.execute(stmt)}


def _exposures(session: Session, merchant_id: int, experiment_id: int) -> pa.Table:
    stmt = select(Exposure.member_id, Exposure.variant, Exposure.exposed_at).where(
        Exposure.merchant_id == merchant_id, Exposure.experiment_id == experiment_id)
    rows = session.execute(stmt).all()
    return pa.table({"member_id": pa.array([r[0] for r in rows], pa.int64()),
                     "variant": pa.array([r[1] for r in rows], pa.string()),
                     "exposed_at": pa.array([utc(r[2]) for r in rows], pa.timestamp("us"))})


def _outcomes_sql(exp: Experiment, end: datetime | None) -> str:
    until = f" AND {{t}} < TIMESTAMP '{utc(end)}'" if end else ""
    win = f"x.exposed_at + INTERVAL {int(exp.window_days)} DAY"
    if exp.goal == "pay":
        src = ("SELECT member_id, paid_at AS t, total_fen FROM orders WHERE paid_at IS NOT NULL "
               "AND status NOT IN ('refunded', 'cancelled')")
    else:
        src = (f"SELECT member_id, ts AS t, 0 AS total_fen FROM events "
               f"WHERE kind = '{exp.goal}'")
    return f"""
SELECT x.member_id, x.variant, count(o.member_id) > 0 AS converted,
  coalesce(sum(o.total_fen), 0) / 100.0 AS value
FROM exposures x LEFT JOIN ({src}) o ON o.member_id = x.member_id
  AND o.t >= x.exposed_at AND o.t < {win}{until.format(t='o.t')}
GROUP BY x.member_id, x.variant"""


def results(runtime, merchant_id: int, experiment_id: int, *, alpha: float = 0.05) -> dict:
    engine.check_alpha(alpha, "alpha")
    with transaction(runtime.sessions) as session:
        exp = get(session, merchant_id, experiment_id)
        exposures = _exposures(session, merchant_id, experiment_id)
    with analytics.open_snapshot(runtime, merchant_id) as snap:
        snap.con.register("exposures", exposures)
        listed = ", list(value) AS v" if exp.metric == "mean" else ""
        per = snap.rows(f"SELECT variant, count(*) AS n, count(*) FILTER (WHERE converted) AS c, "
                        f"avg(value) AS mean, coalesce(stddev_samp(value), 0) AS sd{listed} "
                        f"FROM ({_outcomes_sql(exp, exp.ended_at)}) GROUP BY variant")
    values = {r["variant"]: r["v"] for r in per} if exp.metric == "mean" else {}
    stats = {r["variant"]: r for r in per}
    names = [v["name"] for v in exp.variants]
    arms = [{"variant": n, "exposed": int(stats.get(n, {}).get("n", 0)),
             "conversions": int(stats.get(n, {}).get("c", 0)),
             "mean": float(stats.get(n, {}).get("mean") or 0.0),
             "sd": float(stats.get(n, {}).get("sd") or 0.0)} for n in names]
    comparisons = [_compare(exp, arms[0], arm, values, alpha) for arm in arms[1:]]
    return {"experiment": to_dict(exp), "alpha": alpha, "arms": arms,
            "comparisons": comparisons}


def _compare(exp: Experiment, a: dict, b: dict, values: dict, alpha: float) -> dict:
    doc = {"control": a["variant"], "variant": b["variant"]}
    min_per_arm = 2 if exp.metric == "mean" else 1
    if a["exposed"] < min_per_arm or b["exposed"] < min_per_arm:
        needed = 100
        more = max(needed - min(a["exposed"], b["exposed"]), 0)
        doc.update(result=None, verdict={
            "status": "not_enough_data", "needed_per_arm": needed, "more_per_arm": more,
            "message": f"数据还不够 (not enough data yet): 每组需要约 {needed} 个样本, "
                       f"还差 {more} 个"})
        return doc
    if exp.metric == "mean":
        result = engine.welch_test(engine.MeanSample.of(values.get(a["variant"], [])),
                                   engine.MeanSample.of(values.get(b["variant"], [])), alpha)
    else:
        result = engine.proportion_test(engine.Arm(a["exposed"], a["conversions"]),
                                        engine.Arm(b["exposed"], b["conversions"]), alpha)
    verdict = engine.verdict(result, min_lift=exp.min_lift, alpha=alpha)
    doc.update(result=result, verdict=verdict.as_dict())
    return doc
