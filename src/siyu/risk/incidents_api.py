"""HTTP: /api/v1/risk/incidents (three-tier escalation with timers) and /risk/rates
(dispute and complaint rates per group and campaign)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Literal

from fastapi import APIRouter, Depends, Query
from sqlalchemy.orm import Session

from siyu.core.clock import parse_datetime
from siyu.core.errors import InvalidInput
from siyu.deps import ALL_ROLES, get_now, get_session, require
from siyu.merchants.service import Principal
from siyu.risk import incidents_service as service
from siyu.risk.rates import BASIS
from siyu.risk.schemas import IncidentIn, NoteIn, ResolveIn

router = APIRouter(prefix="/risk", tags=["risk 风控合规"])

OPENERS = ("operator", "cs", "legal", "planner")
HANDLERS = ("operator", "cs", "legal")


@router.post("/incidents", status_code=201)
def open_incident(body: IncidentIn, session: Session = Depends(get_session),
                  principal: Principal = Depends(require(*OPENERS)),
                  now: datetime = Depends(get_now)):
    """Record a complaint (or an incident by hand): graded into a tier, routed to the
    tier's team, with a response timer."""
    incident = service.open_incident(
        session, principal.merchant_id, source=body.source, title=body.title,
        detail=body.detail, tier=body.tier, member_id=body.member_id, order_id=body.order_id,
        group_id=body.group_id, campaign=body.campaign, now=now, actor=principal.actor)
    return service.to_dict(incident)


@router.get("/incidents")
def list_incidents(
    status: Literal["open", "acknowledged", "resolved"] | None = None,
    tier: Literal["ordinary", "major", "extreme"] | None = None,
    source: Literal["complaint", "risk_hit", "manual"] | None = None,
    group_id: int | None = None, campaign: str | None = Query(default=None, max_length=100),
    overdue: bool = False,
    limit: int = Query(default=50, ge=1, le=500), offset: int = Query(default=0, ge=0),
    session: Session = Depends(get_session), principal: Principal = Depends(require(*ALL_ROLES)),
    now: datetime = Depends(get_now),
):
    rows, total = service.search(session, principal.merchant_id, status=status, tier=tier,
                                 source=source, group_id=group_id, campaign=campaign,
                                 overdue_at=now if overdue else None, limit=limit,
                                 offset=offset)
    return {"items": [service.to_dict(i) for i in rows], "total": total, "limit": limit,
            "offset": offset}


@router.post("/incidents/escalate-due")
def escalate_due(session: Session = Depends(get_session),
                 principal: Principal = Depends(require("operator", "legal")),
                 now: datetime = Depends(get_now)):
    """Run the timer job now for this merchant's incidents (the scheduler runs it for all)."""
    return {"escalated": service.escalate_due(session, now=now,
                                              merchant_id=principal.merchant_id)}


@router.get("/incidents/{incident_id}")
def get_incident(incident_id: int, session: Session = Depends(get_session),
                 principal: Principal = Depends(require(*ALL_ROLES))):
    return service.to_dict(service.get(session, principal.merchant_id, incident_id))


@router.post("/incidents/{incident_id}/acknowledge")
def acknowledge(incident_id: int, body: NoteIn | None = None,
                session: Session = Depends(get_session),
                principal: Principal = Depends(require(*HANDLERS)),
                now: datetime = Depends(get_now)):
    """The tier's team answers (the response timer stops, the resolution timer starts)."""
    incident = service.acknowledge(session, principal.merchant_id, incident_id,
                                   role=principal.role, actor=principal.actor, now=now,
                                   note=body.note if body else None)
    return service.to_dict(incident)


@router.post("/incidents/{incident_id}/resolve")
def resolve(incident_id: int, body: ResolveIn, session: Session = Depends(get_session),
            principal: Principal = Depends(require(*HANDLERS)),
            now: datetime = Depends(get_now)):
    incident = service.resolve(session, principal.merchant_id, incident_id,
                               role=principal.role, actor=principal.actor, now=now,
                               resolution=body.resolution)
    return service.to_dict(incident)


@router.post("/incidents/{incident_id}/escalate")
def escalate(incident_id: int, body: NoteIn | None = None,
             session: Session = Depends(get_session),
             principal: Principal = Depends(require(*HANDLERS)),
             now: datetime = Depends(get_now)):
    """Move the incident up one tier by hand."""
    incident = service.escalate(session, principal.merchant_id, incident_id,
                                actor=principal.actor, now=now,
                                note=body.note if body else None)
    return service.to_dict(incident)


@router.get("/rates")
def rates(by: Literal["group", "campaign"] = "group", since: str | None = None,
          until: str | None = None, session: Session = Depends(get_session),
          principal: Principal = Depends(require(*ALL_ROLES)),
          now: datetime = Depends(get_now)):
    """Dispute rate (纠纷率) and complaint rate (投诉率) per group or campaign over
    [since, until); default: the last 24 hours. `basis` says what each rate counts: both
    are over the distinct orders paid, so neither passes 100%."""
    end = parse_datetime(until, "until") if until else now
    start = parse_datetime(since, "since") if since else end - timedelta(hours=24)
    if end <= start:
        raise InvalidInput("until: 须晚于 since", field="until")
    rows = service.rate_rows(session, principal.merchant_id, since=start, until=end, by=by)
    return {"by": by, "since": start, "until": end, "basis": BASIS,
            "items": [r.to_dict(by) for r in rows]}
