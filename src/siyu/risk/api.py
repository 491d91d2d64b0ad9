"""HTTP: /api/v1/risk — rules, price red lines, lottery rules, the copy review queue.
Order risk lives in `orders_api`, incidents and rates in `incidents_api`."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from fastapi import APIRouter, Body, Depends, Query
from sqlalchemy.orm import Session

from siyu.deps import ALL_ROLES, get_now, get_session, require
from siyu.merchants.service import Principal
from siyu.risk import lottery, reviews, rules_service
from siyu.risk.pricing_service import check_promotion_price
from siyu.risk.rules import RiskRules
from siyu.risk.schemas import NoteIn, PriceCheckIn

router = APIRouter(prefix="/risk", tags=["risk 风控合规"])

RULE_EDITORS = ("legal",)
REVIEWERS = ("legal",)


@router.get("/rules")
def get_rules(session: Session = Depends(get_session),
              principal: Principal = Depends(require(*ALL_ROLES))):
    """The merchant's risk rules, every threshold with its default filled in."""
    return rules_service.get_rules(session, principal.merchant_id).model_dump(mode="json")


@router.put("/rules", summary="Replace all risk rules (整体替换)")
def put_rules(body: RiskRules, session: Session = Depends(get_session),
              principal: Principal = Depends(require(*RULE_EDITORS))):
    """Replace the whole rules document (audit-logged with before and after).

    **Everything the body leaves out goes back to its default**: a section or key not
    given is reset, and a missing `copy_words` empties the merchant's word list. To change
    one threshold, send it with `PATCH /api/v1/risk/rules`, which changes only what it
    gives; or GET the rules, edit them and PUT the whole document back.
    """
    rules = rules_service.set_rules(session, principal.merchant_id, body, actor=principal.actor)
    return rules.model_dump(mode="json")


_PATCH_EXAMPLES = {
    "one_threshold": {"summary": "改一个阈值", "value": {"orders": {"ip_orders": 3}}},
    "one_tier": {"summary": "只改一个级别的处理人",
                 "value": {"incidents": {"handlers": {"ordinary": ["cs", "operator"]}}}},
    "words": {"summary": "替换整个词表",
              "value": {"copy_words": [{"word": "第一财经", "level": "allow"}]}},
}


@router.patch("/rules", summary="Change some risk rules (部分修改)")
def patch_rules(
    patch: dict[str, Any] = Body(
        description="A part of the rules document (the same shape as PUT's body). Objects "
                    "merge key by key at any depth; a list (copy_words, ip_allow, ...) or "
                    "any other value replaces what is stored; null is a value, not a reset.",
        openapi_examples=_PATCH_EXAMPLES),
    session: Session = Depends(get_session),
    principal: Principal = Depends(require(*RULE_EDITORS)),
):
    """Change only the sections and keys given, keep every other setting as stored
    (audit-logged like PUT). The merged document is checked as a whole: bad input is 422
    naming the field (`incidents.handlers.ordinary`) and saves nothing. Returns the full
    rules."""
    rules = rules_service.update_rules(session, principal.merchant_id, patch,
                                       actor=principal.actor)
    return rules.model_dump(mode="json")


@router.post("/price-check")
def price_check(body: PriceCheckIn, session: Session = Depends(get_session),
                principal: Principal = Depends(require(*ALL_ROLES))):
    """价格红线: margin floor, inversion against the daily price, and the claimed
    original price against the lowest transaction price of the days before `starts_at`."""
    return check_promotion_price(session, principal.merchant_id, sku=body.sku,
                                 promo_price=body.promo_price, starts_at=body.starts_at,
                                 claimed_original_price=body.claimed_original_price)


@router.post("/lottery/check")
def lottery_check(body: lottery.LotteryIn, session: Session = Depends(get_session),
                  principal: Principal = Depends(require(*ALL_ROLES))):
    """抽奖合规: what the rules document fails to publish or exceeds, and the odds as the
    draw will use them (when every prize has odds)."""
    rules = rules_service.get_rules(session, principal.merchant_id).lottery
    return lottery.report(body, rules)


@router.get("/reviews")
def list_reviews(
    status: Literal["pending", "approved", "rejected", "withdrawn"] | None = "pending",
    source: str | None = Query(default=None, max_length=30),
    limit: int = Query(default=50, ge=1, le=500), offset: int = Query(default=0, ge=0),
    session: Session = Depends(get_session), principal: Principal = Depends(require(*ALL_ROLES)),
):
    """The legal review queue of held copy (pending first by default)."""
    rows, total = reviews.search(session, principal.merchant_id, status=status, source=source,
                                 limit=limit, offset=offset)
    return {"items": [reviews.to_dict(r) for r in rows], "total": total, "limit": limit,
            "offset": offset}


@router.post("/reviews/{review_id}/approve")
def approve_review(review_id: int, body: NoteIn | None = None,
                   session: Session = Depends(get_session),
                   principal: Principal = Depends(require(*REVIEWERS)),
                   now: datetime = Depends(get_now)):
    """Approve held copy: it is sent (or published) now."""
    row = reviews.decide(session, principal.merchant_id, review_id, approve=True, now=now,
                         actor=principal.actor, note=body.note if body else None)
    return reviews.to_dict(row)


@router.post("/reviews/{review_id}/reject")
def reject_review(review_id: int, body: NoteIn | None = None,
                  session: Session = Depends(get_session),
                  principal: Principal = Depends(require(*REVIEWERS)),
                  now: datetime = Depends(get_now)):
    """Reject held copy: it is never sent."""
    row = reviews.decide(session, principal.merchant_id, review_id, approve=False, now=now,
                         actor=principal.actor, note=body.note if body else None)
    return reviews.to_dict(row)
