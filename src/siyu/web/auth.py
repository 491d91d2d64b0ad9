"""Console sign-in: the merchant API key kept in an HttpOnly, SameSite=Lax cookie; the
per-session token every console form posts back (CSRF); and the language (zh-CN by
default, ?lang=en switches and is remembered in a cookie).

The form token is HMAC-SHA256(api key, random nonce set at sign-in): a page from
another site can neither read it nor compute it, and signing in again changes it."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from fastapi import Request, Response
from sqlalchemy.orm import Session

from siyu.core.errors import Unauthorized
from siyu.core.i18n import LANGS
from siyu.merchants.service import Principal, authenticate

KEY_COOKIE = "siyu_key"
LANG_COOKIE = "siyu_lang"
CSRF_COOKIE = "siyu_csrf"
KEY_MAX_AGE = 7 * 24 * 3600
LANG_MAX_AGE = 365 * 24 * 3600


def principal_of(request: Request, session: Session) -> Principal | None:
    """The signed-in caller, or None when the cookie is missing, unknown or revoked."""
    key = request.cookies.get(KEY_COOKIE)
    if not key:
        return None
    try:
        return authenticate(session, key)
    except Unauthorized:
        return None


def lang_of(request: Request) -> str:
    wanted = request.query_params.get("lang") or request.cookies.get(LANG_COOKIE)
    if wanted in LANGS:
        return wanted
    default = request.app.state.runtime.settings.lang
    return default if default in LANGS else LANGS[0]


def remember_lang(request: Request, response: Response, lang: str) -> None:
    if request.query_params.get("lang") in LANGS:
        response.set_cookie(LANG_COOKIE, lang, max_age=LANG_MAX_AGE, httponly=True,
                            samesite="lax", path="/")


def sign_in(request: Request, response: Response, key: str) -> None:
    secure = request.url.scheme == "https"
    response.set_cookie(KEY_COOKIE, key, max_age=KEY_MAX_AGE, httponly=True, samesite="lax",
                        secure=secure, path="/")
    response.set_cookie(CSRF_COOKIE, secrets.token_urlsafe(16), max_age=KEY_MAX_AGE,
                        httponly=True, samesite="strict", secure=secure, path="/")


def sign_out(response: Response) -> None:
    response.delete_cookie(KEY_COOKIE, path="/", httponly=True, samesite="lax")
    response.delete_cookie(CSRF_COOKIE, path="/", httponly=True, samesite="strict")


def csrf_token(request: Request) -> str:
    """The token the signed-in session's forms carry ("" when signed out)."""
    key = request.cookies.get(KEY_COOKIE)
    return form_token(key, request.cookies.get(CSRF_COOKIE, "")) if key else ""


def form_token(key: str, nonce: str) -> str:
    return hmac.new(key.encode(), f"console-form:{nonce}".encode(), hashlib.sha256).hexdigest()


def csrf_ok(request: Request, token: str) -> bool:
    expected = csrf_token(request)
    return bool(expected) and hmac.compare_digest(expected, token or "")
