"""Webhook signatures: HMAC-SHA256 over the exact body bytes."""

from __future__ import annotations

import hashlib
import hmac

from hypothesis import given
from hypothesis import strategies as st

from siyu.channels.signature import sign, verify

BODY = b'{"events": [{"type": "message"}]}'


def test_signature_is_hmac_sha256_hex_with_prefix():
    expected = hmac.new(b"s3cret", BODY, hashlib.sha256).hexdigest()
    assert sign("s3cret", BODY) == "sha256=" + expected


def test_bare_hex_and_prefixed_forms_both_verify():
    signed = sign("s3cret", BODY)
    assert verify("s3cret", BODY, signed)
    assert verify("s3cret", BODY, signed.removeprefix("sha256="))
    assert verify("s3cret", BODY, signed.upper().replace("SHA256=", "sha256="))


def test_wrong_secret_tampered_body_or_missing_header_fail():
    signed = sign("s3cret", BODY)
    assert not verify("other", BODY, signed)
    assert not verify("s3cret", BODY + b" ", signed)
    assert not verify("s3cret", BODY, None)
    assert not verify("s3cret", BODY, "")
    assert not verify("", BODY, sign("", BODY))


@given(st.binary(max_size=200), st.text(min_size=1, max_size=20), st.binary(max_size=200))
def test_only_the_signed_body_verifies(body, secret, other):
    signed = sign(secret, body)
    assert verify(secret, body, signed)
    assert verify(secret, other, signed) == (other == body)
