"""Builds the FastAPI application from the domain routers, error handlers and console."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from siyu import __version__
from siyu.core.errors import SiyuError
from siyu.core.validation import describe
from siyu.runtime import Runtime


def create_app(runtime: Runtime) -> FastAPI:
    from siyu.jobs import lifespan

    app = FastAPI(title="Siyu 私域 API", version=__version__,
                  description="私域社群运营平台 API: 会员、社群、商品、订单、事件",
                  lifespan=lifespan)  # the scheduled jobs run in the server (siyu.jobs)
    app.state.runtime = runtime

    @app.exception_handler(SiyuError)
    async def _siyu_error(_request: Request, exc: SiyuError):
        return JSONResponse(exc.to_dict(), status_code=exc.status)

    @app.exception_handler(RequestValidationError)
    async def _validation_error(_request: Request, exc: RequestValidationError):
        field, message, details = describe(list(exc.errors()), request=True)
        return JSONResponse({"error": {"code": "invalid_input", "message": message,
                                       "field": field, "details": details}}, status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(_request: Request, exc: StarletteHTTPException):
        code = {404: "not_found", 405: "method_not_allowed", 413: "too_large"}.get(
            exc.status_code, "http_error")
        return JSONResponse({"error": {"code": code, "message": str(exc.detail), "field": None}},
                            status_code=exc.status_code)

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
