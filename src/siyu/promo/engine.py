"""`quote()`: price a cart with its best plan, explain it line by line, and hint top-ups.

Pure: the caller passes `now` (used only when the request has none).

Hints (智能凑单) cover every eligible `threshold` promotion or coupon whose next tier is
not reached. Its subtotal is measured as the contract measures thresholds: on its
eligible units' value left by the chosen plan's offers that come before it (nothing
for an exclusive one, which would apply alone). The top-up is the next tier's `min`
minus that subtotal; for 每满 (repeat) the next multiple, unless `max_off` is already
reached. Suggestions are catalog products within the promotion's scope whose price
covers the top-up, cheapest first (ties: catalog order), at most three.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from siyu.core.money import fmt_yuan
from siyu.promo.kinds import Offer, State, Values, compile_offers, initial_state, line_values
from siyu.promo.optimizer import Plan, best_plan, exhaustive_plan
from siyu.promo.schemas import Item, Promotion, QuoteRequest, Threshold

MAX_SUGGESTIONS = 3


@dataclass(frozen=True, slots=True)
class LineDiscount:
    line: int  # index into the cart's items
    discount: int


@dataclass(frozen=True, slots=True)
class AppliedOffer:
    promotion: Promotion
    discount: int
    lines: tuple[LineDiscount, ...]


@dataclass(frozen=True, slots=True)
class QuoteLine:
    item: Item
    subtotal: int
    discount: int

    @property
    def total(self) -> int:
        return self.subtotal - self.discount


@dataclass(frozen=True, slots=True)
class Hint:
    promotion: Promotion
    add: int
    reach: int  # the threshold to reach
    off: int  # what it then takes off
    suggest: tuple[str, ...]

    @property
    def message(self) -> str:
        return f"再买{fmt_yuan(self.add)}元可享满{_short(self.reach)}减{_short(self.off)}"


@dataclass(frozen=True, slots=True)
class Quote:
    subtotal: int
    applied: tuple[AppliedOffer, ...]
    unused_coupons: tuple[Promotion, ...]
    lines: tuple[QuoteLine, ...]
    hints: tuple[Hint, ...]

    @property
    def discount(self) -> int:
        return sum(a.discount for a in self.applied)

    @property
    def total(self) -> int:
        return self.subtotal - self.discount


def _short(fen: int) -> str:
    text = fmt_yuan(fen)
    return text[:-3] if text.endswith(".00") else text


def quote(request: QuoteRequest, *, now: datetime | None = None, exhaustive: bool = False) -> Quote:
    """Price `request`'s cart with the best plan. `exhaustive` uses the reference search."""
    offers = compile_offers(request, request.now or now)
    root = initial_state(request.items)
    plan = (exhaustive_plan if exhaustive else best_plan)(offers, root)
    applied, snapshots = _replay(offers, plan, root)
    used = {offers[pos].promotion.id for pos in plan.positions}
    line_off = [0] * len(request.items)
    for a in applied:
        for ld in a.lines:
            line_off[ld.line] += ld.discount
    lines = tuple(QuoteLine(item, item.price * item.qty, off)
                  for item, off in zip(request.items, line_off, strict=True))
    return Quote(
        subtotal=sum(line.subtotal for line in lines),
        applied=applied,
        unused_coupons=tuple(c for c in request.coupons if c.id not in used),
        lines=lines,
        hints=_hints(offers, plan, snapshots, request.catalog),
    )


def _replay(offers: Sequence[Offer], plan: Plan,
            root: State) -> tuple[tuple[AppliedOffer, ...], list[Values]]:
    """Apply the plan step by step: what each offer took off each line, and the line
    values before each step (the last entry: after the plan)."""
    steps = [offers[pos] for pos in plan.positions]
    last_unit = max((k for k, o in enumerate(steps) if not o.order_level), default=-1)
    state, values = root, line_values(root)
    applied, snapshots = [], [values]
    for k, offer in enumerate(steps):
        if k <= last_unit:  # units still matter
            off, state = offer.apply(state)
            after = line_values(state)
        else:
            off = offer.discount_on_values(values)
            after = offer.take_from_values(values, off)
        lines = tuple(LineDiscount(j, was - now)
                      for j, (was, now) in enumerate(zip(values, after, strict=True)) if was != now)
        applied.append(AppliedOffer(offer.promotion, off, lines))
        values = after
        snapshots.append(values)
    return tuple(applied), snapshots


def _next_tier(rule: Threshold, subtotal: int) -> tuple[int, int] | None:
    """(threshold to reach, discount there) for the first tier above `subtotal` that
    takes off more than the tier reached now."""
    def capped(off: int) -> int:
        return off if rule.max_off is None else min(off, rule.max_off)

    if rule.repeat:
        tier = rule.tiers[0]
        times = subtotal // tier.min + 1
        better = capped(tier.off * times) > capped(tier.off * (times - 1))
        return (tier.min * times, capped(tier.off * times)) if better else None
    now = max((capped(t.off) for t in rule.tiers if t.min <= subtotal), default=0)
    for tier in rule.tiers:
        if tier.min > subtotal and capped(tier.off) > now:
            return tier.min, capped(tier.off)
    return None


def _hints(offers: Sequence[Offer], plan: Plan, snapshots: list[Values],
           catalog: Sequence[Item]) -> tuple[Hint, ...]:
    exclusive_plan = any(offers[pos].promotion.exclusive for pos in plan.positions)
    hints = []
    for offer in offers:
        rule = offer.promotion.rule
        if not isinstance(rule, Threshold):
            continue
        if offer.promotion.exclusive or exclusive_plan:
            values = snapshots[0]  # an exclusive offer applies alone
        else:
            values = snapshots[bisect_left(plan.positions, offer.position)]
        subtotal = sum(values[j] for j in offer.lines)
        nxt = _next_tier(rule, subtotal)
        if nxt is None:
            continue
        reach, off = nxt
        add = reach - subtotal
        fits = sorted((item.price, k) for k, item in enumerate(catalog)
                      if item.price >= add and offer.promotion.scope.matches(item))
        suggest = tuple(catalog[k].sku for _, k in fits[:MAX_SUGGESTIONS])
        hints.append(Hint(offer.promotion, add, reach, off, suggest))
    return tuple(hints)


def quote_document(q: Quote) -> dict:
    """The contract's output JSON."""
    return {
        "subtotal": fmt_yuan(q.subtotal),
        "discount": fmt_yuan(q.discount),
        "total": fmt_yuan(q.total),
        "applied": [
            {
                "id": a.promotion.id,
                "name": a.promotion.name,
                "discount": fmt_yuan(a.discount),
                "lines": [{"sku": q.lines[ld.line].item.sku, "discount": fmt_yuan(ld.discount)}
                          for ld in a.lines],
            }
            for a in q.applied
        ],
        "unused_coupons": [c.id for c in q.unused_coupons],
        "lines": [
            {"sku": line.item.sku, "qty": line.item.qty, "subtotal": fmt_yuan(line.subtotal),
             "discount": fmt_yuan(line.discount), "total": fmt_yuan(line.total)}
            for line in q.lines
        ],
        "hints": [
            {"promotion": h.promotion.id, "add": fmt_yuan(h.add), "message": h.message,
             "suggest": list(h.suggest)}
            for h in q.hints
        ],
    }
