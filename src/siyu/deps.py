"""FastAPI dependencies shared by every router: the runtime, one session per request
(committed on success, rolled back on error), the calling principal and role checks."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from fastapi import Depends, Header, Request
from sqlalchemy.orm import Session

from siyu.core.errors import Forbidden, Unauthorized
from siyu.db.engine import transaction
from siyu.merchants.service import Principal, authenticate
from siyu.runtime import Runtime

ALL_ROLES = ("owner", "planner", "operator", "cs", "supply", "legal", "analyst")
WRITE_MEMBERS = ("owner", "operator", "cs")
WRITE_CATALOG = ("owner", "operator", "supply", "planner")


def get_runtime(request: Request) -> Runtime:
    return request.app.state.runtime


def get_session(request: Request) -> Iterator[Session]:
    runtime: Runtime = request.app.state.runtime
    with transaction(runtime.sessions) as session:
        yield session


def get_now(request: Request) -> datetime:
    return request.app.state.runtime.clock.now()


def get_principal(
    request: Request,
    authorization: str | None = Header(default=None),
    session: Session = Depends(get_session),
) -> Principal:
    if not authorization or not authorization.lower().startswith("bearer "):
        raise Unauthorized("需要 Authorization: Bearer <api_key>", field="Authorization")
    return authenticate(session, authorization.split(" ", 1)[1].strip())


def require(*roles: str):
    """Dependency factory: the caller's role must be one of `roles` (owner always is)."""

    def check(principal: Principal = Depends(get_principal)) -> Principal:
        if principal.role != "owner" and principal.role not in roles:
            raise Forbidden(f"角色 {principal.role} 无权执行此操作", field="role")
        return principal

    return check


def require_released(*roles: str):
    """Like `require`, then ends the request's transaction: for use cases that run their
    own transactions (analytics), which on SQLite must not wait for this one's lock."""
    check = require(*roles)

    def released(principal: Principal = Depends(check),
                 session: Session = Depends(get_session)) -> Principal:
        session.commit()
        return principal

    return released
