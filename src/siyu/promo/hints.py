"""凑单 hints: for each eligible `threshold` promotion or coupon whose next tier is not
reached, the smallest top-up (at list price) that reaches it, and up to three catalog
products that reach it by themselves, cheapest first (ties: catalog order).

The tier is measured as the contract measures thresholds: on the promotion's eligible
units' value left by the chosen plan's offers that come before it (nothing for an
exclusive one, which would apply alone). Whatever is added is discounted by those
earlier offers too (after 8折, 100.00 more adds only 80.00 towards 满300), so:
- the top-up is priced as one more unit like the cart's first line in the promotion's
  scope (same SKU, category, store, tags: it meets the same earlier offers), and found
  by stepping up from the plain difference by what is still missing. Adding goods never
  adds more than their price to what is left (discounts only grow with the cart), so no
  step jumps past the smallest top-up, and every step adds at least a fen;
- a catalog product is suggested only if adding one unit of it, with its own
  attributes, reaches the tier through the same earlier offers.
When no earlier offer of the plan touches the goods, the plain difference is exact and
nothing is replayed.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from siyu.promo.kinds import (
    Offer,
    compile_offers,
    initial_state,
    last_unit_level,
    line_values,
)
from siyu.promo.optimizer import Plan
from siyu.promo.schemas import Item, Promotion, QuoteRequest, Threshold

MAX_SUGGESTIONS = 3
MAX_STEPS = 64  # then the top-up is searched by halving (each step adds at least a fen)


@dataclass(frozen=True, slots=True)
class Hint:
    promotion: Promotion
    add: int
    reach: int  # the threshold to reach
    off: int  # what it then takes off
    suggest: tuple[str, ...]


def next_tier(rule: Threshold, subtotal: int) -> tuple[int, int] | None:
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


def _key(p: Promotion) -> tuple[str, bool]:
    return p.id, p.is_coupon


class _Replay:
    """What is left for one offer after the plan's earlier offers, with one more unit.

    Only the earlier offers and the target matter, and which lines each covers depends
    on the added unit's attributes, not its price: they are compiled once per shape of
    unit, then each price is one replay (order-level offers after the last unit-level
    one on line values, the fast path)."""

    def __init__(self, request: QuoteRequest, now: datetime | None, offer: Offer,
                 earlier: Sequence[Offer]) -> None:
        self.now = now
        self.target = _key(offer.promotion)
        self.offer, self.earlier = offer, list(earlier)
        involved = [o.promotion for o in (*earlier, offer)]
        self.request = replace(request,
                               promotions=tuple(p for p in involved if not p.is_coupon),
                               coupons=tuple(p for p in involved if p.is_coupon))
        self.compiled: dict[Item, tuple[list[Offer], int, Offer]] = {}
        self.memo: dict[tuple, tuple] = {}  # (offer, its lines before) -> its lines after

    def touches(self, item: Item) -> bool:
        return any(o.promotion.scope.matches(item) for o in self.earlier)

    def _compiled(self, shape: Item) -> tuple[list[Offer], int, Offer]:
        got = self.compiled.get(shape)
        if got is None:
            offers = compile_offers(replace(self.request, items=(*self.request.items, shape)),
                                    self.now)
            target = next(o for o in offers if _key(o.promotion) == self.target)
            steps = [o for o in offers if o is not target]
            got = self.compiled[shape] = (steps, last_unit_level(steps), target)
        return got

    def like_line(self, line: int) -> None:
        """The added units will be copies of cart line `line`: every offer covers them
        exactly when it covers that line, so the cart's own compiled offers extend to
        them without compiling again."""
        shape = replace(self.request.items[line], price=0, qty=1)
        if shape in self.compiled:
            return
        n = len(self.request.items)

        def extended(o: Offer) -> Offer:
            lines = (*o.lines, n) if line in o.lines else o.lines
            return Offer(o.promotion, o.position, lines, o.order_level, o.whole_cart)

        steps = [extended(o) for o in self.earlier]
        self.compiled[shape] = (steps, last_unit_level(steps), extended(self.offer))

    def left_with(self, extra: Item) -> int:
        steps, last_unit, target = self._compiled(replace(extra, price=0))
        state = initial_state((*self.request.items, extra))
        for o in steps[:last_unit + 1]:
            state = self._through(o, state, units=True)
        values = line_values(state)
        for o in steps[last_unit + 1:]:
            values = self._through(o, values, units=False)
        return sum(values[j] for j in target.lines)


    def _through(self, o: Offer, seq: tuple, *, units: bool) -> tuple:
        """`seq` (unit runs when `units`, else line values) after offer `o`. Its effect
        depends only on its own lines, and the replays of one hint differ in the added
        unit alone, so offers that do not see it repeat themselves: remembered by those
        lines."""
        key = (id(o), tuple([seq[j] for j in o.lines]))
        mine = self.memo.get(key)
        if mine is None:
            after = (o.apply(seq)[1] if units
                     else o.take_from_values(seq, o.discount_on_values(seq)))
            mine = self.memo[key] = tuple([after[j] for j in o.lines])
        new = list(seq)
        for j, x in zip(o.lines, mine, strict=True):
            new[j] = x
        return tuple(new)


def _smallest_top_up(left_with: Callable[[int], int], start: int, reach: int) -> int | None:
    """The least x >= start with left_with(x) >= reach (left_with grows by at most what
    x grows), or None when even a top-up of 1,000 × the threshold would not do."""
    x, limit = start, max(reach, 1) * 1000
    for _ in range(MAX_STEPS):
        missing = reach - left_with(x)
        if missing <= 0:
            return x
        x += missing
        if x > limit:
            return None
    lo, hi = x, x  # slow progress (deep discounts before it): find a bound, then halve
    while left_with(hi) < reach:
        lo, hi = hi, hi * 2
        if hi > limit:
            return None
    while lo + 1 < hi:
        mid = (lo + hi) // 2
        if left_with(mid) >= reach:
            hi = mid
        else:
            lo = mid
    return hi


def hints(request: QuoteRequest, now: datetime | None, offers: Sequence[Offer], plan: Plan,
          snapshots: list[tuple[int, ...]]) -> tuple[Hint, ...]:
    exclusive_plan = any(offers[pos].promotion.exclusive for pos in plan.positions)
    out = []
    for offer in offers:
        rule = offer.promotion.rule
        if not isinstance(rule, Threshold):
            continue
        if offer.promotion.exclusive or exclusive_plan:
            step, earlier = 0, []  # an exclusive offer applies alone
        else:
            step = bisect_left(plan.positions, offer.position)
            earlier = [offers[pos] for pos in plan.positions[:step]]
        values = snapshots[step]
        subtotal = sum(values[j] for j in offer.lines)
        nxt = next_tier(rule, subtotal)
        if nxt is None:
            continue
        reach, off = nxt
        replay = _Replay(request, now, offer, earlier)
        like = request.items[offer.lines[0]]
        replay.like_line(offer.lines[0])
        if replay.touches(like):
            add = _smallest_top_up(
                lambda x, r=replay, u=like: r.left_with(replace(u, price=x, qty=1)),
                reach - subtotal, reach)
            if add is None:
                continue
        else:
            add = reach - subtotal
        out.append(Hint(offer.promotion, add, reach, off,
                        _suggest(request.catalog, offer, replay, subtotal, reach)))
    return tuple(out)


def _suggest(catalog: Sequence[Item], offer: Offer, replay: _Replay, subtotal: int,
             reach: int) -> tuple[str, ...]:
    fits = sorted((item.price, k) for k, item in enumerate(catalog)
                  if item.price >= reach - subtotal and offer.promotion.scope.matches(item))
    chosen: list[str] = []
    for _, k in fits:
        unit = replace(catalog[k], qty=1)
        if not replay.touches(unit) or replay.left_with(unit) >= reach:
            chosen.append(unit.sku)
            if len(chosen) == MAX_SUGGESTIONS:
                break
    return tuple(chosen)
