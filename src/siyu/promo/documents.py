"""A stored promotion's document: contract 1's PROMOTION plus budget fields (pure).

The body of `POST /api/v1/promotions` is one PROMOTION exactly as contract 1 writes it
(validated by the same parser, so an error names the field: `tiers[1].min`), extended
compatibly with three optional fields:
- `budget`: the total discount the promotion may give, yuan ("5000.00");
- `per_member_limit`: how many orders of one member may use it;
- `total_limit`: how many orders in all may use it.
`id` is optional on create (the server then names it `P<number>`); it is the
promotion's code in quotes, in URLs and on orders.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from siyu.core.errors import InvalidInput
from siyu.promo.schemas import Promotion, parse_promotion

# The keys a stored document keeps: contract 1's, then the budget's.
PROMOTION_KEYS = ("id", "name", "kind", "scope", "member_tiers", "segments", "starts_at",
                  "ends_at", "stack_group", "exclusive", "priority", "tiers", "repeat",
                  "max_off", "percent", "min", "off", "n", "buy", "get", "count", "price")
BUDGET_KEYS = ("budget", "per_member_limit", "total_limit")
_CODE_RE = re.compile(r"^[A-Za-z0-9_.\-]{1,64}$")
COUPON_PREFIX = "coupon-"  # quote ids of wallet coupons; no promotion code may start so


@dataclass(frozen=True, slots=True)
class Limits:
    """Budget (fen) and use limits of one promotion; None = unlimited."""

    budget: int | None = None
    per_member: int | None = None
    total: int | None = None


@dataclass(frozen=True, slots=True)
class PromotionDocument:
    promotion: Promotion
    limits: Limits
    doc: dict  # the contract-1 keys as written, without the budget fields


def _positive_int(d: dict, key: str) -> int | None:
    value = d.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInput(f"{key}: 需要整数", field=key)
    if value < 1:
        raise InvalidInput(f"{key}: 至少为 1", field=key)
    if value > 2_000_000_000:
        raise InvalidInput(f"{key}: 过大", field=key)
    return value


def parse_limits(d: dict) -> Limits:
    from siyu.core.money import parse_yuan

    budget = None if d.get("budget") is None else parse_yuan(d["budget"], "budget")
    if budget is not None and budget > 2_000_000_000:
        raise InvalidInput("budget: 预算过大 (上限 20000000.00)", field="budget")
    return Limits(budget, _positive_int(d, "per_member_limit"), _positive_int(d, "total_limit"))


def parse_document(body: object, *, code: str | None = None) -> PromotionDocument:
    """Validate a stored promotion's body. `code`: the id it must have (an edit), or
    None (a create: the body's id, or a placeholder the caller replaces)."""
    if not isinstance(body, dict):
        raise InvalidInput("body: 需要 JSON 对象 (一个促销)", field="body")
    unknown = sorted(k for k in body if k not in PROMOTION_KEYS + BUDGET_KEYS
                     and k not in OUTPUT_KEYS)
    if unknown:
        raise InvalidInput(f"{unknown[0]}: 未知字段", field=unknown[0])
    given = body.get("id")
    if given is not None:
        if not isinstance(given, str) or not _CODE_RE.match(given):
            raise InvalidInput("id: 只能用字母、数字、_ . - (最多 64 个)", field="id")
        if given.startswith(COUPON_PREFIX):
            raise InvalidInput(f"id: 不能以 {COUPON_PREFIX} 开头 (留给优惠券)", field="id")
        if code is not None and given != code:
            raise InvalidInput(f"id: 促销编号不能修改 ({code})", field="id")
    doc = {k: body[k] for k in PROMOTION_KEYS if k in body}
    doc["id"] = code or given or "P-new"
    try:
        promotion = parse_promotion(doc, "", is_coupon=False, index=0)
    except InvalidInput as e:  # the parser's paths start at its prefix: ".tiers[1].min"
        field = (e.field or "body").lstrip(".")
        raise InvalidInput(e.message.lstrip("."), field=field) from None
    if len(promotion.name) > 200:
        raise InvalidInput("name: 最多 200 字", field="name")
    if given is None and code is None:
        del doc["id"]
    return PromotionDocument(promotion, parse_limits(body), doc)


# Keys the API adds to a promotion it returns; a client may send them back unchanged
# (GET, edit, PUT) and they are ignored.
OUTPUT_KEYS = ("status", "spent", "uses", "warnings", "red_line", "review", "created_at",
               "updated_at", "updated_by")
