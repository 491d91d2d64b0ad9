"""What each promotion kind does to a cart, in integer fen (pure: no I/O, no clock).

The cart state is the value left on every unit: each line is a tuple of runs
`(unit value, count)` with values strictly descending (the units of a line are the
same product, so only how many units hold which value matters).

Readings of the contract:
- Order-level kinds (`threshold`, `percent`, `fixed`) compute one amount on the eligible
  subtotal, allocate it to the eligible lines pro rata to their value (rounded-down
  shares, then the missing fen one each in input order: `core.money.allocate`), and a
  line's share is spread over its units the same way (units in descending value order).
- `nth_item`: of N eligible units, floor(N / n) units get `percent` off, and they are
  the cheapest units (第二件半价 on 10 + 40 discounts the 10; on 4 units of 10, 20,
  30, 40 it discounts 10 and 20). Each unit's discount rounds half up.
- `buy_x_get_y`: get × floor(N / (buy + get)) of the cheapest eligible units are free.
- `bundle_price`: eligible units sorted most expensive first are cut into floor(N /
  count) bundles; a bundle worth more than `price` is discounted by the difference,
  spread over its units pro rata (missing fen to units in line input order); a bundle
  worth less is left alone (a bundle price never raises a price).
- Ties between units of equal value go to the line that comes first in the input.
- Time window: `starts_at` <= now < `ends_at`. `member_tiers`: the member's tier is
  listed; `segments`: the member is in at least one listed segment. Without a member,
  promotions restricted to tiers or segments are not eligible.
Every discount is monotone: it can only shrink when unit values shrink. The optimiser's
bounds rely on this.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from fractions import Fraction

from siyu.core.money import allocate
from siyu.promo.schemas import (
    BundlePrice,
    BuyXGetY,
    Fixed,
    Item,
    Member,
    NthItem,
    Percent,
    Promotion,
    QuoteRequest,
    Rule,
    Scope,
    Threshold,
)

Runs = tuple[tuple[int, int], ...]
State = tuple[Runs, ...]
Values = tuple[int, ...]  # value left on each line
_Changes = dict[int, list[tuple[int, int, int]]]  # line -> (old unit value, units, new value)


def initial_state(items: Sequence[Item]) -> State:
    return tuple(((item.price, item.qty),) for item in items)


def line_value(runs: Runs) -> int:
    return sum(v * c for v, c in runs)


def state_total(state: State) -> int:
    return sum(v * c for runs in state for v, c in runs)


def _normalise(pairs: Iterable[tuple[int, int]]) -> Runs:
    merged: dict[int, int] = {}
    for v, c in pairs:
        if c:
            merged[v] = merged.get(v, 0) + c
    return tuple(sorted(merged.items(), reverse=True))


def percent_off(fen: int, ratio: tuple[int, int]) -> int:
    """`ratio` (a percentage as num/den) % of `fen`, half up: `core.money.percent_of`
    in integers."""
    num, den = ratio
    return (2 * fen * num + 100 * den) // (200 * den)


def _threshold_discount(rule: Threshold, subtotal: int) -> int:
    if rule.repeat:
        tier = rule.tiers[0]
        off = tier.off * (subtotal // tier.min)
    else:
        off = 0
        for tier in rule.tiers:
            if subtotal < tier.min:
                break
            off = tier.off
    if rule.max_off is not None and off > rule.max_off:
        off = rule.max_off
    return off if off < subtotal else subtotal


def _percent_discount(rule: Percent, subtotal: int) -> int:
    if subtotal < rule.min:
        return 0
    off = percent_off(subtotal, rule.ratio)
    return off if rule.max_off is None or off < rule.max_off else rule.max_off


def _fixed_discount(rule: Fixed, subtotal: int) -> int:
    if subtotal < rule.min:
        return 0
    return rule.off if rule.off < subtotal else subtotal


ORDER_LEVEL = {Threshold: _threshold_discount, Percent: _percent_discount, Fixed: _fixed_discount}


def order_discount(rule: Threshold | Percent | Fixed, subtotal: int) -> int:
    """The amount an order-level promotion takes off an eligible `subtotal`."""
    return ORDER_LEVEL[type(rule)](rule, subtotal)  # type: ignore[operator]


def lowest_left(rule: Threshold | Percent | Fixed, total: int) -> int:
    """The least an order-level promotion over the whole cart can leave of any total of
    at least `total`: min over t >= total of t - discount(t). Between the points tried
    below, t - discount(t) never decreases."""
    least = total - order_discount(rule, total)
    if isinstance(rule, Threshold):
        if rule.repeat:
            step = rule.tiers[0].min
            points = [-(-total // step) * step]
        else:
            points = [t.min for t in rule.tiers if t.min > total]
    else:
        points = [rule.min] if rule.min > total else []
    for t in points:
        least = min(least, t - order_discount(rule, t))
    return least


def discount_ratio(rule: Rule) -> tuple[int, int, bool] | None:
    """(a, b, half): the discount is at most a/b of the eligible subtotal, plus half a fen
    when `half` (rounding); None when no such bound is known (unit-level kinds)."""
    if isinstance(rule, Threshold):
        best = max(rule.tiers, key=lambda t: Fraction(t.off, t.min))
        a, b = best.off, best.min
    elif isinstance(rule, Percent):
        num, den = rule.ratio
        return min(num, 100 * den), 100 * den, True
    elif isinstance(rule, Fixed) and rule.min > 0:
        a, b = rule.off, rule.min
    else:
        return None
    return min(a, b), b, False


def _take_from_line(runs: Runs, value: int, share: int) -> Runs:
    """Take `share` fen off a line worth `value`, pro rata over its units."""
    if share == value:
        return ((0, sum(c for _, c in runs)),)
    if len(runs) == 1:  # equal units: share // count each, the rest one fen more
        v, c = runs[0]
        base, extra = divmod(share, c)
        if not extra:
            return ((v - base, c),)
        return ((v - base, c - extra), (v - base - 1, extra))
    bases = [share * v // value for v, _ in runs]
    missing = share - sum(b * c for b, (_, c) in zip(bases, runs, strict=True))
    out: list[tuple[int, int]] = []
    for base, (v, c) in zip(bases, runs, strict=True):
        extra = min(missing, c) if v > 0 else 0
        missing -= extra
        if extra:
            out.append((v - base - 1, extra))
        out.append((v - base, c - extra))
    return _normalise(out)


def _apply_order_level(rule: Threshold | Percent | Fixed, lines: tuple[int, ...],
                       state: State) -> tuple[int, State]:
    values = [line_value(state[j]) for j in lines]
    off = order_discount(rule, sum(values))
    if not off:
        return 0, state
    new = list(state)
    for j, value, share in zip(lines, values, allocate(off, values), strict=True):
        if share:
            new[j] = _take_from_line(state[j], value, share)
    return off, tuple(new)


def _replace_units(state: State, changes: _Changes) -> State:
    new = list(state)
    for j, moves in changes.items():
        counts = dict(state[j])
        for v, units, nv in moves:
            counts[v] -= units
            counts[nv] = counts.get(nv, 0) + units
        new[j] = _normalise(counts.items())
    return tuple(new)


def _units(state: State, lines: tuple[int, ...]) -> list[tuple[int, int, int]]:
    return [(v, j, c) for j in lines for v, c in state[j]]


def _cheapest_units(state: State, lines: tuple[int, ...], k: int,
                    percent: tuple[int, int] | None, changes: _Changes | None) -> int:
    """Discount the `k` cheapest units by `percent` (None: make them free); record the
    changes unless `changes` is None."""
    total = 0
    for v, j, c in sorted(_units(state, lines)):
        if k <= 0:
            break
        units = min(c, k)
        k -= units
        off = v if percent is None else percent_off(v, percent)
        if off:
            if changes is not None:
                changes[j].append((v, units, v - off))
            total += off * units
    return total


def _spread_bundle(segments: list[tuple[int, int, int]], off: int, changes: _Changes) -> None:
    """Spread a bundle's `off` over its units pro rata; missing fen in line input order."""
    worth = sum(v * t for v, _, t in segments)
    segments.sort(key=lambda s: s[1])
    missing = off - sum((off * v // worth) * t for v, _, t in segments)
    for v, j, t in segments:
        base = off * v // worth
        extra = min(missing, t) if v > 0 else 0
        missing -= extra
        if extra:
            changes[j].append((v, extra, v - base - 1))
        if t > extra and base:
            changes[j].append((v, t - extra, v - base))


def _bundles(state: State, lines: tuple[int, ...], count: int, price: int,
             changes: _Changes | None) -> int:
    """Price bundles of `count` units, most expensive first; record the changes unless
    `changes` is None."""
    runs = sorted((-v, j, c) for v, j, c in _units(state, lines))
    left = sum(c for _, _, c in runs) // count
    total = i = 0
    remaining = runs[0][2] if runs else 0
    while left:
        v, j = -runs[i][0], runs[i][1]
        if remaining >= count:  # whole bundles inside one run are all alike
            q = min(remaining // count, left)
            off = max(0, v * count - price)
            if off:
                if changes is not None:
                    _spread_bundle([(v, j, count * q)], off * q, changes)
                total += off * q
            remaining -= q * count
            left -= q
        else:
            segments, need = [], count
            while need:
                t = min(remaining, need)
                segments.append((-runs[i][0], runs[i][1], t))
                need -= t
                remaining -= t
                if need:
                    i += 1
                    remaining = runs[i][2]
            off = max(0, sum(sv * t for sv, _, t in segments) - price)
            if off:
                if changes is not None:
                    _spread_bundle(segments, off, changes)
                total += off
            left -= 1
        if remaining == 0 and left:
            i += 1
            remaining = runs[i][2]
    return total


def _unit_level(rule: Rule, lines: tuple[int, ...], state: State,
                changes: _Changes | None) -> int:
    n_units = sum(c for j in lines for _, c in state[j])
    if isinstance(rule, NthItem):
        return _cheapest_units(state, lines, n_units // rule.n, rule.ratio, changes)
    if isinstance(rule, BuyXGetY):
        k = rule.get * (n_units // (rule.buy + rule.get))
        return _cheapest_units(state, lines, k, None, changes)
    if isinstance(rule, BundlePrice):
        return _bundles(state, lines, rule.count, rule.price, changes)
    raise TypeError(f"unknown rule {rule!r}")


def apply_rule(rule: Rule, lines: tuple[int, ...], state: State) -> tuple[int, State]:
    """Apply one promotion to the units of `lines`: (discount in fen, new state)."""
    if isinstance(rule, Threshold | Percent | Fixed):
        return _apply_order_level(rule, lines, state)
    changes: _Changes = defaultdict(list)
    off = _unit_level(rule, lines, state, changes)
    return (off, _replace_units(state, changes)) if off else (0, state)


def rule_discount(rule: Rule, lines: tuple[int, ...], state: State) -> int:
    """What `apply_rule` would take off, without building the new state."""
    if isinstance(rule, Threshold | Percent | Fixed):
        return order_discount(rule, sum(line_value(state[j]) for j in lines))
    return _unit_level(rule, lines, state, None)


def is_available(promo: Promotion, member: Member | None, now: datetime | None) -> bool:
    """Within its time window, member tiers and segments (scope aside)."""
    if promo.starts_at is not None and (now is None or now < promo.starts_at):
        return False
    if promo.ends_at is not None and (now is None or now >= promo.ends_at):
        return False
    if promo.member_tiers is not None and (member is None or member.tier not in promo.member_tiers):
        return False
    return promo.segments is None or (member is not None and bool(member.segments & promo.segments))


@dataclass(frozen=True, slots=True)
class Offer:
    """An eligible promotion or coupon, compiled against one cart."""

    promotion: Promotion
    position: int  # place in the application order
    lines: tuple[int, ...]  # cart lines in scope
    order_level: bool  # threshold, percent, fixed: only line values matter to it
    whole_cart: bool  # every line is in scope

    def apply(self, state: State) -> tuple[int, State]:
        return apply_rule(self.promotion.rule, self.lines, state)

    def discount(self, state: State) -> int:
        return rule_discount(self.promotion.rule, self.lines, state)

    # When no unit-level offer can follow, only line values matter: the fast path.
    def discount_on_values(self, values: Values) -> int:
        """An order-level offer's discount on line `values`."""
        subtotal = sum(values) if self.whole_cart else sum([values[j] for j in self.lines])
        return order_discount(self.promotion.rule, subtotal)  # type: ignore[arg-type]

    def take_from_values(self, values: Values, off: int) -> Values:
        """Line values after allocating an order-level discount `off`."""
        if self.whole_cart:
            return tuple(v - share for v, share in zip(values, allocate(off, list(values)),
                                                       strict=True))
        new = list(values)
        lines = self.lines
        for j, share in zip(lines, allocate(off, [values[j] for j in lines]), strict=True):
            new[j] -= share
        return tuple(new)


def last_unit_level(offers: Sequence[Offer]) -> int:
    """The index of the last unit-level offer (-1: none): after it, line values suffice."""
    return max((k for k, o in enumerate(offers) if not o.order_level), default=-1)


def line_values(state: State) -> Values:
    return tuple([runs[0][0] * runs[0][1] if len(runs) == 1 else line_value(runs)
                  for runs in state])


def application_order(promos: Iterable[Promotion]) -> list[Promotion]:
    """Higher priority first; ties: automatic promotions before coupons, then input order."""
    return sorted(promos, key=lambda p: (-p.priority, p.is_coupon, p.index))


def compile_offers(request: QuoteRequest, now: datetime | None) -> list[Offer]:
    """The eligible promotions and coupons, in application order."""
    items = request.items
    available = [p for p in (*request.promotions, *request.coupons)
                 if is_available(p, request.member, now)]
    offers: list[Offer] = []
    scopes: dict[Scope, tuple[int, ...]] = {}
    for p in application_order(available):
        lines = scopes.get(p.scope)
        if lines is None:
            lines = scopes[p.scope] = tuple(j for j, it in enumerate(items) if p.scope.matches(it))
        if lines:  # a scope that matches no item makes it ineligible
            order_level = isinstance(p.rule, Threshold | Percent | Fixed)
            offers.append(Offer(p, len(offers), lines, order_level, len(lines) == len(items)))
    return offers
