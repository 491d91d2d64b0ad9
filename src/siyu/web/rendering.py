"""Rendering a console page: the Jinja2 environment, the context every page gets
(language, messages, the form token, the signed-in merchant) and the sign-in redirect."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from fastapi import Request
from fastapi.responses import RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from sqlalchemy.orm import Session

from siyu import __version__
from siyu.merchants.service import Principal
from siyu.web import auth, messages
from siyu.web.views import merchant_name

WEB_DIR = Path(__file__).parent
STATIC_DIR = WEB_DIR / "static"
templates = Jinja2Templates(directory=str(WEB_DIR / "templates"))


def render(request: Request, name: str, context: dict, *, status: int = 200) -> Response:
    lang = context.get("lang") or auth.lang_of(request)
    other = "en" if lang == "zh-CN" else "zh-CN"
    ctx = {"lang": lang, "_": lambda key: messages.t(key, lang), "version": __version__,
           "lang_url": str(request.url.include_query_params(lang=other)),
           "path": request.url.path, "csrf": auth.csrf_token(request), **context}
    response = templates.TemplateResponse(request, name, ctx, status_code=status)
    response.headers["Cache-Control"] = "no-store"
    auth.remember_lang(request, response, lang)
    return response


def to_signin() -> RedirectResponse:
    return RedirectResponse("/console/signin", status_code=303)


def page(request: Request, session: Session, principal: Principal, name: str, context: dict,
         *, status: int = 200) -> Response:
    merchant = merchant_name(session, principal.merchant_id)
    return render(request, name, {"merchant": merchant, "principal": principal, **context},
                  status=status)


def signed_in(request: Request, session: Session, name: str,
              build: Callable[[Principal, str], dict]) -> Response:
    """A read-only console page: the sign-in redirect for a visitor, else the template
    with `build(principal, lang)`'s data."""
    principal = auth.principal_of(request, session)
    if principal is None:
        return to_signin()
    return page(request, session, principal, name, build(principal, auth.lang_of(request)))
