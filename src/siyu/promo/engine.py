"""`quote()`: price a cart with its best plan, explain it line by line, and hint top-ups.

Pure: the caller passes `now` (used only when the request has none).

Hints (智能凑单) are worked out in `siyu.promo.hints`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from siyu.core.money import fmt_yuan
from siyu.promo.hints import Hint, hints
from siyu.promo.kinds import (
    Offer,
    State,
    Values,
    compile_offers,
    initial_state,
    last_unit_level,
    line_values,
)
from siyu.promo.optimizer import Plan, best_plan, exhaustive_plan
from siyu.promo.schemas import Item, Promotion, QuoteRequest


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


def hint_message(h: Hint) -> str:
    return f"再买{fmt_yuan(h.add)}元可享满{_short(h.reach)}减{_short(h.off)}"


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
        hints=hints(request, request.now or now, offers, plan, snapshots),
    )


def _replay(offers: Sequence[Offer], plan: Plan,
            root: State) -> tuple[tuple[AppliedOffer, ...], list[Values]]:
    """Apply the plan step by step: what each offer took off each line, and the line
    values before each step (the last entry: after the plan)."""
    steps = [offers[pos] for pos in plan.positions]
    last_unit = last_unit_level(steps)
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
            {"promotion": h.promotion.id, "add": fmt_yuan(h.add), "message": hint_message(h),
             "suggest": list(h.suggest)}
            for h in q.hints
        ],
    }
