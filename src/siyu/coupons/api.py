"""HTTP: /api/v1/coupon-templates (create, read, claim) and a member's coupons. Thin."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from fastapi import APIRouter, Depends, Header, Query
from sqlalchemy.orm import Session

from siyu.coupons import service
from siyu.coupons.schemas import ClaimIn, CouponOut, TemplateIn, TemplateOut
from siyu.deps import ALL_ROLES, get_now, get_session, require
from siyu.hot import Hot
from siyu.hot.deps import get_hot
from siyu.merchants.service import Principal

router = APIRouter(tags=["coupons 限量券"])

WRITE = ("owner", "operator", "planner")
CLAIMERS = ("owner", "operator", "cs")


@router.post("/coupon-templates", response_model=TemplateOut, status_code=201)
def create_template(body: TemplateIn, session: Session = Depends(get_session),
                    principal: Principal = Depends(require(*WRITE)),
                    now: datetime = Depends(get_now), hot: Hot = Depends(get_hot)):
    template = service.create_template(session, hot, principal.merchant_id, body, now=now,
                                       actor=principal.actor)
    return service.template_out(session, hot, template)


@router.get("/coupon-templates/{template_id}", response_model=TemplateOut)
def get_template(template_id: int, session: Session = Depends(get_session),
                 principal: Principal = Depends(require(*ALL_ROLES)),
                 hot: Hot = Depends(get_hot)):
    return service.get_template(session, hot, principal.merchant_id, template_id)


@router.post("/coupon-templates/{template_id}/claim", response_model=CouponOut)
def claim(template_id: int, body: ClaimIn, session: Session = Depends(get_session),
          principal: Principal = Depends(require(*CLAIMERS)), now: datetime = Depends(get_now),
          hot: Hot = Depends(get_hot),
          idempotency_key: str | None = Header(default=None, max_length=100)):
    coupon = service.claim(session, hot, principal.merchant_id, template_id, body.member_id,
                           idem_key=idempotency_key or uuid.uuid4().hex, now=now)
    return service.coupon_out(coupon, now=now)


@router.get("/members/{member_id}/coupons")
def member_coupons(member_id: int,
                   status: Literal["unused", "used", "expired"] | None = Query(default=None),
                   session: Session = Depends(get_session),
                   principal: Principal = Depends(require(*ALL_ROLES)),
                   now: datetime = Depends(get_now)):
    items = service.member_coupons(session, principal.merchant_id, member_id, now=now,
                                   status=status)
    return {"items": [c.model_dump(mode="json") for c in items], "total": len(items)}
