"""HTTP: /api/v1/analytics — snapshot refresh, member states (RFM, layers, lifecycle),
KPIs, GMV decomposition, funnels, cohorts, share trees, rules, exports; A/B experiments
under /api/v1/analytics/experiments. Thin: parse, call the use case, answer."""

from __future__ import annotations

from datetime import date, datetime

from fastapi import APIRouter, Body, Depends, Query, Response
from sqlalchemy.orm import Session

from siyu.abtest import experiments
from siyu.analytics import export, queries
from siyu.analytics import service as analytics
from siyu.analytics.rules import AnalyticsRules
from siyu.core.clock import to_beijing
from siyu.core.errors import InvalidInput
from siyu.core.money import parse_yuan
from siyu.deps import (
    ALL_ROLES,
    get_now,
    get_runtime,
    get_session,
    require,
    require_released,
)
from siyu.merchants.service import Principal, set_setting

router = APIRouter(prefix="/analytics", tags=["analytics 数据分析"])
RUNNERS = ("operator", "analyst", "planner")
READERS = ALL_ROLES
RULE_KEYS = ("kpi_targets", "layer_rules", "lifecycle_rules")


def _file(fmt: str, name: str, columns, rows, now: datetime, **kw) -> Response:
    body = export.render(fmt, name, columns, rows, **kw)
    filename = f"{name}-{to_beijing(now):%Y%m%d-%H%M%S}.{fmt}"
    return Response(body, media_type=export.MEDIA[fmt],
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@router.post("/refresh")
def refresh(full: bool = False, runtime=Depends(get_runtime),
            principal: Principal = Depends(require_released(*RUNNERS))):
    """增量刷新分析快照 (full=true 全量重建)。"""
    return analytics.refresh(runtime, principal.merchant_id, full=full)


@router.get("/snapshot")
def snapshot_status(runtime=Depends(get_runtime),
                    principal: Principal = Depends(require_released(*READERS))):
    return analytics.freshness(runtime, principal.merchant_id)


@router.get("/rules")
def get_rules(session: Session = Depends(get_session),
              principal: Principal = Depends(require(*READERS))):
    return analytics.rules(session, principal.merchant_id).as_dict()


@router.put("/rules")
def put_rules(body: dict = Body(...), session: Session = Depends(get_session),
              principal: Principal = Depends(require("operator", "analyst"))):
    """Replace some of kpi_targets / layer_rules / lifecycle_rules (money in fen)."""
    unknown = sorted(set(body) - set(RULE_KEYS))
    if unknown:
        raise InvalidInput(f"{unknown[0]}: 未知设置 (可选 {', '.join(RULE_KEYS)})",
                           field=unknown[0])
    current = analytics.rules(session, principal.merchant_id).as_dict()
    merged = {k: {**current[k], **(body.get(k) or {})} for k in RULE_KEYS}
    AnalyticsRules.from_settings(merged)  # validates
    for key in body:
        set_setting(session, principal.merchant_id, key, merged[key])
    return merged


@router.post("/members/compute")
def compute_members(asof: date | None = Body(default=None, embed=True),
                    runtime=Depends(get_runtime),
                    principal: Principal = Depends(require_released(*RUNNERS))):
    """计算全部会员的 RFM、分层与生命周期 (默认今天), 存储变化与历史。"""
    return analytics.compute_member_states(runtime, principal.merchant_id, asof)


@router.get("/members")
def list_member_states(
    layer: str | None = None, lifecycle: str | None = None, rfm_segment: str | None = None,
    limit: int = Query(default=50, ge=1, le=1000), offset: int = Query(default=0, ge=0),
    format: str | None = Query(default=None, description="csv / xlsx: 导出全部"),
    session: Session = Depends(get_session), now: datetime = Depends(get_now),
    principal: Principal = Depends(require(*READERS)),
):
    doc = queries.member_states(session, principal.merchant_id, layer=layer,
                                lifecycle=lifecycle, rfm_segment=rfm_segment,
                                limit=None if format else limit, offset=0 if format else offset)
    if format:
        return _file(format, "member-states", export.STATE_COLUMNS, export.state_rows(doc), now,
                     kinds=export.STATE_KINDS)
    return doc


@router.get("/members/{member_id}")
def member_state(member_id: int, session: Session = Depends(get_session),
                 principal: Principal = Depends(require(*READERS))):
    return queries.member_detail(session, principal.merchant_id, member_id)


@router.get("/layer-changes")
def layer_changes(since: date | None = None, limit: int = Query(default=100, ge=1, le=1000),
                  offset: int = Query(default=0, ge=0), session: Session = Depends(get_session),
                  principal: Principal = Depends(require(*READERS))):
    return queries.changes(session, principal.merchant_id, "layer", since=since, limit=limit,
                           offset=offset)


@router.get("/lifecycle-changes")
def lifecycle_changes(since: date | None = None, limit: int = Query(default=100, ge=1, le=1000),
                      offset: int = Query(default=0, ge=0),
                      session: Session = Depends(get_session),
                      principal: Principal = Depends(require(*READERS))):
    return queries.changes(session, principal.merchant_id, "lifecycle", since=since,
                           limit=limit, offset=offset)


@router.get("/kpis")
def kpis(start: date, end: date, by: str = "total", group_id: int | None = None,
         spend: str | None = Query(default=None, description="投入 (元), 用于 ROI"),
         campaign_id: int | None = None,
         format: str | None = Query(default=None, description="csv / xlsx"),
         runtime=Depends(get_runtime), now: datetime = Depends(get_now),
         principal: Principal = Depends(require_released(*READERS))):
    """种子 001 的 KPI 与目标, GMV/UV/CVR/AOV/复购/纠纷/NPS/ROI; by = total / day / group。"""
    spend_fen = None if spend is None else parse_yuan(spend, "spend")
    doc = queries.kpi_report(runtime, principal.merchant_id, start, end, by=by,
                             group_id=group_id, spend_fen=spend_fen, campaign_id=campaign_id)
    if format:
        return _file(format, f"kpis-{by}", export.KPI_COLUMNS, export.kpi_rows(doc), now,
                     kinds=export.KPI_KINDS, notes=export.KPI_NOTES)
    return doc


@router.get("/gmv-decomposition")
def gmv_decomposition(before_start: date, before_end: date, after_start: date,
                      after_end: date, runtime=Depends(get_runtime),
                      principal: Principal = Depends(require_released(*READERS))):
    """GMV = UV × CVR × AOV: 两个时期之间哪个因素变了 (对数分解)。"""
    return queries.gmv_decomposition(runtime, principal.merchant_id,
                                     (before_start, before_end), (after_start, after_end))


@router.get("/funnel")
def funnel(steps: str = Query(..., description="逗号分隔, 如 view,add_to_cart,pay"),
           start: date = Query(...), end: date = Query(...),
           window_hours: float = Query(default=24.0, gt=0, le=24 * 90),
           by: str | None = None, segment_id: int | None = None,
           runtime=Depends(get_runtime),
           principal: Principal = Depends(require_released(*READERS))):
    return queries.funnel(runtime, principal.merchant_id,
                          [s.strip() for s in steps.split(",") if s.strip()], start, end,
                          window_hours=window_hours, by=by, segment_id=segment_id)


@router.get("/cohorts")
def cohorts(start: date, end: date, weeks: int = Query(default=8, ge=1, le=52),
            runtime=Depends(get_runtime),
            principal: Principal = Depends(require_released(*READERS))):
    return queries.cohorts(runtime, principal.merchant_id, start, end, weeks)


@router.get("/share-trees")
def share_trees(top: int = Query(default=20, ge=1, le=500), member_id: int | None = None,
                runtime=Depends(get_runtime),
                principal: Principal = Depends(require_released(*READERS))):
    return queries.share_trees(runtime, principal.merchant_id, top=top, member_id=member_id)


# ---- A/B experiments -----------------------------------------------------------------


@router.post("/experiments", status_code=201)
def create_experiment(body: dict = Body(...), session: Session = Depends(get_session),
                      now: datetime = Depends(get_now),
                      principal: Principal = Depends(require("operator", "planner"))):
    allowed = {"key", "name", "variants", "metric", "goal", "window_days", "min_lift"}
    extra = sorted(set(body) - allowed)
    if extra:
        raise InvalidInput(f"{extra[0]}: 未知字段", field=extra[0])
    row = experiments.create(session, principal.merchant_id, now=now,
                             key=body.get("key") or "", name=body.get("name") or "",
                             variants=body.get("variants") or [],
                             metric=body.get("metric", "conversion"),
                             goal=body.get("goal", "pay"),
                             window_days=int(body.get("window_days", 7)),
                             min_lift=body.get("min_lift"))
    return experiments.to_dict(row)


@router.get("/experiments")
def list_experiments(session: Session = Depends(get_session),
                     principal: Principal = Depends(require(*READERS))):
    return {"items": [experiments.to_dict(r)
                      for r in experiments.list_experiments(session, principal.merchant_id)]}


@router.get("/experiments/{experiment_id}")
def get_experiment(experiment_id: int, session: Session = Depends(get_session),
                   principal: Principal = Depends(require(*READERS))):
    row = experiments.get(session, principal.merchant_id, experiment_id)
    return {**experiments.to_dict(row),
            "exposed": experiments.exposure_counts(session, principal.merchant_id, row.id)}


@router.get("/experiments/{experiment_id}/assignment")
def assignment(experiment_id: int, member_id: int, session: Session = Depends(get_session),
               principal: Principal = Depends(require(*READERS))):
    variant = experiments.assign(session, principal.merchant_id, experiment_id, member_id)
    return {"experiment_id": experiment_id, "member_id": member_id, "variant": variant}


@router.post("/experiments/{experiment_id}/exposures")
def expose(experiment_id: int, member_id: int = Body(..., embed=True),
           session: Session = Depends(get_session), now: datetime = Depends(get_now),
           principal: Principal = Depends(require("operator", "cs", "planner"))):
    return experiments.expose(session, principal.merchant_id, experiment_id, member_id, now=now)


@router.post("/experiments/{experiment_id}/stop")
def stop_experiment(experiment_id: int, session: Session = Depends(get_session),
                    now: datetime = Depends(get_now),
                    principal: Principal = Depends(require("operator", "planner"))):
    return experiments.to_dict(experiments.stop(session, principal.merchant_id, experiment_id,
                                                now=now))


@router.get("/experiments/{experiment_id}/results")
def experiment_results(experiment_id: int, alpha: float = 0.05, runtime=Depends(get_runtime),
                       principal: Principal = Depends(require_released(*READERS))):
    return experiments.results(runtime, principal.merchant_id, experiment_id, alpha=alpha)
