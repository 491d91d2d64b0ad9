"""Price red lines (价格红线), pure: a promotional price against the product's cost, its
daily price (日常价) and the recent transaction prices; no I/O.

- `below_cost` / `margin_floor`: the price may not fall below cost × (1 + floor%)
  (seed 000: 利润率不低于25%, a merchant setting); fen round up against the merchant.
- `price_inversion`: a price offered as a discount may not exceed the daily price
  (与日常价倒挂); `no_discount` when it merely equals it.
- Reference prices (划线价/原价): 规范促销行为暂行规定 says a reference price with no
  stated base means the lowest transaction price of the 7 days before the promotion
  (or, with no trade in those days, the last transaction price before it). A claimed
  original price above that base is `reference_price`; one the price is not below is
  `reference_not_above_price`; with no transaction at all, `reference_unsupported`.

`check_price` is what the promotion approval flow calls; the service gathers the facts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_CEILING, Decimal

from siyu.core.money import fmt_yuan
from siyu.risk.rules import PriceRules

BLOCK, REVIEW = "block", "review"


@dataclass(frozen=True, slots=True)
class ReferencePrices:
    """Unit transaction prices (fen, discounts included) before a promotion starts."""

    lowest_in_window: int | None = None  # lowest in the `days` before the start
    last_before: int | None = None  # the last one before the window, when it had none
    days: int = 7


@dataclass(frozen=True, slots=True)
class PriceFinding:
    rule: str
    level: str  # block: a red line (needs approval or a change); review: a human looks
    message: str
    evidence: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {"rule": self.rule, "level": self.level, "message": self.message,
                "evidence": self.evidence}


def margin_floor(cost: int, percent: Decimal) -> int:
    """The lowest price keeping `percent` over cost, rounded up to the fen."""
    exact = Decimal(cost) * (Decimal(100) + Decimal(percent)) / Decimal(100)
    return int(exact.to_integral_value(rounding=ROUND_CEILING))


def reference_base(reference: ReferencePrices | None) -> tuple[int | None, str | None]:
    if reference is None:
        return None, None
    if reference.lowest_in_window is not None:
        return reference.lowest_in_window, f"lowest_{reference.days}d"
    if reference.last_before is not None:
        return reference.last_before, "last_before"
    return None, None


def verdict(findings: list[PriceFinding]) -> str:
    if any(f.level == BLOCK for f in findings):
        return "block"
    return "review" if findings else "pass"


def check_price(*, sku: str, promo_price: int, cost: int, daily_price: int,
                claimed_original_price: int | None = None,
                reference: ReferencePrices | None = None,
                rules: PriceRules | None = None) -> list[PriceFinding]:
    """Every red line a promotional unit price crosses (empty: it is clean).

    Money in fen. `cost` 0 means unknown (no margin check); `reference` is needed only
    when an original price is claimed."""
    rules = rules or PriceRules()
    out: list[PriceFinding] = []
    y = fmt_yuan
    if cost > 0:
        floor = margin_floor(cost, rules.margin_floor_percent)
        evidence = {"price": y(promo_price), "cost": y(cost), "floor": y(floor),
                    "margin_floor_percent": str(rules.margin_floor_percent)}
        if promo_price < cost:
            out.append(PriceFinding("below_cost", BLOCK,
                                    f"{sku} 活动价 {y(promo_price)} 元低于成本 {y(cost)} 元",
                                    evidence))
        elif promo_price < floor:
            out.append(PriceFinding(
                "margin_floor", BLOCK,
                f"{sku} 活动价 {y(promo_price)} 元低于毛利底线 {y(floor)} 元 "
                f"(成本上浮 {rules.margin_floor_percent}%)", evidence))
    if daily_price > 0:
        evidence = {"price": y(promo_price), "daily_price": y(daily_price)}
        if promo_price > daily_price:
            out.append(PriceFinding(
                "price_inversion", BLOCK,
                f"{sku} 活动价 {y(promo_price)} 元高于日常价 {y(daily_price)} 元, "
                "不能作为优惠宣传 (价格倒挂)", evidence))
        elif promo_price == daily_price:
            out.append(PriceFinding("no_discount", REVIEW,
                                    f"{sku} 活动价等于日常价 {y(daily_price)} 元, 并无优惠",
                                    evidence))
    if claimed_original_price is not None:
        out.extend(_reference(sku, promo_price, claimed_original_price, reference, rules))
    return out


def _reference(sku: str, price: int, claimed: int, reference: ReferencePrices | None,
               rules: PriceRules) -> list[PriceFinding]:
    y = fmt_yuan
    out = []
    if claimed <= price:
        out.append(PriceFinding(
            "reference_not_above_price", BLOCK,
            f"{sku} 标示原价 {y(claimed)} 元不高于活动价 {y(price)} 元, 不构成优惠",
            {"price": y(price), "claimed_original_price": y(claimed)}))
    base, basis = reference_base(reference)
    days = reference.days if reference else rules.reference_days
    if base is None:
        out.append(PriceFinding(
            "reference_unsupported", REVIEW,
            f"{sku} 活动前没有成交记录, 标示原价 {y(claimed)} 元无法以前 {days} 日最低成交价"
            "佐证; 请标明原价的依据",
            {"claimed_original_price": y(claimed), "reference_days": days}))
        return out
    if claimed > base:
        where = (f"促销前 {days} 日内最低成交价" if basis and basis.startswith("lowest")
                 else f"促销前最后一次成交价 (前 {days} 日内无成交)")
        out.append(PriceFinding(
            "reference_price", BLOCK,
            f"{sku} 标示原价 {y(claimed)} 元高于{where} {y(base)} 元 (规范促销行为暂行规定)",
            {"claimed_original_price": y(claimed), "reference_price": y(base),
             "basis": basis, "reference_days": days}))
    return out
