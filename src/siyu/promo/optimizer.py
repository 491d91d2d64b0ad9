"""Choosing the best set of promotions and coupons (最优组合), exactly.

A plan is a set of offers (eligible promotions and coupons) with at most one per
`stack_group`, or a single `exclusive` offer alone. Its offers apply in the fixed
application order, so its total is determined by the set. The best plan has, in this
order of precedence:
1. the lowest total payable;
2. the fewest coupons, then the fewest promotions (the contract's tie rules);
3. then, so that the answer is always the same, the earliest offers in application
   order (the sorted positions compared lexicographically: between two equal coupons
   the first listed wins).

`exhaustive_plan` is the reference: it tries every valid set. `best_plan` gives the same
answer (tests compare them on random carts) by a depth-first branch and bound over
*blocks*, maximal runs of same-group offers in application order (choosing any member
of a block applies it at the same point), with a memo on (block, groups already used,
what is left of every unit). Each branch is refuted only by a lower bound on the total
it could still reach:
- discounts are monotone (they only shrink when unit values shrink), so an offer's
  discount on the current cart bounds what it can take at any later point; per group
  the largest, summed over the groups not used yet;
- and, folded in application order from a lower bound of what is left: an offer over
  the whole cart leaves at least the least it could leave of any larger total (满300减50
  leaves 250 of anything from 250 up), another order-level offer takes at most its
  ratio of it (满300减50: 1/6; 95折: 5% plus the half fen of rounding).
Once no unit-level offer remains, only line values matter and the state shrinks to
them. Safe pruning only: an offer with no discount on the full cart never discounts
anything later, and taking an offer that discounts nothing never beats skipping it.
Exact means exponential in the worst case (thresholds make this a knapsack); children
are tried most promising first, so the best plan is usually found at once and the
rest of the search only proves it.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import product

from siyu.promo.kinds import (
    ORDER_LEVEL,
    Offer,
    State,
    Values,
    discount_ratio,
    line_values,
    lowest_left,
    state_total,
)

# (total, coupons, promotions, positions): smaller is better
Key = tuple[int, int, int, tuple[int, ...]]


@dataclass(frozen=True, slots=True)
class Plan:
    positions: tuple[int, ...]  # chosen offers' positions, in application order
    total: int
    coupons: int
    promotions: int

    @property
    def key(self) -> Key:
        return (self.total, self.coupons, self.promotions, self.positions)


def run_plan(offers: Sequence[Offer], positions: Sequence[int], state: State) -> Plan:
    """Apply the offers at `positions` (ascending) to `state`, from scratch."""
    for pos in positions:
        _, state = offers[pos].apply(state)
    coupons = sum(offers[pos].promotion.is_coupon for pos in positions)
    return Plan(tuple(positions), state_total(state), coupons, len(positions) - coupons)


def valid_sets(offers: Sequence[Offer]) -> list[tuple[int, ...]]:
    """Every valid set of positions: one offer or none per group, or one exclusive alone."""
    groups: dict[str, list[int]] = {}
    exclusive: list[tuple[int, ...]] = []
    for o in offers:
        if o.promotion.exclusive:
            exclusive.append((o.position,))
        else:
            groups.setdefault(o.promotion.stack_group, []).append(o.position)
    choices = [[None, *members] for members in groups.values()]
    combos = [tuple(sorted(p for p in pick if p is not None)) for pick in product(*choices)]
    return combos + exclusive


def exhaustive_plan(offers: Sequence[Offer], state: State) -> Plan:
    """Reference: evaluate every valid set from scratch and keep the best."""
    return min((run_plan(offers, s, state) for s in valid_sets(offers)), key=lambda p: p.key)


@dataclass(frozen=True, slots=True)
class _Block:
    bit: int  # the group's bit
    members: tuple[Offer, ...]


class _Search:
    def __init__(self, offers: Sequence[Offer], root: State) -> None:
        self.root = root
        root_values = line_values(root)
        self.root_off: dict[int, int] = {}
        useful = []
        for o in offers:
            if o.promotion.exclusive:
                continue
            off = o.discount_on_values(root_values) if o.order_level else o.discount(root)
            if off:  # monotone: no discount on the full cart means none later
                useful.append(o)
                self.root_off[o.position] = off
        bits: dict[str, int] = {}
        runs: list[tuple[int, list[Offer]]] = []
        for o in useful:
            bit = bits.setdefault(o.promotion.stack_group, 1 << len(bits))
            if runs and runs[-1][0] == bit:
                runs[-1][1].append(o)
            else:
                runs.append((bit, [o]))
        self.blocks = [_Block(bit, tuple(members)) for bit, members in runs]
        self.bit_of = {o.position: bit for bit, members in runs for o in members}
        n = len(self.blocks)
        # For the node at block b: alive[b], the groups with a block at b or later;
        # static[b], each such group's largest discount on the full cart; units[b],
        # whether unit values still matter; for the blocks after b, later_units[b] lists
        # the unit-level offers and later_order[b] the order-level ones by scope:
        # (lines, or None for the whole cart, [(position, rule)]).
        self.alive = [0] * (n + 1)
        self.static: list[dict[int, int]] = [{} for _ in range(n + 1)]
        self.units = [False] * (n + 1)
        self.later_units: list[list[Offer]] = [[] for _ in range(n + 1)]
        self.later_order: list[list[tuple[tuple[int, ...] | None, list]]] = [[]] * (n + 1)
        order_level: dict[tuple[int, ...] | None, list] = {}
        for b in range(n - 1, -1, -1):
            if b + 1 < n:
                after = self.blocks[b + 1]
                units = list(self.later_units[b + 1])
                for o in after.members:
                    if o.order_level:
                        scope = None if o.whole_cart else o.lines
                        order_level.setdefault(scope, []).append((o.position, o.promotion.rule))
                    else:
                        units.append(o)
                self.later_units[b] = units
                self.later_order[b] = [(lines, list(rules)) for lines, rules in order_level.items()]
            block = self.blocks[b]
            self.alive[b] = self.alive[b + 1] | block.bit
            static = dict(self.static[b + 1])
            for o in block.members:
                static[block.bit] = max(static.get(block.bit, 0), self.root_off[o.position])
            self.static[b] = static
            self.units[b] = self.units[b + 1] or not all(o.order_level for o in block.members)
        self.memo: dict[tuple[int, int, tuple], tuple[int, Key | None]] = {}
        self.unit_off: dict[tuple[int, tuple], int] = {}  # unit-level discounts seen
        self.static_sum = [sum(g.values()) for g in self.static]
        # per block, for the fold: (group bit, [(position, rule when order-level over the
        # whole cart, ratio bound)])
        self.terms = [(blk.bit, [(o.position,
                                  o.promotion.rule if o.order_level and o.whole_cart else None,
                                  discount_ratio(o.promotion.rule)) for o in blk.members])
                      for blk in self.blocks]
        self.later_offers = [[o for blk in self.blocks[b + 1:] for o in blk.members]
                             for b in range(n)]

    def start(self, cutoff: int) -> Key | None:
        state = self.root if self.units[0] else line_values(self.root)
        return self.search(0, 0, state, state_total(self.root), cutoff)

    def static_bound(self, b: int, used: int) -> int:
        rest = self.static_sum[b]
        if used:
            for bit, off in self.static[b].items():
                if used & bit:
                    rest -= off
        return rest

    def later_bounds(self, b: int, state: tuple, values: Values) -> dict[int, int]:
        """Each offer after block `b`: the most it can take off from this state on (its
        discount now, as discounts only shrink when unit values do), by position."""
        bounds: dict[int, int] = {}
        for o in self.later_units[b]:  # only while units matter
            bounds[o.position] = self.unit_discount(o, state)
        for lines, rules in self.later_order[b]:
            sub = sum(values) if lines is None else sum([values[j] for j in lines])
            for position, rule in rules:
                bounds[position] = ORDER_LEVEL[type(rule)](rule, sub)
        return bounds

    def fold_bound(self, b: int, used: int, total: int, bounds: dict[int, int]) -> int:
        """A lower bound on the final total when the blocks from `b` on start from `total`
        (every offer allowed, even several of one group: only a looser bound)."""
        x = total
        for bit, terms in self.terms[b:]:
            if used & bit or not x:
                continue
            low = x
            for position, whole_rule, ratio in terms:
                off = bounds[position]
                if not off:
                    continue
                y = x - off
                if whole_rule is not None:
                    left = lowest_left(whole_rule, x)
                    if left > y:
                        y = left
                elif ratio is not None:
                    a, den, half = ratio
                    left = -(((den if half else 0) - 2 * (den - a) * x) // (2 * den))
                    if left > y:
                        y = left
                if y < low:
                    low = y
            x = low if low > 0 else 0
        return x

    def unit_discount(self, o: Offer, state: State) -> int:
        """A unit-level offer's discount, remembered by the units of its lines."""
        key = (o.position, tuple([state[j] for j in o.lines]))
        off = self.unit_off.get(key)
        if off is None:
            off = self.unit_off[key] = o.discount(state)
        return off

    def _next(self, b: int, state: tuple) -> tuple:
        """The state as block `b + 1` needs it."""
        return line_values(state) if self.units[b] and not self.units[b + 1] else state

    def _options(self, b: int, state: tuple, values: Values,
                 total: int) -> list[tuple[int, Offer]]:
        """(total after, offer) for each member that discounts something, best first."""
        options = []
        for o in self.blocks[b].members:
            off = o.discount_on_values(values) if o.order_level else self.unit_discount(o, state)
            if off:
                options.append((total - off, o))
        options.sort(key=lambda t: t[0])
        return options

    def _after(self, b: int, o: Offer, state: tuple, off: int) -> tuple:
        """The state once `o` (taking `off`) is applied, as block `b + 1` needs it."""
        if self.units[b]:
            return self._next(b, o.apply(state)[1])
        return o.take_from_values(state, off)

    def search(self, b: int, used: int, state: tuple, total: int, cutoff: int) -> Key | None:
        """The best key of the blocks from `b` on, if its total is <= cutoff, else None."""
        if b == len(self.blocks):
            return (total, 0, 0, ()) if total <= cutoff else None
        memo_key = (b, used, state)
        seen = self.memo.get(memo_key)
        if seen is not None:
            lower, best = seen
            if best is not None:
                return best if best[0] <= cutoff else None
            if lower > cutoff:
                return None
        lower = total - self.static_bound(b, used)
        if lower > cutoff:
            self.memo[memo_key] = (lower, None)
            return None
        block = self.blocks[b]
        values = line_values(state) if self.units[b] else state
        bounds = self.later_bounds(b, state, values)
        options = [] if used & block.bit else self._options(b, state, values, total)
        for after_total, o in options:
            bounds[o.position] = total - after_total
        for o in block.members:
            bounds.setdefault(o.position, 0)
        lower = self.fold_bound(b, used, total, bounds)
        if lower > cutoff:
            self.memo[memo_key] = (lower, None)
            return None
        later: dict[int, int] = {}  # by group, after this block
        for o in self.later_offers[b]:
            bit = self.bit_of[o.position]
            if bounds[o.position] > later.get(bit, 0):
                later[bit] = bounds[o.position]
        rest = sum(off for bit, off in later.items() if not used & bit)  # if this block is skipped
        rest_taken = rest - later.get(block.bit, 0)  # if one of this block is taken
        # children, most promising first by the cheap bound: each offer taken, or none
        used_next = (used | block.bit) & self.alive[b + 1]
        skipped = used & self.alive[b + 1]
        children: list[tuple[int, int, Offer | None]] = [
            (after_total - rest_taken, after_total, o) for after_total, o in options]
        children.append((total - rest, total, None))
        children.sort(key=lambda c: c[0])
        found: Key | None = None
        for optimistic, after_total, o in children:
            if optimistic > cutoff:
                break
            if o is None:
                r = self.search(b + 1, skipped, self._next(b, state), total, cutoff)
            else:
                after = self._after(b, o, state, total - after_total)
                r = self.search(b + 1, used_next, after, after_total, cutoff)
                if r is not None:
                    coupon = o.promotion.is_coupon
                    r = (r[0], r[1] + coupon, r[2] + (not coupon), (o.position, *r[3]))
            if r is not None and (found is None or r < found):
                found, cutoff = r, r[0]
        self.memo[memo_key] = (found[0], found) if found else (cutoff + 1, None)
        return found


def best_plan(offers: Sequence[Offer], state: State) -> Plan:
    """The best plan (same as `exhaustive_plan`), by branch and bound."""
    root_total = state_total(state)
    best: Key = (root_total, 0, 0, ())
    for o in offers:
        if o.promotion.exclusive:
            off, _ = o.apply(state)
            coupon = o.promotion.is_coupon
            best = min(best, (root_total - off, int(coupon), int(not coupon), (o.position,)))
    search = _Search(offers, state)
    # the search recurses once per block
    sys.setrecursionlimit(max(sys.getrecursionlimit(), len(search.blocks) + 200))
    found = search.start(best[0])
    if found is not None and found < best:
        best = found
    return Plan(best[3], best[0], best[1], best[2])
