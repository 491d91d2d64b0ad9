"""Errors of the risk domain."""

from __future__ import annotations

from siyu.core.errors import SiyuError


class CopyBlocked(SiyuError):
    """Outgoing copy that must not be sent as written (文案违规, 拦截)."""

    code = "copy_blocked"
    status = 422

    def __init__(self, message: str, *, field: str, findings: tuple = ()) -> None:
        super().__init__(message, field=field)
        self.findings = findings
