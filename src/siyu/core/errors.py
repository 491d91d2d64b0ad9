"""One error hierarchy for the whole product, mapped to HTTP statuses and CLI exit codes.

Expected business outcomes are `SiyuError`s (4xx, CLI exit 2); anything else is a bug
(500, exit 1). The API renders `{"error": {"code", "message", "field"}}`.
"""

from __future__ import annotations


class SiyuError(Exception):
    code = "error"
    status = 400

    def __init__(
        self,
        message: str,
        *,
        field: str | None = None,
        code: str | None = None,
        status: int | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        if code is not None:
            self.code = code
        if status is not None:
            self.status = status

    def to_dict(self) -> dict:
        return {"error": {"code": self.code, "message": self.message, "field": self.field}}


class InvalidInput(SiyuError):
    code = "invalid_input"
    status = 422


class NotFound(SiyuError):
    code = "not_found"
    status = 404


class Conflict(SiyuError):
    code = "conflict"
    status = 409


class Gone(SiyuError):
    code = "gone"
    status = 410


class Unauthorized(SiyuError):
    code = "unauthorized"
    status = 401


class Forbidden(SiyuError):
    code = "forbidden"
    status = 403


class TooLarge(SiyuError):
    code = "too_large"
    status = 413
