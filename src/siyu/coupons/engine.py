"""Pure rules of coupons: what a coupon's rule may be, and the contract-1 PROMOTION rule
it stands for (no database, no clock).

满X减Y / 无门槛券 is contract 1's `fixed` kind (`off`, `min`); 折扣券 is `percent`
(`percent` off the eligible subtotal, optional `min` and `max_off`). The scope has
contract 1's shape (skus, categories, stores, tags, exclude_skus; omitted = every item).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from siyu.core.errors import InvalidInput
from siyu.core.money import fmt_yuan

SCOPE_KEYS = ("skus", "categories", "stores", "tags", "exclude_skus")
_PERCENT_RE = re.compile(r"^\d{1,3}(\.\d{1,2})?$")


@dataclass(frozen=True, slots=True)
class CouponRule:
    kind: str  # "fixed" | "percent"
    face_value: int  # fixed: fen off; percent: 0
    percent: str | None  # percent: "15" = 15% off (85折)
    max_off: int | None
    min_spend: int
    scope: dict | None


def _bad(field: str, reason: str) -> InvalidInput:
    return InvalidInput(f"{field}: {reason}", field=field)


def normal_percent(value: object, field: str = "percent") -> str:
    """A percent off in (0, 100) with at most two decimals, as canonical text ("12.5")."""
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise _bad(field, "需要百分数字符串, 如 \"15\" 表示 85折")
    text = str(value).strip()
    if not _PERCENT_RE.match(text):
        raise _bad(field, f"不是有效的百分数 ({value!r}), 最多两位小数")
    whole, _, frac = text.partition(".")
    text = str(int(whole)) + ("." + frac.rstrip("0") if frac.rstrip("0") else "")
    if not 0 < float(text) < 100:
        raise _bad(field, "折扣百分数必须大于 0 且小于 100")
    return text


def normal_scope(scope: dict | None) -> dict | None:
    """Lists sorted and de-duplicated, empty ones dropped; None when nothing is left."""
    if not scope:
        return None
    out = {k: sorted(set(scope[k])) for k in SCOPE_KEYS if scope.get(k)}
    return out or None


def check_rule(kind: str, *, face_value: int | None, percent: object, max_off: int | None,
               min_spend: int, scope: dict | None) -> CouponRule:
    """The rule of a new template, or InvalidInput naming the field at fault."""
    if kind == "fixed":
        if percent is not None:
            raise _bad("percent", "满减券 (fixed) 不能设折扣, 折扣券请用 kind=percent")
        if max_off is not None:
            raise _bad("max_off", "max_off 只用于折扣券 (kind=percent)")
        if face_value is None:
            raise _bad("face_value", "满减券需要面额")
        if face_value <= 0:
            raise _bad("face_value", "面额必须大于 0")
        if min_spend and face_value > min_spend:
            raise _bad("face_value", "面额不能高于使用门槛")
        return CouponRule("fixed", face_value, None, None, min_spend, normal_scope(scope))
    if kind != "percent":
        raise _bad("kind", f"只能是 fixed (满减/无门槛) 或 percent (折扣) ({kind!r})")
    if face_value is not None:
        raise _bad("face_value", "折扣券没有面额, 请用 percent 与 max_off")
    if percent is None:
        raise _bad("percent", "折扣券需要 percent, 如 \"15\" 表示 85折")
    if max_off is not None and max_off <= 0:
        raise _bad("max_off", "最高优惠必须大于 0")
    return CouponRule("percent", 0, normal_percent(percent), max_off, min_spend,
                      normal_scope(scope))


def describe(rule: CouponRule) -> str:
    """The rule as a Chinese operator reads it: 满99减20, 无门槛减5, 85折 (减15%, 最高减20)."""
    def y(fen: int) -> str:  # 99.00 -> 99, 19.90 stays
        return fmt_yuan(fen).removesuffix(".00")

    if rule.kind == "fixed":
        off = y(rule.face_value)
        return f"满{y(rule.min_spend)}减{off}" if rule.min_spend else f"无门槛减{off}"
    off = Decimal(rule.percent or "0")
    text = f"{(100 - off) / 10:g}折 (减{off:g}%"
    if rule.max_off is not None:
        text += f", 最高减{y(rule.max_off)}"
    text += ")"
    return f"满{y(rule.min_spend)}享{text}" if rule.min_spend else text


def rule_document(rule: CouponRule) -> dict:
    """The contract-1 PROMOTION fields of the rule: kind, amounts, scope."""
    if rule.kind == "fixed":
        doc = {"kind": "fixed", "off": fmt_yuan(rule.face_value), "min": fmt_yuan(rule.min_spend)}
    else:
        doc = {"kind": "percent", "percent": rule.percent, "min": fmt_yuan(rule.min_spend)}
        if rule.max_off is not None:
            doc["max_off"] = fmt_yuan(rule.max_off)
    if rule.scope:
        doc["scope"] = {k: list(v) for k, v in rule.scope.items()}
    return doc


def claim_refusal(*, now: datetime, claim_starts_at: datetime | None,
                  claim_ends_at: datetime | None,
                  valid_until: datetime | None) -> str | None:
    """Why a member cannot claim now, in the order it is said: "expired" (coupons of the
    template are no longer valid), "ended" (the claim window closed), "not_started"."""
    if valid_until is not None and now >= valid_until:
        return "expired"
    if claim_ends_at is not None and now >= claim_ends_at:
        return "ended"
    if claim_starts_at is not None and now < claim_starts_at:
        return "not_started"
    return None
