"""FastAPI dependencies of the hot paths: the app's hot backend, a request's key."""

from __future__ import annotations

import uuid

from fastapi import Request

from siyu.hot.facade import Hot
from siyu.hot.types import API_KEY_PREFIX


def get_hot(request: Request) -> Hot:
    return request.app.state.runtime.hot


def request_key(idempotency_key: str | None) -> str:
    """The hot-path key of a request: the client's Idempotency-Key (a retry returns the
    first answer; reused for another member or quantity it is 422), else a fresh one."""
    return API_KEY_PREFIX + idempotency_key if idempotency_key else uuid.uuid4().hex
