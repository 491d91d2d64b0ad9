"""HTTP: /api/v1/audit — read the audit log (owner and legal)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query
from sqlalchemy.orm import Session

from siyu.audit import service
from siyu.core.clock import beijing_iso, parse_datetime
from siyu.core.errors import InvalidInput
from siyu.deps import get_session, require
from siyu.merchants.service import Principal

router = APIRouter(tags=["audit 审计"])


@router.get("/audit")
def list_audit(
    entity: str | None = Query(default=None, max_length=50),
    entity_id: int | None = None,
    actor: str | None = Query(default=None, max_length=100),
    action: str | None = Query(default=None, max_length=50),
    since: str | None = Query(default=None, description="ISO 8601, inclusive"),
    until: str | None = Query(default=None, description="ISO 8601, exclusive"),
    limit: int = Query(default=100, ge=1, le=1000), offset: int = Query(default=0, ge=0),
    session: Session = Depends(get_session), principal: Principal = Depends(require("legal")),
):
    """Who changed what, when, before and after; newest first."""
    start = parse_datetime(since, "since") if since else None
    end = parse_datetime(until, "until") if until else None
    if start is not None and end is not None and end <= start:
        raise InvalidInput("until: 须晚于 since", field="until")
    rows, total = service.search(session, principal.merchant_id, entity=entity,
                                 entity_id=entity_id, actor=actor, action=action, since=start,
                                 until=end, limit=limit, offset=offset)
    return {"items": [
        {"id": r.id, "at": beijing_iso(r.created_at), "actor": r.actor, "action": r.action,
         "entity": r.entity, "entity_id": r.entity_id, "before": r.before, "after": r.after}
        for r in rows], "total": total, "limit": limit, "offset": offset}
