"""The fast optimiser against the exhaustive reference on random carts, and the
properties its pruning relies on."""

import json
from collections import Counter
from decimal import Decimal
from random import Random

from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st

from siyu.core.money import fmt_yuan, percent_of
from siyu.promo.engine import quote, quote_document
from siyu.promo.kinds import (
    apply_rule,
    compile_offers,
    discount_ratio,
    initial_state,
    line_values,
    lowest_left,
    order_discount,
    percent_off,
)
from siyu.promo.optimizer import best_plan, exhaustive_plan
from siyu.promo.schemas import Fixed, Percent, QuoteRequest, Threshold, Tier, parse_quote_request

from .factories import NOW, make_request

CHECKS = settings(derandomize=True, max_examples=300, deadline=None, database=None,
                  suppress_health_check=[HealthCheck.too_slow])

# Carts are built by a seeded `random.Random` that hypothesis draws: drawing every field
# through hypothesis costs ten times more than the engine under test.
PRICES = [0, 1, 99, 990, 1999, 3000, 5900, 12800, 18800, 33333]
SCOPES = [None, None, {"skus": ["A"]}, {"categories": ["x"]}, {"stores": ["s1"]},
          {"skus": ["B"], "categories": ["y"]}, {"exclude_skus": ["A"]}, {"skus": ["Z"]}]
MONEY = ["5", "10", "20", "7.77", "50", "0.01"]
TIE_POOL = [
    {"kind": "fixed", "off": "10", "stack_group": "g1"},
    {"kind": "fixed", "off": "10"},
    {"kind": "fixed", "off": "10", "exclusive": True},
    {"kind": "fixed", "off": "5", "min": "20"},
    {"kind": "threshold", "tiers": [{"min": "50", "off": "10"}], "stack_group": "g1"},
    {"kind": "percent", "percent": "10", "stack_group": "g2"},
    {"kind": "nth_item", "n": 2, "percent": "100", "stack_group": "g2"},
    {"kind": "buy_x_get_y", "buy": 1, "get": 1, "stack_group": "g1", "priority": 1},
]


def random_items(r: Random) -> list[dict]:
    return [{"sku": "ABCD"[i], "price": fmt_yuan(r.choice(PRICES)), "qty": r.randint(1, 3),
             "category": r.choice("xy"), "store": r.choice(["s1", "s2"])}
            for i in range(r.randint(1, 4))]


def random_rule(r: Random) -> dict:
    kind = r.choice(["threshold", "threshold", "percent", "fixed", "fixed", "nth_item",
                     "buy_x_get_y", "bundle_price"])
    doc: dict = {"kind": kind}
    if kind == "threshold":
        low = r.choice([30, 50, 100, 200, 300])
        if r.random() < 0.4:
            doc.update(tiers=[{"min": str(low), "off": r.choice(MONEY)}], repeat=True)
            if r.random() < 0.5:
                doc["max_off"] = r.choice(MONEY)
        else:
            doc["tiers"] = [{"min": str(low), "off": "10"}]
            if r.random() < 0.5:
                doc["tiers"].append({"min": str(low * 2), "off": r.choice(["10", "30"])})
    elif kind == "percent":
        doc["percent"] = r.choice(["5", "10", "12.5", "33", "100"])
        if r.random() < 0.4:
            doc["min"] = r.choice(["50", "100", "150"])
        if r.random() < 0.4:
            doc["max_off"] = r.choice(MONEY)
    elif kind == "fixed":
        doc["off"] = r.choice(MONEY)
        if r.random() < 0.5:
            doc["min"] = r.choice(["20", "99", "150"])
    elif kind == "nth_item":
        doc.update(n=r.randint(2, 3), percent=r.choice(["50", "100", "33"]))
    elif kind == "buy_x_get_y":
        doc.update(buy=r.randint(1, 2), get=r.randint(1, 2))
    else:
        doc.update(count=r.randint(2, 3), price=r.choice(["30", "88", "100.01"]))
    return doc


def random_promotion(r: Random) -> dict:
    doc = random_rule(r)
    doc["priority"] = r.choice([0, 0, 1, 2])
    group = r.choice(["g1", "g2", "g3", None, None])
    if group:
        doc["stack_group"] = group
    if r.random() < 0.1:
        doc["exclusive"] = True
    scope = r.choice(SCOPES)
    if scope:
        doc["scope"] = scope
    return doc


def named(docs: list[dict], prefix: str) -> list[dict]:
    return [{**d, "id": f"{prefix}{i}", "name": f"{prefix}{i}"} for i, d in enumerate(docs)]


def random_cart(r: Random, *, ties: bool = False) -> dict:
    """Up to 4 lines, 5 promotions and 3 coupons; with `ties`, offers drawn from a few
    templates, so that equal offers (and so ties) are common."""
    def offer() -> dict:
        return dict(r.choice(TIE_POOL)) if ties else random_promotion(r)
    return {"items": random_items(r), "now": NOW.isoformat(),
            "promotions": named([offer() for _ in range(r.randint(0, 5))], "p"),
            "coupons": named([offer() for _ in range(r.randint(0, 3))], "c")}


