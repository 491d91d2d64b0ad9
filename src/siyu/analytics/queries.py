"""Read use cases behind the API and CLI: KPIs, GMV decomposition, funnels, cohorts,
share trees, stored member states and their history, and the export tables."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from siyu.analytics import behaviour, kpis
from siyu.analytics import service as analytics
from siyu.analytics.models import LayerChange, LifecycleChange, MemberState
from siyu.core.errors import InvalidInput
from siyu.core.money import fmt_yuan
from siyu.db.engine import transaction
from siyu.db.scope import scoped
from siyu.members import repository as members_repo

MAX_DAYS = 366
NO_CAMPAIGNS = ("campaign_id: 按活动统计 KPI 需要活动记录, 而系统中还没有活动 "
                "(活动工作台尚未上线); 请改用 group_id 或 by=day / by=group。"
                " KPIs per campaign need campaign records, and there are no campaigns yet "
                "(the campaign workspace is not built); use group_id, by=day or by=group.")


def check_range(start: date, end: date) -> int:
    if end < start:
        raise InvalidInput("end: 结束日期早于开始日期", field="end")
    days = (end - start).days + 1
    if days > MAX_DAYS:
        raise InvalidInput(f"end: 时间范围最长 {MAX_DAYS} 天", field="end")
    return days


def kpi_report(runtime, merchant_id: int, start: date, end: date, *, by: str = "total",
               group_id: int | None = None, spend_fen: int | None = None,
               campaign_id: int | None = None) -> dict:
    if by not in ("total", "day", "group"):
        raise InvalidInput("by: 可选 total / day / group", field="by")
    if campaign_id is not None:  # no campaign records exist yet (SPEC J): nothing to join
        raise InvalidInput(NO_CAMPAIGNS, field="campaign_id", code="no_campaigns")
    if spend_fen is not None and (spend_fen < 0 or by != "total"):
        raise InvalidInput("spend: 投入须 ≥ 0, 且只用于 by=total", field="spend")
    days = check_range(start, end)
    with transaction(runtime.sessions) as session:
        targets = analytics.rules(session, merchant_id).targets
    now = runtime.clock.now()
    with analytics.open_snapshot(runtime, merchant_id) as snap:
        counts = kpis.raw(snap, start, end, now, by, targets, group_id)
        freshness = analytics.freshness(runtime, merchant_id)
    rows = []
    if by == "total":
        rows.append({"bucket": "total", **kpis.finish(counts.get(0, {}), targets, days,
                                                      spend_fen)})
    elif by == "day":
        for i in range(days):
            d = start + timedelta(days=i)
            rows.append({"bucket": d.isoformat(), **kpis.finish(counts.get(d, {}), targets, 1)})
    else:
        for g in sorted(k for k in counts if k is not None):
            rows.append({"bucket": g, "group_id": g, **kpis.finish(counts[g], targets, days)})
    empty = all(r["empty"] for r in rows)
    doc = {"start": start.isoformat(), "end": end.isoformat(), "by": by, "group_id": group_id,
           "rows": rows, "empty": empty, "snapshot": freshness}
    if empty:
        doc["notes"] = [kpis.EMPTY_RANGE]
    return doc


def gmv_decomposition(runtime, merchant_id: int, before: tuple[date, date],
                      after: tuple[date, date]) -> dict:
    a = kpi_report(runtime, merchant_id, *before)["rows"][0]
    b = kpi_report(runtime, merchant_id, *after)["rows"][0]
    doc = kpis.decompose(a, b)
    doc["periods"] = {"before": [d.isoformat() for d in before],
                      "after": [d.isoformat() for d in after]}
    return doc


def funnel(runtime, merchant_id: int, steps: list[str], start: date, end: date, *,
           window_hours: float = 24.0, by: str | None = None,
           segment_id: int | None = None) -> dict:
    check_range(start, end)
    segment_sql = None
    if by == "segment" or segment_id is not None:
        from siyu.segments import saved

        if segment_id is None:
            raise InvalidInput("segment_id: by=segment 需要 segment_id", field="segment_id")
        segment_sql, by = saved.sql_of(runtime, merchant_id, segment_id), "segment"
    if by in behaviour.BY_STATE or (segment_sql and "states" in segment_sql):
        analytics.ensure_states(runtime, merchant_id)
    with analytics.open_snapshot(runtime, merchant_id) as snap:
        return behaviour.funnel(snap, steps, start, end, window_hours=window_hours, by=by,
                                segment_sql=segment_sql)


def cohorts(runtime, merchant_id: int, start: date, end: date, weeks: int = 8) -> dict:
    check_range(start, end)
    with analytics.open_snapshot(runtime, merchant_id) as snap:
        return behaviour.cohorts(snap, start, end, runtime.clock.now(), weeks)


def share_trees(runtime, merchant_id: int, *, top: int = 20,
                member_id: int | None = None) -> dict:
    if member_id is not None:
        with transaction(runtime.sessions) as session:
            members_repo.require(session, merchant_id, member_id)
    with analytics.open_snapshot(runtime, merchant_id) as snap:
        return behaviour.share_trees(snap, top=top, member_id=member_id)


def _state_dict(s: MemberState, asof: date | None) -> dict:
    recency = (asof - s.last_paid_on).days if asof and s.last_paid_on else None
    return {"member_id": s.member_id, "recency_days": recency, "frequency": s.frequency,
            "monetary": fmt_yuan(s.monetary_fen), "r_score": s.r_score, "f_score": s.f_score,
            "m_score": s.m_score, "rfm_segment": s.rfm_segment, "layer": s.layer,
            "layer_reason": s.layer_reason, "layer_since": s.layer_since,
            "lifecycle": s.lifecycle, "lifecycle_since": s.lifecycle_since,
            "last_paid_on": s.last_paid_on}


def member_states(session: Session, merchant_id: int, *, layer: str | None = None,
                  lifecycle: str | None = None, rfm_segment: str | None = None,
                  limit: int | None = 50, offset: int = 0) -> dict:
    stmt = scoped(MemberState, merchant_id)
    for column, value in ((MemberState.layer, layer), (MemberState.lifecycle, lifecycle),
                          (MemberState.rfm_segment, rfm_segment)):
        if value:
            stmt = stmt.where(column == value)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    stmt = stmt.order_by(MemberState.member_id).offset(offset)
    if limit is not None:
        stmt = stmt.limit(limit)
    asof = analytics.states_asof(session, merchant_id)
    doc = {"asof": asof and asof.isoformat(), "total": total,
           "items": [_state_dict(s, asof) for s in session.scalars(stmt)]}
    if asof is None:
        doc["notes"] = ["还没有计算过会员状态: 先运行 siyu analytics members"]
    return doc


def member_detail(session: Session, merchant_id: int, member_id: int) -> dict:
    members_repo.require(session, merchant_id, member_id)
    state = session.scalars(scoped(MemberState, merchant_id).where(
        MemberState.member_id == member_id)).one_or_none()
    asof = analytics.states_asof(session, merchant_id)
    layers = session.scalars(scoped(LayerChange, merchant_id).where(
        LayerChange.member_id == member_id).order_by(LayerChange.id))
    stages = session.scalars(scoped(LifecycleChange, merchant_id).where(
        LifecycleChange.member_id == member_id).order_by(LifecycleChange.id))
    return {"member_id": member_id, "asof": asof and asof.isoformat(),
            "state": state and _state_dict(state, asof),
            "layer_history": [{"asof": c.asof, "from": c.from_layer, "to": c.to_layer,
                               "reason": c.reason} for c in layers],
            "lifecycle_history": [{"asof": c.asof, "from": c.from_stage, "to": c.to_stage}
                                  for c in stages]}


def changes(session: Session, merchant_id: int, what: str, *, since: date | None = None,
            limit: int = 100, offset: int = 0) -> dict:
    model = LayerChange if what == "layer" else LifecycleChange
    stmt = scoped(model, merchant_id)
    if since is not None:
        stmt = stmt.where(model.asof >= since)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = session.scalars(stmt.order_by(model.id).limit(limit).offset(offset))
    if what == "layer":
        items = [{"member_id": c.member_id, "asof": c.asof, "from": c.from_layer,
                  "to": c.to_layer, "reason": c.reason} for c in rows]
    else:
        items = [{"member_id": c.member_id, "asof": c.asof, "from": c.from_stage,
                  "to": c.to_stage} for c in rows]
    return {"total": total, "items": items}
