"""HTTP: /api/v1/coupon-templates (create, list, read, disable, enable, approve, reject,
claim, issue) and a member's coupons. Thin."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from fastapi import APIRouter, Depends, Header, Query, Response
from sqlalchemy.orm import Session

from siyu.coupons import issue as issuing
from siyu.coupons import service, templates
from siyu.coupons.schemas import (
    ClaimIn,
    CouponOut,
    IssueIn,
    IssueOut,
    ReviewIn,
    TemplateIn,
    TemplateOut,
)
from siyu.deps import ALL_ROLES, get_now, get_runtime, get_session, require, require_released
from siyu.hot import Hot
from siyu.hot.deps import get_hot, request_key
from siyu.merchants.service import Principal

router = APIRouter(tags=["coupons 优惠券"])

WRITE = ("owner", "operator", "planner")
CLAIMERS = ("owner", "operator", "cs")
ISSUERS = ("owner", "operator")


HELD = {202: {"description": "已暂缓: 券名待法务复核 (pending_review) 或低于价格红线待审批"
                            " (pending_approval), 生效前不可领取或发放"}}


@router.post("/coupon-templates", response_model=TemplateOut, status_code=201, responses=HELD)
def create_template(body: TemplateIn, response: Response,
                    session: Session = Depends(get_session),
                    principal: Principal = Depends(require(*WRITE)),
                    now: datetime = Depends(get_now), hot: Hot = Depends(get_hot)):
    template = templates.create_template(session, hot, principal.merchant_id, body, now=now,
                                         actor=principal.actor)
    if not template.active:  # held: copy review or red line
        response.status_code = 202
    return templates.template_out(session, hot, template)


@router.get("/coupon-templates")
def list_templates(active: bool | None = Query(default=None),
                   status: str | None = Query(default=None, max_length=20),
                   limit: int = Query(default=50, ge=1, le=500),
                   offset: int = Query(default=0, ge=0),
                   session: Session = Depends(get_session),
                   principal: Principal = Depends(require(*ALL_ROLES)),
                   hot: Hot = Depends(get_hot)):
    rows, total = templates.list_templates(session, principal.merchant_id, status=status,
                                           active=active, limit=limit, offset=offset)
    return {"items": [templates.template_out(session, hot, t).model_dump(mode="json")
                      for t in rows],
            "total": total, "limit": limit, "offset": offset}


@router.get("/coupon-templates/{template_id}", response_model=TemplateOut)
def get_template(template_id: int, session: Session = Depends(get_session),
                 principal: Principal = Depends(require(*ALL_ROLES)),
                 hot: Hot = Depends(get_hot)):
    return templates.template_out(session, hot,
                                  templates.get(session, principal.merchant_id, template_id))


@router.post("/coupon-templates/{template_id}/disable", response_model=TemplateOut)
def disable_template(template_id: int, session: Session = Depends(get_session),
                     principal: Principal = Depends(require(*WRITE)),
                     now: datetime = Depends(get_now), hot: Hot = Depends(get_hot)):
    t = templates.disable(session, principal.merchant_id, template_id, actor=principal.actor,
                          now=now)
    return templates.template_out(session, hot, t)


@router.post("/coupon-templates/{template_id}/enable", response_model=TemplateOut)
def enable_template(template_id: int, session: Session = Depends(get_session),
                    principal: Principal = Depends(require(*WRITE)),
                    now: datetime = Depends(get_now), hot: Hot = Depends(get_hot)):
    t = templates.enable(session, principal.merchant_id, template_id, actor=principal.actor,
                         now=now)
    return templates.template_out(session, hot, t)


def _review(approve: bool):
    def decide(template_id: int, body: ReviewIn | None = None,
               session: Session = Depends(get_session),
               principal: Principal = Depends(require(*templates.APPROVERS)),
               now: datetime = Depends(get_now), hot: Hot = Depends(get_hot)):
        t = templates.review(session, principal.merchant_id, template_id, approve=approve,
                             principal=principal, now=now, note=body.note if body else None)
        return templates.template_out(session, hot, t)

    return decide


router.post("/coupon-templates/{template_id}/approve", response_model=TemplateOut,
            summary="Approve a template held by the price red line")(_review(True))
router.post("/coupon-templates/{template_id}/reject", response_model=TemplateOut,
            summary="Reject a template held by the price red line")(_review(False))


@router.post("/coupon-templates/{template_id}/claim", response_model=CouponOut)
def claim(template_id: int, body: ClaimIn, session: Session = Depends(get_session),
          principal: Principal = Depends(require(*CLAIMERS)), now: datetime = Depends(get_now),
          hot: Hot = Depends(get_hot),
          idempotency_key: str | None = Header(default=None, max_length=100)):
    coupon = service.claim(session, hot, principal.merchant_id, template_id, body.member_id,
                           idem_key=request_key(idempotency_key), now=now)
    return service.coupon_out(coupon, now=now)


@router.post("/coupon-templates/{template_id}/issue", response_model=IssueOut)
def issue(template_id: int, body: IssueIn, runtime=Depends(get_runtime),
          principal: Principal = Depends(require_released(*ISSUERS)),
          now: datetime = Depends(get_now), hot: Hot = Depends(get_hot),
          idempotency_key: str | None = Header(default=None, max_length=100)):
    """发券 to `member_ids` or to the members of a saved segment (`segment_id`) now; each
    member's coupon commits on its own (see `coupons.issue`)."""
    from siyu.segments import saved

    m = principal.merchant_id
    return issuing.issue(
        runtime.sessions, hot, m, template_id, member_ids=body.member_ids,
        segment_id=body.segment_id,
        segment_members=lambda: saved.member_ids(runtime, m, body.segment_id),
        key=idempotency_key or uuid.uuid4().hex, now=now, actor=principal.actor)


@router.get("/members/{member_id}/coupons")
def member_coupons(member_id: int,
                   status: Literal["unused", "used", "expired"] | None = Query(default=None),
                   session: Session = Depends(get_session),
                   principal: Principal = Depends(require(*ALL_ROLES)),
                   now: datetime = Depends(get_now)):
    items = service.member_coupons(session, principal.merchant_id, member_id, now=now,
                                   status=status)
    return {"items": [c.model_dump(mode="json") for c in items], "total": len(items)}
