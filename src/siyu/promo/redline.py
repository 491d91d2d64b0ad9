"""Price red lines at creation (价格红线): the worst-case unit price a promotion allows per
SKU, checked against the margin floor and the daily-price band (pure: no I/O).

Reading of "worst case": the deepest discount one unit of the SKU could get from this
promotion in any cart, alone, and then with the deepest live promotion of every other
stack group it can combine with (a coupon template's rule counts as one: the coupons it
issues stack in the wallet's coupon group), in application order, each step the lowest it can
take the unit to from what the steps before left (a bound: no real cart goes lower).
Alone:
- `threshold`, `percent`, `fixed` take a share of the order discount pro rata, so a unit
  loses the fraction discount(s) / s of its price; the worst cart has the subtotal s
  (at least the unit's own price) where that fraction is largest: the unit's price or
  a tier's `min` (每满: the first multiple of `min` not below the price). A no-threshold
  coupon on a single cheap unit can thus take the unit to 0.
- `nth_item`: the discounted unit pays `percent` less (第二件半价: half price).
- `buy_x_get_y`: the free unit pays 0, so 买赠 always needs approval: a free unit is a
  giveaway a reviewer signs off.
- `bundle_price`: a bundle's discount is spread pro rata over its units; the deepest
  share comes with the most expensive bundle the unit can be in: the unit and
  count - 1 units of the dearest product in scope.
Fen rounding goes against the merchant (the worst price is rounded down).

Floors (merchant settings, defaults in `RedLineRules`): the margin floor is cost ×
(1 + margin_floor_percent/100), skipped for products without a cost; the daily-price
band is daily price × (1 - daily_price_band_percent/100): a promotion may not take a
unit more than that far below its daily price (日常价) without approval.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from siyu.core.money import fmt_yuan
from siyu.promo.kinds import order_discount, percent_off
from siyu.promo.schemas import (
    BundlePrice,
    BuyXGetY,
    Fixed,
    Item,
    NthItem,
    Percent,
    Promotion,
    Rule,
    Threshold,
)


@dataclass(frozen=True, slots=True)
class RedLineRules:
    margin_floor_percent: int = 25
    daily_price_band_percent: int = 50


@dataclass(frozen=True, slots=True)
class Product:
    sku: str
    price: int
    cost: int
    daily_price: int
    category: str | None = None
    tags: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class Violation:
    sku: str
    rule: str  # "margin_floor" | "daily_price_band"
    price: int
    worst_price: int
    floor: int
    stacked_with: tuple[str, ...] = ()  # other promotions that take it there with it

    def document(self) -> dict:
        what = "毛利底线" if self.rule == "margin_floor" else "日常价允许区间"
        how = f"与 {'、'.join(self.stacked_with)} 叠加后" if self.stacked_with else ""
        doc = {"sku": self.sku, "rule": self.rule, "price": fmt_yuan(self.price),
               "worst_price": fmt_yuan(self.worst_price), "floor": fmt_yuan(self.floor),
               "message": f"{self.sku} {how}最低可到 {fmt_yuan(self.worst_price)} 元, "
                          f"低于{what} {fmt_yuan(self.floor)} 元"}
        if self.stacked_with:
            doc["stacked_with"] = list(self.stacked_with)
        return doc


def _ceil_div(a: int, b: int) -> int:
    return -(-a // b)


def _order_level_worst(rule: Threshold | Percent | Fixed, price: int) -> int:
    if isinstance(rule, Threshold):
        if rule.repeat:
            step = rule.tiers[0].min
            points = [_ceil_div(price, step) * step]
        else:
            points = [t.min for t in rule.tiers]
    else:
        points = [rule.min]
    worst = price
    for s in {price, *(max(price, t) for t in points)}:
        off = order_discount(rule, s)
        worst = min(worst, max(0, price - _ceil_div(price * off, s)))
    return worst


def worst_unit_price(rule: Rule, price: int, dearest: int) -> int:
    """The lowest price one unit at `price` can reach under `rule` alone; `dearest`: the
    highest price of a product in the promotion's scope."""
    if isinstance(rule, Threshold | Percent | Fixed):
        return _order_level_worst(rule, price)
    if isinstance(rule, NthItem):
        return price - percent_off(price, rule.ratio)
    if isinstance(rule, BuyXGetY):
        return 0
    assert isinstance(rule, BundlePrice)
    value = price + (rule.count - 1) * max(dearest, price)
    if value <= rule.price:
        return price
    return price * rule.price // value


