"""The copy scanner as other domains use it: scan a text, or refuse copy that blocks."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from siyu.risk.errors import CopyBlocked
from siyu.risk.scanner import CustomWord, Finding, ScanResult, scan_text

__all__ = ["CopyBlocked", "CustomWord", "Finding", "ScanResult", "check_copy", "check_outgoing",
           "scan_text"]


def describe(finding: Finding) -> str:
    return f"「{finding.match}」({finding.category}) {finding.rule}; 建议: {finding.suggestion}"


def check_outgoing(
    text: str,
    field: str,
    *,
    custom: Iterable[CustomWord] | Mapping[str, str] | None = None,
) -> tuple[Finding, ...]:
    """Check copy before it goes out (posts, greetings, product copy, coupons).

    Raises `CopyBlocked` (422, naming `field`) when the verdict is block; otherwise
    returns the findings that need a human review (empty when the copy passes)."""
    result = scan_text(text, custom=custom)
    if result.verdict == "block":
        listed = "; ".join(describe(f) for f in result.findings if f.blocks)
        raise CopyBlocked(f"{field}: 文案含违规内容: {listed}", field=field,
                          findings=result.findings)
    return result.findings


def check_copy(session, merchant_id: int, texts: Mapping[str, str | None]) -> dict[str, tuple]:
    """Check several fields of one piece of copy with the merchant's own words too.

    Raises `CopyBlocked` naming the first field that blocks (nothing should be sent or
    saved); returns {field: findings} for the fields that need a legal review."""
    from siyu.risk.rules_service import copy_words  # the database stack, only when used

    custom = copy_words(session, merchant_id)
    review: dict[str, tuple] = {}
    for field, text in texts.items():
        if text:
            findings = check_outgoing(text, field, custom=custom)
            if findings:
                review[field] = findings
    return review
