"""Console routes of /console/flash-sales (秒杀), /console/envelopes (红包) and
/console/copy-reviews (法务复核, approve / reject forms). Thin: who is signed in, the
language, one call to `hot_views` or `review_views`, a template."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Depends, Form, Path, Query, Request
from fastapi.responses import RedirectResponse
from sqlalchemy.orm import Session

from siyu.core.errors import SiyuError
from siyu.deps import get_now, get_session
from siyu.hot import Hot
from siyu.hot.deps import get_hot
from siyu.web import auth, hot_views, rendering, review_views
from siyu.web.messages import t

router = APIRouter(include_in_schema=False)

PAGE = Query(default=1, ge=1, le=100_000)
REVIEW_ID = Path(ge=1, le=2**63 - 1)


@router.get("/console/flash-sales")
def flash_sales(request: Request, page: int = PAGE, session: Session = Depends(get_session),
                now: datetime = Depends(get_now), hot: Hot = Depends(get_hot)):
    return rendering.signed_in(
        request, session, "flash_sales.html",
        lambda p, lang: hot_views.flash_sales(session, hot, p.merchant_id, now, lang, page=page))


@router.get("/console/envelopes")
def envelopes(request: Request, page: int = PAGE, session: Session = Depends(get_session),
              now: datetime = Depends(get_now), hot: Hot = Depends(get_hot)):
    return rendering.signed_in(
        request, session, "envelopes.html",
        lambda p, lang: hot_views.envelopes(session, hot, p.merchant_id, now, lang, page=page))


def _reviews_page(request: Request, session: Session, principal, *, status: str | None = None,
                  page: int = 1, done: dict | None = None, error: str | None = None,
                  code: int = 200):
    data = review_views.copy_reviews(session, principal.merchant_id, auth.lang_of(request),
                                     principal, status=status, page=page)
    return rendering.page(request, session, principal, "copy_reviews.html",
                          {**data, "done": done, "error": error}, status=code)


@router.get("/console/copy-reviews")
def copy_reviews(request: Request, status: str | None = Query(default=None, max_length=20),
                 page: int = PAGE, done: str | None = Query(default=None, max_length=20),
                 review: int | None = Query(default=None, ge=1, le=2**63 - 1),
                 session: Session = Depends(get_session)):
    principal = auth.principal_of(request, session)
    if principal is None:
        return rendering.to_signin()
    confirmed = None
    if done and review:
        confirmed = review_views.decided(session, principal.merchant_id, review, done,
                                         auth.lang_of(request))
    return _reviews_page(request, session, principal, status=status, page=page,
                         done=confirmed)


def _decide(request: Request, review_id: int, approve: bool, csrf: str, note: str,
            session: Session, now: datetime):
    principal = auth.principal_of(request, session)
    if principal is None:
        return rendering.to_signin()
    lang = auth.lang_of(request)
    if not auth.csrf_ok(request, csrf):
        return _reviews_page(request, session, principal, error=t("csrf.bad", lang), code=403)
    try:
        review_views.decide(session, principal, review_id, approve=approve, note=note.strip(),
                            now=now)
    except SiyuError as e:
        session.rollback()
        return _reviews_page(request, session, principal,
                             error=review_views.error_text(e, lang), code=e.status)
    action = "approved" if approve else "rejected"
    return RedirectResponse(f"/console/copy-reviews?done={action}&review={review_id}",
                            status_code=303)


@router.post("/console/copy-reviews/{review_id}/approve")
def approve(request: Request, review_id: int = REVIEW_ID,
            csrf: str = Form(default="", max_length=100),
            note: str = Form(default="", max_length=500),
            session: Session = Depends(get_session), now: datetime = Depends(get_now)):
    return _decide(request, review_id, True, csrf, note, session, now)


@router.post("/console/copy-reviews/{review_id}/reject")
def reject(request: Request, review_id: int = REVIEW_ID,
           csrf: str = Form(default="", max_length=100),
           note: str = Form(default="", max_length=500),
           session: Session = Depends(get_session), now: datetime = Depends(get_now)):
    return _decide(request, review_id, False, csrf, note, session, now)
