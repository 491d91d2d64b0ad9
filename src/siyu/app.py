"""Builds the FastAPI application from the domain routers, error handlers and console."""

from __future__ import annotations

import logging
from contextlib import asynccontextmanager

from anyio import to_thread
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException

from siyu import __version__
from siyu.core.errors import SiyuError
from siyu.core.validation import describe
from siyu.runtime import Runtime

log = logging.getLogger("siyu.app")
BUSY = {"error": {"code": "busy", "field": None,
                  "message": "系统繁忙: 数据库暂时无法处理更多请求, "
                             "请稍后用同一 Idempotency-Key 重试"}}


def request_threads(runtime: Runtime) -> int:
    """Request threads of the server: no more than the database pool can serve at once
    (less two for the job scheduler and the hot ledger writer), so a burst of requests
    waits its turn instead of timing out on the pool."""
    pool = runtime.engine.pool
    size = getattr(pool, "size", lambda: 0)() + max(getattr(pool, "_max_overflow", 0), 0)
    return max(4, min(40, size - 2)) if size > 0 else 40


def create_app(runtime: Runtime) -> FastAPI:
    from siyu.jobs import lifespan as jobs_lifespan

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        to_thread.current_default_thread_limiter().total_tokens = request_threads(runtime)
        async with jobs_lifespan(app):  # the scheduled jobs run in the server (siyu.jobs)
            yield

    app = FastAPI(title="Siyu 私域 API", version=__version__,
                  description="私域社群运营平台 API: 会员、社群、商品、订单、事件",
                  lifespan=lifespan)
    app.state.runtime = runtime

    @app.exception_handler(DBAPIError)
    async def _database_error(_request: Request, exc: DBAPIError):
        # SQLite's write lock held too long, a connection refused: a retry can succeed.
        if isinstance(exc, OperationalError):
            log.warning("database busy: %s", exc.orig)
            return JSONResponse(BUSY, status_code=503, headers={"Retry-After": "1"})
        log.exception("database error")
        return _internal()

    @app.exception_handler(PoolTimeout)
    async def _pool_timeout(_request: Request, _exc: PoolTimeout):
        log.warning("database pool exhausted")
        return JSONResponse(BUSY, status_code=503, headers={"Retry-After": "1"})

    @app.exception_handler(Exception)
    async def _unexpected(_request: Request, _exc: Exception):
        log.exception("internal error")
        return _internal()

    @app.exception_handler(SiyuError)
    async def _siyu_error(_request: Request, exc: SiyuError):
        return JSONResponse(exc.to_dict(), status_code=exc.status)

    @app.exception_handler(RequestValidationError)
    async def _validation_error(_request: Request, exc: RequestValidationError):
        field, message, details = describe(list(exc.errors()), request=True)
        return JSONResponse({"error": {"code": "invalid_input", "message": message,
                                       "field": field, "details": details}}, status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException):
        code = {404: "not_found", 405: "method_not_allowed", 413: "too_large"}.get(
            exc.status_code, "http_error")
        message = {"Not Found": f"接口不存在: {request.url.path}",
                   "Method Not Allowed": f"{request.url.path} 不支持 {request.method} 请求"
                   }.get(str(exc.detail), str(exc.detail))
        return JSONResponse({"error": {"code": code, "message": message, "field": None}},
                            status_code=exc.status_code, headers=getattr(exc, "headers", None))

    @app.middleware("http")
    async def _limit_body(request: Request, call_next):
        # Refuse oversized bodies before reading them: a huge upload never reaches a handler.
        limit = runtime.settings.max_upload_bytes
        length = request.headers.get("content-length")
        if length is not None:
            if not length.isdigit():
                return JSONResponse({"error": {"code": "invalid_input", "field": "Content-Length",
                                               "message": "Content-Length 无效"}}, status_code=400)
            if int(length) > limit:
                return JSONResponse(
                    {"error": {"code": "too_large", "field": "body",
                               "message": f"请求体过大: {int(length)} 字节, 上限 {limit} 字节"}},
                    status_code=413)
        return await call_next(request)

    @app.get("/healthz", include_in_schema=False)
    def healthz():
        return {"ok": True, "version": __version__}

    from siyu.routers import include_all

    include_all(app)
    return app


def _internal() -> JSONResponse:
    return JSONResponse({"error": {"code": "internal_error", "field": None,
                                   "message": "内部错误, 已记录; 请稍后重试"}}, status_code=500)
