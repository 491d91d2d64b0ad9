"""Console routes under /console (server-rendered, zh-CN first). Thin: resolve who is
signed in and the language, call `views`, render a template. The promotion pages
(促销, 审批, 优惠券, 价保) live in `promo_console`, the 秒杀, 红包 and 法务复核 pages in
`hot_console`; both are included here."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import RedirectResponse
from sqlalchemy.orm import Session

from siyu.core.errors import Unauthorized
from siyu.core.i18n import t
from siyu.deps import get_now, get_session
from siyu.merchants.service import authenticate
from siyu.web import auth, hot_console, promo_console, rendering, views
from siyu.web.rendering import STATIC_DIR, render

__all__ = ["STATIC_DIR", "router"]

router = APIRouter(include_in_schema=False)


@router.get("/")
def root() -> RedirectResponse:
    return RedirectResponse("/console", status_code=307)


@router.get("/console/signin")
def signin_form(request: Request, session: Session = Depends(get_session)):
    if auth.principal_of(request, session) is not None:
        return RedirectResponse("/console", status_code=303)
    return render(request, "signin.html", {"error": None})


@router.post("/console/signin")
def signin(request: Request, api_key: str = Form(default="", max_length=200),
           session: Session = Depends(get_session)):
    key = api_key.strip()
    try:
        authenticate(session, key)
    except Unauthorized:
        lang = auth.lang_of(request)
        return render(request, "signin.html", {"error": t("signin.bad", lang)}, status=401)
    response = RedirectResponse("/console", status_code=303)
    auth.sign_in(request, response, key)
    return response


@router.post("/console/signout")
def signout():
    response = rendering.to_signin()
    auth.sign_out(response)
    return response


@router.get("/console")
def home(request: Request, session: Session = Depends(get_session),
         now: datetime = Depends(get_now)):
    return rendering.signed_in(
        request, session, "home.html",
        lambda p, lang: views.home(session, p.merchant_id, now, lang))


@router.get("/console/members")
def members(request: Request, q: str | None = Query(default=None, max_length=100),
            tag: str | None = Query(default=None, max_length=50),
            channel: str | None = Query(default=None, max_length=50),
            page: int = Query(default=1, ge=1, le=100_000),
            session: Session = Depends(get_session)):
    return rendering.signed_in(
        request, session, "members.html",
        lambda p, lang: views.members(session, p.merchant_id, lang, q=q, tag=tag, channel=channel,
                                      page=page))


@router.get("/console/groups")
def groups(request: Request, page: int = Query(default=1, ge=1, le=100_000),
           session: Session = Depends(get_session), now: datetime = Depends(get_now)):
    return rendering.signed_in(
        request, session, "groups.html",
        lambda p, lang: views.groups(session, p.merchant_id, now, lang, page=page))


router.include_router(promo_console.router)
router.include_router(hot_console.router)
