"""The `siyu promo quote` input (contract 1): typed values and their validation.

Every problem raises `InvalidInput` whose message starts with the JSON path of the
field (`promotions[1].tiers[0].min: 金额最多两位小数 ...`). Money becomes integer fen.

Readings of points the contract leaves open:
- An empty list (`"skus": []`, `"member_tiers": []`) means the same as an omitted one:
  no restriction.
- Scope: `skus`, `categories` and `tags` select products (an item is selected when it
  matches any of the given selectors); `stores` restricts where (the item's store must
  be listed); `exclude_skus` removes items. Omitted selectors select every item.
- `qty` defaults to 1; `name` of an item is optional; `promotions`, `coupons` and
  `catalog` default to empty lists; `currency`, when given, must be "CNY".
- Ids must be unique over promotions and coupons together (they name the result).
- Threshold tiers: `min` > 0 and strictly increasing, `off` never smaller than the tier
  below; `repeat` (每满) takes exactly one tier.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from siyu.core.clock import parse_datetime
from siyu.core.errors import InvalidInput
from siyu.core.money import parse_yuan

KINDS = ("threshold", "percent", "fixed", "nth_item", "buy_x_get_y", "bundle_price")
_PERCENT_RE = re.compile(r"^\d+(\.\d+)?$")


@dataclass(frozen=True, slots=True)
class Item:
    sku: str
    name: str
    price: int
    qty: int
    category: str | None = None
    store: str | None = None
    tags: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class Scope:
    skus: frozenset[str] | None = None
    categories: frozenset[str] | None = None
    stores: frozenset[str] | None = None
    tags: frozenset[str] | None = None
    exclude_skus: frozenset[str] | None = None

    def matches(self, item: Item) -> bool:
        if self.exclude_skus is not None and item.sku in self.exclude_skus:
            return False
        if self.stores is not None and item.store not in self.stores:
            return False
        if self.skus is None and self.categories is None and self.tags is None:
            return True
        return bool(
            (self.skus is not None and item.sku in self.skus)
            or (self.categories is not None and item.category in self.categories)
            or (self.tags is not None and item.tags & self.tags)
        )


@dataclass(frozen=True, slots=True)
class Tier:
    min: int
    off: int


@dataclass(frozen=True, slots=True)
class Threshold:
    """满减 / 阶梯满减 / 每满减 (repeat)."""

    tiers: tuple[Tier, ...]
    repeat: bool = False
    max_off: int | None = None


@dataclass(frozen=True, slots=True)
class Percent:
    """折扣: `percent` off the eligible subtotal (95折 = 5)."""

    percent: Decimal
    min: int = 0
    max_off: int | None = None
    ratio: tuple[int, int] = field(init=False, compare=False)  # percent as a fraction

    def __post_init__(self) -> None:
        object.__setattr__(self, "ratio", self.percent.as_integer_ratio())


@dataclass(frozen=True, slots=True)
class Fixed:
    """满减券 / 无门槛券."""

    off: int
    min: int = 0


@dataclass(frozen=True, slots=True)
class NthItem:
    """第N件X折 (第二件半价: n=2, percent=50)."""

    n: int
    percent: Decimal
    ratio: tuple[int, int] = field(init=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "ratio", self.percent.as_integer_ratio())


@dataclass(frozen=True, slots=True)
class BuyXGetY:
    """买X送Y."""

    buy: int
    get: int


@dataclass(frozen=True, slots=True)
class BundlePrice:
    """任选N件P元 (礼盒组合价)."""

    count: int
    price: int


Rule = Threshold | Percent | Fixed | NthItem | BuyXGetY | BundlePrice


@dataclass(frozen=True, slots=True)
class Promotion:
    id: str
    name: str
    kind: str
    rule: Rule
    scope: Scope = Scope()
    member_tiers: frozenset[str] | None = None
    segments: frozenset[str] | None = None
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    stack_group: str = ""
    exclusive: bool = False
    priority: int = 0
    is_coupon: bool = False
    index: int = 0  # position in its input list


@dataclass(frozen=True, slots=True)
class Member:
    id: str | None = None
    tier: str | None = None
    segments: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class QuoteRequest:
    items: tuple[Item, ...]
    promotions: tuple[Promotion, ...] = ()
    coupons: tuple[Promotion, ...] = ()
    catalog: tuple[Item, ...] = ()
    member: Member | None = None
    now: datetime | None = None


def _fail(path: str, reason: str) -> InvalidInput:
    return InvalidInput(f"{path}: {reason}", field=path)


def _object(value: object, path: str) -> dict:
    if not isinstance(value, dict):
        raise _fail(path, "需要 JSON 对象")
    return value


def _list(value: object, path: str) -> list:
    if not isinstance(value, list):
        raise _fail(path, "需要 JSON 数组")
    return value


def _text(d: dict, key: str, path: str, *, required: bool = False) -> str | None:
    value = d.get(key)
    if value is None:
        if required:
            raise _fail(f"{path}{key}", "缺少此字段")
        return None
    if not isinstance(value, str) or not value.strip():
        raise _fail(f"{path}{key}", "需要非空字符串")
    return value


def _names(d: dict, key: str, path: str) -> frozenset[str] | None:
    value = d.get(key)
    if value is None:
        return None
    values = _list(value, f"{path}{key}")
    for i, v in enumerate(values):
        if not isinstance(v, str):
            raise _fail(f"{path}{key}[{i}]", "需要字符串")
    return frozenset(values) or None


def _integer(d: dict, key: str, path: str, *, minimum: int | None,
             default: int | None = None) -> int:
    value = d.get(key)
    if value is None:
        if default is None:
            raise _fail(f"{path}{key}", "缺少此字段")
        return default
    if isinstance(value, bool) or not isinstance(value, int):
        raise _fail(f"{path}{key}", "需要整数")
    if minimum is not None and value < minimum:
        raise _fail(f"{path}{key}", f"不能小于 {minimum}")
    return value


def _money(d: dict, key: str, path: str, *, default: int | None = None) -> int:
    value = d.get(key)
    if value is None:
        if default is None:
            raise _fail(f"{path}{key}", "缺少此字段")
        return default
    return parse_yuan(value, f"{path}{key}")


def _optional_money(d: dict, key: str, path: str) -> int | None:
    return None if d.get(key) is None else _money(d, key, path)


def _percent(d: dict, key: str, path: str) -> Decimal:
    value = d.get(key)
    where = f"{path}{key}"
    if value is None:
        raise _fail(where, "缺少此字段")
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise _fail(where, "需要百分数, 如 \"5\" 或 \"12.5\"")
    text = str(value).strip()
    if not _PERCENT_RE.match(text):
        raise _fail(where, f"不是有效的百分数 ({value!r})")
    p = Decimal(text)
    if not 0 < p <= 100:
        raise _fail(where, "百分数必须大于0且不超过100")
    return p


def _moment(d: dict, key: str, path: str) -> datetime | None:
    return None if d.get(key) is None else parse_datetime(d[key], f"{path}{key}")


def _flag(d: dict, key: str, path: str) -> bool:
    value = d.get(key, False)
    if not isinstance(value, bool):
        raise _fail(f"{path}{key}", "需要 true 或 false")
    return value


def parse_item(value: object, path: str) -> Item:
    d = _object(value, path)
    p = f"{path}."
    tags = _names(d, "tags", p)
    return Item(
        sku=_text(d, "sku", p, required=True) or "",
        name=_text(d, "name", p) or "",
        price=_money(d, "price", p),
        qty=_integer(d, "qty", p, minimum=1, default=1),
        category=_text(d, "category", p),
        store=_text(d, "store", p),
        tags=tags or frozenset(),
    )


def _tiers(d: dict, p: str) -> tuple[Tier, ...]:
    raw = d.get("tiers")
    if raw is None:
        raise _fail(f"{p}tiers", "缺少此字段")
    if not _list(raw, f"{p}tiers"):
        raise _fail(f"{p}tiers", "至少需要一个档位")
    tiers: list[Tier] = []
    for k, t in enumerate(raw):
        td = _object(t, f"{p}tiers[{k}]")
        tp = f"{p}tiers[{k}]."
        tier = Tier(min=_money(td, "min", tp), off=_money(td, "off", tp))
        if tier.min <= 0:
            raise _fail(f"{tp}min", "门槛必须大于0")
        if tiers and tier.min <= tiers[-1].min:
            raise _fail(f"{tp}min", "档位门槛必须递增")
        if tiers and tier.off < tiers[-1].off:
            raise _fail(f"{tp}off", "高档位的优惠不能少于低档位")
        tiers.append(tier)
    return tuple(tiers)


def _rule(kind: str, d: dict, p: str) -> Rule:
    if kind == "threshold":
        tiers = _tiers(d, p)
        repeat = _flag(d, "repeat", p)
        if repeat and len(tiers) != 1:
            raise _fail(f"{p}tiers", "每满减 (repeat) 只能有一个档位")
        return Threshold(tiers, repeat, _optional_money(d, "max_off", p))
    if kind == "percent":
        return Percent(_percent(d, "percent", p), _money(d, "min", p, default=0),
                       _optional_money(d, "max_off", p))
    if kind == "fixed":
        return Fixed(_money(d, "off", p), _money(d, "min", p, default=0))
    if kind == "nth_item":
        return NthItem(_integer(d, "n", p, minimum=2), _percent(d, "percent", p))
    if kind == "buy_x_get_y":
        return BuyXGetY(_integer(d, "buy", p, minimum=1), _integer(d, "get", p, minimum=1))
    return BundlePrice(_integer(d, "count", p, minimum=1), _money(d, "price", p))


def _scope(d: dict, p: str) -> Scope:
    raw = d.get("scope")
    if raw is None:
        return Scope()
    s = _object(raw, f"{p}scope")
    sp = f"{p}scope."
    return Scope(_names(s, "skus", sp), _names(s, "categories", sp), _names(s, "stores", sp),
                 _names(s, "tags", sp), _names(s, "exclude_skus", sp))


def parse_promotion(value: object, path: str, *, is_coupon: bool, index: int) -> Promotion:
    d = _object(value, path)
    p = f"{path}."
    pid = _text(d, "id", p, required=True) or ""
    kind = _text(d, "kind", p, required=True) or ""
    if kind not in KINDS:
        raise _fail(f"{p}kind", f"未知的促销类型 {kind!r} (可用: {', '.join(KINDS)})")
    starts_at, ends_at = _moment(d, "starts_at", p), _moment(d, "ends_at", p)
    if starts_at is not None and ends_at is not None and ends_at < starts_at:
        raise _fail(f"{p}ends_at", "结束时间早于开始时间")
    return Promotion(
        id=pid,
        name=_text(d, "name", p, required=True) or "",
        kind=kind,
        rule=_rule(kind, d, p),
        scope=_scope(d, p),
        member_tiers=_names(d, "member_tiers", p),
        segments=_names(d, "segments", p),
        starts_at=starts_at,
        ends_at=ends_at,
        stack_group=_text(d, "stack_group", p) or pid,
        exclusive=_flag(d, "exclusive", p),
        priority=_integer(d, "priority", p, minimum=None, default=0),
        is_coupon=is_coupon,
        index=index,
    )


def _member(value: object) -> Member | None:
    if value is None:
        return None
    d = _object(value, "member")
    return Member(_text(d, "id", "member."), _text(d, "tier", "member."),
                  _names(d, "segments", "member.") or frozenset())


def parse_quote_request(doc: object) -> QuoteRequest:
    """Validate a decoded JSON document against contract 1 and type it."""
    d = _object(doc, "input")
    currency = d.get("currency")
    if currency is not None and currency != "CNY":
        raise _fail("currency", f"只支持 CNY ({currency!r})")
    now = _moment(d, "now", "")
    if "items" not in d:
        raise _fail("items", "缺少此字段")
    items = tuple(parse_item(v, f"items[{i}]") for i, v in enumerate(_list(d["items"], "items")))
    lists = {}
    for key in ("promotions", "coupons"):
        raw = _list(d.get(key) or [], key)
        lists[key] = tuple(parse_promotion(v, f"{key}[{i}]", is_coupon=key == "coupons", index=i)
                           for i, v in enumerate(raw))
    seen: set[str] = set()
    for key, promos in lists.items():
        for promo in promos:
            if promo.id in seen:
                raise _fail(f"{key}[{promo.index}].id", f"重复的 id {promo.id!r}")
            seen.add(promo.id)
    catalog = tuple(parse_item(v, f"catalog[{i}]")
                    for i, v in enumerate(_list(d.get("catalog") or [], "catalog")))
    return QuoteRequest(items=items, promotions=lists["promotions"], coupons=lists["coupons"],
                        catalog=catalog, member=_member(d.get("member")), now=now)
