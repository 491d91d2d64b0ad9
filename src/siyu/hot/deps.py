"""FastAPI dependency: the hot backend of the app's runtime."""

from __future__ import annotations

from fastapi import Request

from siyu.hot.facade import Hot


def get_hot(request: Request) -> Hot:
    return request.app.state.runtime.hot
