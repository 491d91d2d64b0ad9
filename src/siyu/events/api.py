"""HTTP: /api/v1/events — batch ingestion (idempotent by key) and listing."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Depends, Query, Request
from sqlalchemy.orm import Session

from siyu.core.clock import parse_datetime
from siyu.core.errors import TooLarge
from siyu.deps import ALL_ROLES, get_now, get_session, require
from siyu.events import service
from siyu.events.models import EVENT_KINDS
from siyu.events.schemas import BatchResult, EventBatch
from siyu.merchants.service import Principal

router = APIRouter(tags=["events 事件"])


@router.post("/events", response_model=BatchResult)
def ingest_events(body: EventBatch, request: Request, session: Session = Depends(get_session),
                  principal: Principal = Depends(require("operator", "cs")),
                  now: datetime = Depends(get_now)):
    limit = request.app.state.runtime.settings.max_event_batch
    if len(body.events) > limit:
        raise TooLarge(f"events: 一批最多 {limit} 条事件, 收到 {len(body.events)}",
                       field="events")
    accepted, duplicates = service.ingest(session, principal.merchant_id, body.events, now=now)
    return BatchResult(accepted=accepted, duplicates=duplicates)


@router.get("/events")
def list_events(
    kind: str | None = Query(default=None, enum=list(EVENT_KINDS)),
    member_id: int | None = None, group_id: int | None = None,
    since: str | None = None, until: str | None = None,
    limit: int = Query(default=100, ge=1, le=1000), offset: int = Query(default=0, ge=0),
    session: Session = Depends(get_session), principal: Principal = Depends(require(*ALL_ROLES)),
):
    rows = service.list_events(
        session, principal.merchant_id, kind=kind, member_id=member_id, group_id=group_id,
        since=parse_datetime(since, "since") if since else None,
        until=parse_datetime(until, "until") if until else None, limit=limit, offset=offset)
    return {"items": [{"id": e.id, "kind": e.kind, "at": e.at, "member_id": e.member_id,
                       "group_id": e.group_id, "payload": e.payload,
                       "idempotency_key": e.idempotency_key} for e in rows]}