def in_scope(promotion: Promotion, products: Sequence[Product]) -> list[Product]:
    scope = promotion.scope
    store = next(iter(sorted(scope.stores))) if scope.stores else None  # sold in any store
    return [p for p in products
            if scope.matches(Item(p.sku, p.sku, p.price, 1, p.category, store, p.tags))]


def _floors(p: Product, rules: RedLineRules) -> list[tuple[str, int]]:
    out = []
    if p.cost > 0:
        out.append(("margin_floor", _ceil_div(p.cost * (100 + rules.margin_floor_percent), 100)))
    if p.daily_price > 0:
        out.append(("daily_price_band",
                    _ceil_div(p.daily_price * (100 - rules.daily_price_band_percent), 100)))
    return out


def _stackable(promotion: Promotion, others: Sequence[Promotion],
               products: Sequence[Product]) -> list[tuple[Promotion, set[str], int]]:
    """The other promotions this one can combine with (other stack groups, neither
    exclusive), each with the SKUs it covers and its dearest product's price."""
    if promotion.exclusive:
        return []
    out = []
    for q in others:
        if q.exclusive or q.stack_group == promotion.stack_group or q.id == promotion.id:
            continue
        covered = in_scope(q, products)
        if covered:
            out.append((q, {p.sku for p in covered}, max(p.price for p in covered)))
    return out


def _stacked_worst(promotion: Promotion, p: Product, dearest: int,
                   stackable: list[tuple[Promotion, set[str], int]]) -> tuple[int, tuple[str, ...]]:
    """The unit's worst price with every other stack group on top, in application order
    (higher priority first; automatic promotions before coupons): each step is the lowest
    any member of that group can take the unit to from the value the steps before it
    left, in any cart."""
    groups: dict[str, list[tuple[Promotion, int]]] = {}
    for q, skus, q_dearest in stackable:
        if p.sku in skus:
            groups.setdefault(q.stack_group, []).append((q, q_dearest))
    if not groups:
        return worst_unit_price(promotion.rule, p.price, dearest), ()
    steps = [(-promotion.priority, promotion.is_coupon, 0, [(promotion, dearest)])]
    steps += [(-max(q.priority for q, _ in members), all(q.is_coupon for q, _ in members), 1,
               members) for _, members in sorted(groups.items())]
    steps.sort(key=lambda st: st[:3])
    value, codes = p.price, []
    for *_, members in steps:
        lowest, code = min((worst_unit_price(q.rule, value, d), q.id) for q, d in members)
        if lowest < value and code != promotion.id:
            codes.append(code)
        value = lowest
    return value, tuple(codes)


def check(promotion: Promotion, products: Sequence[Product],
          rules: RedLineRules = RedLineRules(),
          others: Sequence[Promotion] = ()) -> list[Violation]:
    """The SKUs in scope whose worst-case price breaks a floor, in catalog order: by
    this promotion alone, or else stacked with the deepest of each other stack group
    among `others` (the merchant's live promotions and coupon-template rules)."""
    chosen = in_scope(promotion, products)
    dearest = max((p.price for p in chosen), default=0)
    stackable = _stackable(promotion, others, products)
    out: list[Violation] = []
    for p in chosen:
        worst = worst_unit_price(promotion.rule, p.price, dearest)
        stacked, codes = _stacked_worst(promotion, p, dearest, stackable)
        for rule, floor in _floors(p, rules):
            if worst < floor:
                out.append(Violation(p.sku, rule, p.price, worst, floor))
            elif stacked < floor:
                out.append(Violation(p.sku, rule, p.price, stacked, floor, codes))
    return out
