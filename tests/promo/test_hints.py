"""凑单 hints against a direct replay: the top-up a hint names reaches its tier through
the offers the plan applies before it, and no smaller top-up does."""

from __future__ import annotations

from dataclasses import replace

from hypothesis import given, settings
from hypothesis import strategies as st

from siyu.promo.engine import quote
from siyu.promo.hints import _key
from siyu.promo.kinds import compile_offers, initial_state, line_values
from tests.promo.factories import NOW, make_item, make_promo, make_request


def left_after_earlier(request, plan_ids, target_id, extra) -> int:
    """Independent replay: the target's eligible value after the applied offers that come
    before it, with `extra` added to the cart."""
    items = (*request.items, extra)
    offers = compile_offers(replace(request, items=items), NOW)
    state = initial_state(items)
    for o in offers:
        if o.promotion.id == target_id:
            return sum(line_values(state)[j] for j in o.lines)
        if o.promotion.id in plan_ids:
            _, state = o.apply(state)
    raise AssertionError("target not eligible")


prices = st.integers(min_value=100, max_value=40_000).map(lambda f: f"{f // 100}.{f % 100:02d}")
percents = st.integers(min_value=1, max_value=60).map(str)


@settings(max_examples=40, deadline=None, derandomize=True)
@given(items=st.lists(st.tuples(prices, st.sampled_from(["nuts", "tea"])), min_size=1,
                      max_size=3),
       pct=percents, pct_scope=st.sampled_from([None, "nuts", "tea"]),
       fixed=st.integers(min_value=0, max_value=3000),
       tiers=st.lists(st.integers(min_value=5_000, max_value=120_000), min_size=1, max_size=3,
                      unique=True),
       sample=st.lists(st.floats(min_value=0, max_value=1), min_size=5, max_size=5))
def test_hint_top_up_is_the_least_that_reaches_the_tier(items, pct, pct_scope, fixed, tiers,
                                                        sample):
    tiers = sorted(tiers)
    promos = [make_promo("pct", "percent", percent=pct, priority=10,
                         **({"scope": {"categories": [pct_scope]}} if pct_scope else {})),
              make_promo("mj", "threshold", priority=0, tiers=[
                  {"min": f"{t // 100}.{t % 100:02d}", "off": f"{t // 1000}.00"} for t in tiers])]
    if fixed:
        off = f"{fixed // 100}.{fixed % 100:02d}"
        promos.append(make_promo("fx", "fixed", priority=5, off=off))
    request = make_request([make_item(f"S{i}", p, category=c) for i, (p, c) in enumerate(items)],
                           promos)
    q = quote(request, now=NOW)
    applied = {a.promotion.id for a in q.applied}
    for h in q.hints:
        assert h.promotion.id == "mj"
        plan_ids = applied - {"mj"}
        target = next(o for o in compile_offers(request, NOW) if _key(o.promotion) == ("mj", False))
        like = request.items[target.lines[0]]

        def left(x, like=like, plan_ids=plan_ids):
            return left_after_earlier(request, plan_ids, "mj", replace(like, price=x, qty=1))

        assert left(h.add) >= h.reach
        assert left(h.add - 1) < h.reach
        start = h.reach - left(0)  # the plain difference from what is left now
        for u in sample:
            x = int(start + u * (h.add - 1 - start)) if h.add - 1 > start else start
            if x < h.add:
                assert left(x) < h.reach