SEEDS = st.randoms(use_true_random=True)


def cart_request(r: Random, *, ties: bool = False) -> QuoteRequest:
    doc = random_cart(r, ties=ties)
    note(json.dumps(doc, ensure_ascii=False))
    return parse_quote_request(doc)


def both_plans(request):
    offers = compile_offers(request, request.now)
    root = initial_state(request.items)
    return best_plan(offers, root), exhaustive_plan(offers, root)


@CHECKS
@given(SEEDS)
def test_best_plan_equals_exhaustive_search(r):
    fast, reference = both_plans(cart_request(r))
    assert fast == reference




@CHECKS
@given(SEEDS)
def test_best_plan_breaks_ties_like_exhaustive_search(r):
    fast, reference = both_plans(cart_request(r, ties=True))
    assert fast == reference


@settings(CHECKS, max_examples=100)
@given(SEEDS)
def test_quote_document_is_the_same_with_either_search(r):
    request = cart_request(r)
    fast = quote_document(quote(request))
    assert fast == quote_document(quote(request, exhaustive=True))


@CHECKS
@given(SEEDS)
def test_quote_adds_up_and_never_goes_negative(r):
    request = cart_request(r)
    q = quote(request)
    assert q.total == sum(line.total for line in q.lines) >= 0
    assert all(0 <= line.discount <= line.subtotal for line in q.lines)
    for a in q.applied:
        assert a.discount == sum(ld.discount for ld in a.lines) > 0
    used = {a.promotion.id for a in q.applied}
    assert [c.id for c in q.unused_coupons] == [c.id for c in request.coupons if c.id not in used]


def runs_of(unit_values):
    return tuple(sorted(Counter(unit_values).items(), reverse=True))


@CHECKS
@given(SEEDS)
def test_discounts_only_shrink_when_unit_values_shrink(r):
    # The optimiser bounds a later discount by the discount on an earlier cart.
    request = make_request(random_items(r), [{**random_rule(r), "id": "p", "name": "p"}])
    cuts = [r.choice([0, 1, 50, 999]) for _ in request.items]
    promo = request.promotions[0]
    state = initial_state(request.items)
    lines = tuple(j for j, item in enumerate(request.items) if promo.scope.matches(item))
    # a cheaper cart: one unit of each line worth a little less
    cut = tuple(runs_of([v] * (c - 1) + [max(0, v - d)])
                for ((v, c),), d in zip(state, cuts, strict=False))
    off, _ = apply_rule(promo.rule, lines, state)
    cut_off, after = apply_rule(promo.rule, lines, cut)
    assert cut_off <= off
    assert sum(line_values(cut)) - sum(line_values(after)) == cut_off


@CHECKS
@given(st.integers(0, 10**9), st.sampled_from(["5", "12.5", "33.333", "50", "99.99", "100"]))
def test_integer_percent_matches_core_half_up(fen, pct):
    assert percent_off(fen, Decimal(pct).as_integer_ratio()) == percent_of(fen, pct)


def small_order_rule(r: Random):
    """An order-level rule with amounts of a few fen, so that totals can be tried one by one."""
    kind = r.choice(["tiers", "repeat", "percent", "fixed"])
    if kind == "tiers":
        mins = sorted(r.sample(range(1, 120), r.randint(1, 3)))
        offs = sorted(r.randint(0, 40) for _ in mins)
        return Threshold(tuple(Tier(m, o) for m, o in zip(mins, offs, strict=True)),
                         max_off=r.choice([None, 15]))
    if kind == "repeat":
        return Threshold((Tier(r.randint(1, 50), r.randint(0, 60)),), repeat=True,
                         max_off=r.choice([None, 30]))
    if kind == "percent":
        return Percent(Decimal(r.choice(["5", "12.5", "50", "100"])), min=r.randint(0, 90),
                       max_off=r.choice([None, 7]))
    return Fixed(off=r.randint(0, 40), min=r.randint(0, 90))


@CHECKS
@given(SEEDS)
def test_fold_bounds_hold_for_every_total(r):
    # The optimiser's fold: an offer over the whole cart leaves at least lowest_left(x) of
    # any total t >= x, and takes at most its ratio of t (plus half a fen when rounding).
    rule = small_order_rule(r)
    x = r.randint(0, 200)
    left = [t - order_discount(rule, t) for t in range(x, 400)]
    assert lowest_left(rule, x) == min(left)
    a, den, half = discount_ratio(rule) or (1, 1, False)
    assert all(2 * den * order_discount(rule, t) <= 2 * a * t + (den if half else 0)
               for t in range(0, 400))
