"""HTTP: stored promotions (/promotions), settings (/promo/settings), quotes (/quote),
priced orders (/orders/priced, /orders/{id}/promotions, /orders/{id}/cancel) and price
protection (/price-protection)."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Body, Depends, Header, Query, Response
from sqlalchemy.orm import Session

from siyu.deps import ALL_ROLES, get_now, get_runtime, get_session, require
from siyu.merchants.service import Principal
from siyu.orders import service as orders
from siyu.promo import checkout, price_protection, service
from siyu.promo.api_schemas import PricedOrderIn, ProtectionRunIn, QuoteIn, ReviewIn
from siyu.promo.engine import quote_document
from siyu.runtime import Runtime

router = APIRouter(tags=["promotions 促销"])

WRITE_PROMOTIONS = ("owner", "planner", "operator")
SELL = ("operator", "cs")


def _hot(runtime: Runtime):
    """The hot backend when Redis is configured; else budgets use the database."""
    if not runtime.settings.redis_url:
        return None
    from siyu.hot import backend_for

    return backend_for(runtime)


def _one(session: Session, principal: Principal, row) -> dict:
    return service.documents(session, principal.merchant_id, [row])[0]


HELD = {202: {"description": "促销名称需复核: 已排队等待法务审核 (pending_review), 批准前不生效"}}


@router.post("/promotions", status_code=201, responses=HELD)
def create_promotion(response: Response, body: dict = Body(...),
                     session: Session = Depends(get_session),
                     principal: Principal = Depends(require(*WRITE_PROMOTIONS)),
                     now: datetime = Depends(get_now)):
    row = service.create(session, principal.merchant_id, body, actor=principal.actor, now=now)
    if row.status == "pending_review":
        response.status_code = 202
    return _one(session, principal, row)


@router.get("/promotions")
def list_promotions(status: str | None = Query(default=None, max_length=20),
                    limit: int = Query(default=50, ge=1, le=500),
                    offset: int = Query(default=0, ge=0),
                    session: Session = Depends(get_session),
                    principal: Principal = Depends(require(*ALL_ROLES))):
    rows, total = service.list_promotions(session, principal.merchant_id, status=status,
                                          limit=limit, offset=offset)
    return {"items": service.documents(session, principal.merchant_id, rows), "total": total,
            "limit": limit, "offset": offset}


@router.get("/promotions/{code}")
def get_promotion(code: str, session: Session = Depends(get_session),
                  principal: Principal = Depends(require(*ALL_ROLES))):
    return _one(session, principal, service.get(session, principal.merchant_id, code))


@router.put("/promotions/{code}", responses=HELD)
def edit_promotion(code: str, response: Response, body: dict = Body(...),
                   session: Session = Depends(get_session),
                   principal: Principal = Depends(require(*WRITE_PROMOTIONS)),
                   now: datetime = Depends(get_now)):
    row = service.edit(session, principal.merchant_id, code, body, actor=principal.actor,
                       now=now)
    if row.status == "pending_review":
        response.status_code = 202
    return _one(session, principal, row)


@router.post("/promotions/{code}/disable")
def disable_promotion(code: str, session: Session = Depends(get_session),
                      principal: Principal = Depends(require(*WRITE_PROMOTIONS)),
                      now: datetime = Depends(get_now)):
    row = service.disable(session, principal.merchant_id, code, actor=principal.actor, now=now)
    return _one(session, principal, row)


@router.post("/promotions/{code}/enable")
def enable_promotion(code: str, session: Session = Depends(get_session),
                     principal: Principal = Depends(require(*WRITE_PROMOTIONS)),
                     now: datetime = Depends(get_now)):
    row = service.enable(session, principal.merchant_id, code, actor=principal.actor, now=now)
    return _one(session, principal, row)


@router.post("/promotions/{code}/approve")
def approve_promotion(code: str, body: ReviewIn | None = None,
                      session: Session = Depends(get_session),
                      principal: Principal = Depends(require(*service.APPROVERS)),
                      now: datetime = Depends(get_now)):
    row = service.review(session, principal.merchant_id, code, approve=True,
                         principal=principal, now=now, note=body.note if body else None)
    return _one(session, principal, row)


@router.post("/promotions/{code}/reject")
def reject_promotion(code: str, body: ReviewIn | None = None,
                     session: Session = Depends(get_session),
                     principal: Principal = Depends(require(*service.APPROVERS)),
                     now: datetime = Depends(get_now)):
    row = service.review(session, principal.merchant_id, code, approve=False,
                         principal=principal, now=now, note=body.note if body else None)
    return _one(session, principal, row)


@router.get("/promo/settings")
def get_settings(session: Session = Depends(get_session),
                 principal: Principal = Depends(require(*ALL_ROLES))):
    return service.settings_of(session, principal.merchant_id)


@router.put("/promo/settings")
def put_settings(body: dict = Body(...), session: Session = Depends(get_session),
                 principal: Principal = Depends(require("legal"))):
    return service.update_settings(session, principal.merchant_id, body, actor=principal.actor)


@router.post("/quote")
def quote_cart(body: QuoteIn, session: Session = Depends(get_session),
               principal: Principal = Depends(require(*ALL_ROLES)),
               now: datetime = Depends(get_now)):
    return quote_document(checkout.quote_for(session, principal.merchant_id, body, now=now))


@router.post("/orders/priced", status_code=201)
def place_priced_order(body: PricedOrderIn, response: Response,
                       session: Session = Depends(get_session),
                       principal: Principal = Depends(require(*SELL)),
                       now: datetime = Depends(get_now),
                       runtime: Runtime = Depends(get_runtime),
                       idempotency_key: str | None = Header(default=None, max_length=100)):
    placed = checkout.place_priced(session, principal.merchant_id, body, now=now,
                                   idempotency_key=idempotency_key, hot=_hot(runtime))
    if not placed.created:
        response.status_code = 200
    out = orders.to_out(session, principal.merchant_id, [placed.order])[0].model_dump(
        mode="json")
    out["promotions"] = checkout.used_by_order(session, principal.merchant_id, placed.order.id)
    out["quote"] = placed.quote_document()
    return out


@router.get("/orders/{order_id}/promotions")
def order_promotions(order_id: int, session: Session = Depends(get_session),
                     principal: Principal = Depends(require(*ALL_ROLES))):
    return {"order_id": order_id,
            "items": checkout.used_by_order(session, principal.merchant_id, order_id)}


@router.post("/orders/{order_id}/cancel")
def cancel_order(order_id: int, session: Session = Depends(get_session),
                 principal: Principal = Depends(require(*SELL)),
                 now: datetime = Depends(get_now), runtime: Runtime = Depends(get_runtime)):
    order, _ = checkout.cancel(session, principal.merchant_id, order_id, now=now,
                               hot=_hot(runtime))
    out = orders.to_out(session, principal.merchant_id, [order])[0].model_dump(mode="json")
    out["promotions"] = checkout.used_by_order(session, principal.merchant_id, order.id)
    return out


@router.get("/price-protection")
def price_protection_report(sku: str = Query(..., min_length=1, max_length=64),
                            format: str = Query(default="json", pattern="^(json|csv)$"),
                            session: Session = Depends(get_session),
                            principal: Principal = Depends(require(*ALL_ROLES))):
    doc = price_protection.report(session, principal.merchant_id, sku)
    if format == "csv":
        return Response(price_protection.report_csv(doc), media_type="text/csv; charset=utf-8")
    return doc


@router.post("/price-protection/run")
def price_protection_run(body: ProtectionRunIn, session: Session = Depends(get_session),
                         principal: Principal = Depends(require("operator", "cs")),
                         now: datetime = Depends(get_now)):
    drop = price_protection.run(session, principal.merchant_id, body.sku, now=now)
    doc = price_protection.report(session, principal.merchant_id, body.sku)
    return {**doc, "recorded_drop": drop.id if drop is not None else None}
