"""HTTP: /api/v1/flash-sales (contract 9), sessions of a day, return rounds. Thin.

Creating answers 201, or 202 when the name waits for the legal review (status
`pending_review`: not on sale until approved)."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Depends, Header, Query, Response
from sqlalchemy.orm import Session

from siyu.db.scope import newest_first, scoped
from siyu.deps import ALL_ROLES, get_now, get_session, require
from siyu.flashsale import rounds, service
from siyu.flashsale.models import FlashSale
from siyu.flashsale.schemas import (
    BuyIn,
    BuyOut,
    FlashSaleIn,
    FlashSaleOut,
    FlashSalePage,
    ReturnRoundIn,
    SessionsIn,
)
from siyu.hot import Hot
from siyu.hot.deps import get_hot, request_key
from siyu.merchants.service import Principal

router = APIRouter(tags=["flash sales 秒杀"])

WRITE = ("owner", "operator", "planner")
BUYERS = ("owner", "operator", "cs")
HELD = {202: {"description": "文案需复核: 已排队等待法务审核, 批准前不可购买"}}


@router.post("/flash-sales", response_model=FlashSaleOut, status_code=201, responses=HELD)
def create_flash_sale(body: FlashSaleIn, response: Response,
                      session: Session = Depends(get_session),
                      principal: Principal = Depends(require(*WRITE)),
                      now: datetime = Depends(get_now), hot: Hot = Depends(get_hot)):
    sale = service.create(session, hot, principal.merchant_id, body, now=now,
                          actor=principal.actor)
    if sale.status == "pending_review":
        response.status_code = 202
    return service.to_out(session, hot, sale, now=now)


@router.post("/flash-sales/sessions", response_model=list[FlashSaleOut], status_code=201,
             responses=HELD)
def create_sessions(body: SessionsIn, response: Response,
                    session: Session = Depends(get_session),
                    principal: Principal = Depends(require(*WRITE)),
                    now: datetime = Depends(get_now), hot: Hot = Depends(get_hot)):
    """一天的场次 (默认 10:00 / 15:00 / 20:00 北京时间), 每场独立库存与限购。"""
    sales = service.create_sessions(session, hot, principal.merchant_id, body, now=now,
                                    actor=principal.actor)
    if any(s.status == "pending_review" for s in sales):
        response.status_code = 202
    return [service.to_out(session, hot, s, now=now) for s in sales]


@router.post("/flash-sales/{sale_id}/buy", response_model=BuyOut)
def buy(sale_id: int, body: BuyIn, session: Session = Depends(get_session),
        principal: Principal = Depends(require(*BUYERS)), now: datetime = Depends(get_now),
        hot: Hot = Depends(get_hot),
        idempotency_key: str | None = Header(default=None, max_length=100)):
    order_id = service.buy(session, hot, principal.merchant_id, sale_id, body.member_id,
                           body.qty, idem_key=request_key(idempotency_key), now=now)
    return BuyOut(order_id=order_id)


@router.get("/flash-sales", response_model=FlashSalePage)
def list_flash_sales(limit: int = Query(default=50, ge=1, le=200),
                     offset: int = Query(default=0, ge=0),
                     session: Session = Depends(get_session),
                     principal: Principal = Depends(require(*ALL_ROLES)),
                     now: datetime = Depends(get_now), hot: Hot = Depends(get_hot)):
    """The merchant's flash sales (return rounds too), newest first, each as
    GET /flash-sales/{id}."""
    rows, total = newest_first(session, scoped(FlashSale, principal.merchant_id), FlashSale,
                               limit=limit, offset=offset)
    return FlashSalePage(items=[service.to_out(session, hot, s, now=now) for s in rows],
                         total=total, limit=limit, offset=offset)


@router.get("/flash-sales/{sale_id}", response_model=FlashSaleOut)
def get_flash_sale(sale_id: int, session: Session = Depends(get_session),
                   principal: Principal = Depends(require(*ALL_ROLES)),
                   now: datetime = Depends(get_now), hot: Hot = Depends(get_hot)):
    return service.get(session, hot, principal.merchant_id, sale_id, now=now)


@router.post("/flash-sales/{sale_id}/return-round", response_model=FlashSaleOut,
             status_code=201, responses={200: {"description": "返场已存在: 返回同一场"}})
def return_round(sale_id: int, body: ReturnRoundIn, response: Response,
                 session: Session = Depends(get_session),
                 principal: Principal = Depends(require(*WRITE)),
                 now: datetime = Depends(get_now), hot: Hot = Depends(get_hot)):
    """返场: 未售出的库存在新的时间段再卖一轮 (结束后、结算前后均可, 每场一次)。"""
    child, created = rounds.return_round(session, hot, principal.merchant_id, sale_id, body,
                                         now=now, actor=principal.actor)
    if not created:
        response.status_code = 200
    return service.to_out(session, hot, child, now=now)
