"""HTTP: /api/v1/orders — place (Idempotency-Key), pay (Idempotency-Key), get, list."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Depends, Header, Query, Response
from sqlalchemy.orm import Session

from siyu.core.clock import parse_datetime
from siyu.deps import ALL_ROLES, get_now, get_session, require
from siyu.merchants.service import Principal
from siyu.orders import service
from siyu.orders.models import ORDER_STATUSES
from siyu.orders.schemas import OrderIn, OrderOut

router = APIRouter(tags=["orders 订单"])


@router.post("/orders", response_model=OrderOut, status_code=201)
def place_order(body: OrderIn, response: Response, session: Session = Depends(get_session),
                principal: Principal = Depends(require("operator", "cs")),
                now: datetime = Depends(get_now),
                idempotency_key: str | None = Header(default=None, max_length=100)):
    order, created = service.place(session, principal.merchant_id, body, now=now,
                                   idempotency_key=idempotency_key)
    if not created:
        response.status_code = 200
    return service.to_out(session, principal.merchant_id, [order])[0]


@router.post("/orders/{order_id}/pay", response_model=OrderOut)
def pay_order(order_id: int, session: Session = Depends(get_session),
              principal: Principal = Depends(require("operator", "cs")),
              now: datetime = Depends(get_now),
              idempotency_key: str | None = Header(default=None, max_length=100)):
    """支付: a pending order becomes paid; a retry with the same Idempotency-Key returns
    the paid order; otherwise 409 order_not_payable (paid, cancelled, flash-sale order
    released or past its payment window)."""
    order, _ = service.pay(session, principal.merchant_id, order_id, now=now,
                           idempotency_key=idempotency_key)
    return service.to_out(session, principal.merchant_id, [order])[0]


@router.get("/orders/{order_id}", response_model=OrderOut)
def get_order(order_id: int, session: Session = Depends(get_session),
              principal: Principal = Depends(require(*ALL_ROLES))):
    return service.get(session, principal.merchant_id, order_id)


@router.get("/orders")
def list_orders(
    member_id: int | None = None,
    status: str | None = Query(default=None, enum=list(ORDER_STATUSES)),
    since: str | None = None, until: str | None = None,
    limit: int = Query(default=50, ge=1, le=500), offset: int = Query(default=0, ge=0),
    session: Session = Depends(get_session), principal: Principal = Depends(require(*ALL_ROLES)),
):
    rows, total = service.search(
        session, principal.merchant_id, member_id=member_id, status=status,
        since=parse_datetime(since, "since") if since else None,
        until=parse_datetime(until, "until") if until else None, limit=limit, offset=offset)
    return {"items": service.to_out(session, principal.merchant_id, rows), "total": total,
            "limit": limit, "offset": offset}
