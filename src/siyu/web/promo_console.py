"""Console routes of the promotion pages: /console/promotions (促销 and one promotion),
/console/approvals (待审批, approve / reject forms), /console/coupons (优惠券),
/console/price-protection (价保). Thin: who is signed in, the language, one call to
`promo_views`, a template."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Depends, Form, Path, Query, Request
from fastapi.responses import RedirectResponse
from sqlalchemy.orm import Session

from siyu.core.errors import Conflict, Forbidden, NotFound
from siyu.deps import get_now, get_session
from siyu.hot import Hot
from siyu.hot.deps import get_hot
from siyu.web import auth, promo_views, rendering
from siyu.web.messages import t

router = APIRouter(include_in_schema=False)

PAGE = Query(default=1, ge=1, le=100_000)
CODE = Path(max_length=64)


@router.get("/console/promotions")
def promotions(request: Request, status: str | None = Query(default=None, max_length=20),
               page: int = PAGE, session: Session = Depends(get_session),
               now: datetime = Depends(get_now)):
    return rendering.signed_in(
        request, session, "promotions.html",
        lambda p, lang: promo_views.promotions(session, p.merchant_id, now, lang, status=status,
                                               page=page))


@router.get("/console/promotions/{code}")
def promotion(request: Request, code: str = CODE, session: Session = Depends(get_session),
              now: datetime = Depends(get_now)):
    principal = auth.principal_of(request, session)
    if principal is None:
        return rendering.to_signin()
    lang = auth.lang_of(request)
    try:
        data = promo_views.promotion(session, principal.merchant_id, code, now, lang, principal)
    except NotFound:
        return rendering.page(request, session, principal, "promotion_missing.html",
                              {"code": code}, status=404)
    return rendering.page(request, session, principal, "promotion.html", data)


def _approvals_page(request: Request, session: Session, principal, now: datetime, *,
                    page: int = 1, done: dict | None = None, error: str | None = None,
                    status: int = 200):
    data = promo_views.approvals(session, principal.merchant_id, now, auth.lang_of(request),
                                 principal, page=page)
    return rendering.page(request, session, principal, "approvals.html",
                          {**data, "done": done, "error": error}, status=status)


@router.get("/console/approvals")
def approvals(request: Request, page: int = PAGE,
              done: str | None = Query(default=None, max_length=20),
              code: str | None = Query(default=None, max_length=64),
              session: Session = Depends(get_session), now: datetime = Depends(get_now)):
    principal = auth.principal_of(request, session)
    if principal is None:
        return rendering.to_signin()
    confirmed = None
    if done and code:
        shown = promo_views.reviewed(session, principal.merchant_id, code, done)
        confirmed = {"action": done, "code": shown} if shown else None
    return _approvals_page(request, session, principal, now, page=page, done=confirmed)


def _error(e: Exception, lang: str) -> str:
    if isinstance(e, Forbidden) and e.code == "self_approval":
        return ("不能审批自己最后修改的促销, 请由店主或另一位法务审批。" if lang == "zh-CN"
                else "You cannot approve a promotion you last edited; ask the owner or "
                     "another legal reviewer.")
    if isinstance(e, Forbidden):
        return t("approvals.readonly", lang)
    if isinstance(e, NotFound):
        return t("promo.not_found", lang)
    return t("approvals.not_pending", lang)


def _review(request: Request, code: str, approve: bool, csrf: str, note: str,
            session: Session, now: datetime):
    principal = auth.principal_of(request, session)
    if principal is None:
        return rendering.to_signin()
    lang = auth.lang_of(request)
    if not auth.csrf_ok(request, csrf):
        return _approvals_page(request, session, principal, now, error=t("csrf.bad", lang),
                               status=403)
    try:
        promo_views.review(session, principal, code, approve=approve, note=note.strip(),
                           now=now)
    except (Forbidden, NotFound, Conflict) as e:
        session.rollback()
        return _approvals_page(request, session, principal, now, error=_error(e, lang),
                               status=e.status)
    action = "approved" if approve else "rejected"
    return RedirectResponse(f"/console/approvals?done={action}&code={code}", status_code=303)


@router.post("/console/approvals/{code}/approve")
def approve(request: Request, code: str = CODE, csrf: str = Form(default="", max_length=100),
            note: str = Form(default="", max_length=500),
            session: Session = Depends(get_session), now: datetime = Depends(get_now)):
    return _review(request, code, True, csrf, note, session, now)


@router.post("/console/approvals/{code}/reject")
def reject(request: Request, code: str = CODE, csrf: str = Form(default="", max_length=100),
           note: str = Form(default="", max_length=500),
           session: Session = Depends(get_session), now: datetime = Depends(get_now)):
    return _review(request, code, False, csrf, note, session, now)


@router.get("/console/coupons")
def coupon_templates(request: Request, page: int = PAGE,
                     session: Session = Depends(get_session),
                     now: datetime = Depends(get_now), hot: Hot = Depends(get_hot)):
    return rendering.signed_in(
        request, session, "coupons.html",
        lambda p, lang: promo_views.coupon_templates(session, hot, p.merchant_id, now, lang,
                                                     page=page))


@router.get("/console/price-protection")
def price_protection(request: Request, sku: str | None = Query(default=None, max_length=64),
                     page: int = PAGE, session: Session = Depends(get_session)):
    return rendering.signed_in(
        request, session, "price_protection.html",
        lambda p, lang: promo_views.price_protection(session, p.merchant_id, lang, sku=sku,
                                                     page=page))
