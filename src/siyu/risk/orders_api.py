"""HTTP: /api/v1/risk — the order-risk sweep, its hits, and actions on risky orders."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from fastapi import APIRouter, Depends, Query
from sqlalchemy.orm import Session

from siyu.deps import ALL_ROLES, get_now, get_session, require
from siyu.merchants.service import Principal
from siyu.orders import service as orders
from siyu.risk import orders_service as service
from siyu.risk import repository as repo
from siyu.risk.orders_engine import RULES
from siyu.risk.schemas import OrderActionIn, SweepIn

router = APIRouter(prefix="/risk", tags=["risk 风控合规"])

ACTORS = ("operator", "cs", "legal")


@router.post("/orders/sweep")
def sweep(body: SweepIn | None = None, session: Session = Depends(get_session),
          principal: Principal = Depends(require(*ACTORS)), now: datetime = Depends(get_now)):
    """Run every order-risk rule over the orders placed in [since, until); by default the
    hits are kept (a re-run updates them) and new ones open incidents. `hold` holds each
    pending or paid order hit once, its audit entry naming the rules and evidence (saved
    or not)."""
    body = body or SweepIn()
    hits = service.run_sweep(session, principal.merchant_id, since=body.since, until=body.until,
                             now=now, actor=principal.actor, save=body.save, hold=body.hold)
    return {"hits": hits, "total": len(hits)}


@router.get("/hits")
def list_hits(
    rule: Literal[RULES] | None = None,  # type: ignore[valid-type]
    limit: int = Query(default=50, ge=1, le=500), offset: int = Query(default=0, ge=0),
    session: Session = Depends(get_session), principal: Principal = Depends(require(*ALL_ROLES)),
):
    rows, total = repo.search_hits(session, principal.merchant_id, rule=rule, limit=limit,
                                   offset=offset)
    return {"items": [service.hit_to_dict(h) for h in rows], "total": total, "limit": limit,
            "offset": offset}


@router.get("/hits/{hit_id}")
def get_hit(hit_id: int, session: Session = Depends(get_session),
            principal: Principal = Depends(require(*ALL_ROLES))):
    return service.hit_to_dict(repo.require_hit(session, principal.merchant_id, hit_id))


@router.post("/orders/{order_id}/{action}")
def order_action(order_id: int, action: Literal["hold", "release", "intercept", "refund"],
                 body: OrderActionIn | None = None, session: Session = Depends(get_session),
                 principal: Principal = Depends(require(*ACTORS)),
                 now: datetime = Depends(get_now)):
    """hold (冻结), release (解冻), intercept (拦截: cancel, stock back, refund if paid),
    refund (退款). Each change is audit-logged; repeating hold/intercept/refund changes
    nothing (`changed: false`). A `hit_id` must be a hit whose evidence names this order
    (else 422 on `hit_id`); the audit entry quotes its evidence."""
    body = body or OrderActionIn()
    order, changed = service.act(session, principal.merchant_id, order_id, action, now=now,
                                 actor=principal.actor, reason=body.reason, hit_id=body.hit_id)
    out = orders.get(session, principal.merchant_id, order.id)
    return {"order": out, "changed": changed}
