"""Personal data (PIPL): phone numbers encrypted at rest, hashed for matching, masked
for display. Nothing else in Siyu sees a clear phone number."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re
from functools import lru_cache
from pathlib import Path

from cryptography.fernet import Fernet

from siyu.core.errors import InvalidInput
from siyu.core.settings import get_settings

_MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")


def normalize_phone(value: str, field: str = "phone") -> str:
    """A mainland mobile number, 11 digits (a leading +86/86 and separators dropped)."""
    digits = re.sub(r"[\s\-()]", "", value or "")
    if digits.startswith("+86"):
        digits = digits[3:]
    elif digits.startswith("86") and len(digits) == 13:
        digits = digits[2:]
    if not _MOBILE_RE.match(digits):
        raise InvalidInput(f"{field}: 不是有效的大陆手机号 (11 位, 1 开头)", field=field)
    return digits


def mask_phone(phone: str) -> str:
    return f"{phone[:3]}****{phone[-4:]}"


@lru_cache
def _key_material() -> bytes:
    settings = get_settings()
    if settings.secret_key:
        return settings.secret_key.encode()
    path = Path(settings.key_file)
    if not path.exists():
        path.write_bytes(base64.urlsafe_b64encode(os.urandom(32)))
        path.chmod(0o600)
    return path.read_bytes().strip()


@lru_cache
def _fernet() -> Fernet:
    digest = hashlib.sha256(b"siyu-phone-enc:" + _key_material()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def phone_hash(phone: str) -> str:
    """Keyed hash, stable per installation: finds duplicates without decrypting."""
    return hmac.new(_key_material(), phone.encode(), hashlib.sha256).hexdigest()


def encrypt_phone(phone: str) -> str:
    return _fernet().encrypt(phone.encode()).decode()


def decrypt_phone(token: str) -> str:
    return _fernet().decrypt(token.encode()).decode()
