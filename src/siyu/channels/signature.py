"""Webhook signatures: HMAC-SHA256 of the raw request body, hex, in `X-Siyu-Signature`.

The header may carry the bare hex digest or `sha256=<hex>` (the GitHub style).
"""

from __future__ import annotations

import hashlib
import hmac

HEADER = "X-Siyu-Signature"


def sign(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def verify(secret: str, body: bytes, header: str | None) -> bool:
    if not header or not secret:
        return False
    given = header.strip()
    if given.lower().startswith("sha256="):
        given = given[len("sha256="):]
    expected = sign(secret, body)[len("sha256="):]
    return hmac.compare_digest(given.lower().encode(), expected.encode())
