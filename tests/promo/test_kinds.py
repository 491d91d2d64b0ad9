"""Each promotion kind on its own, with amounts worked out by hand in fen."""

from decimal import Decimal

from siyu.promo.kinds import apply_rule, line_values
from siyu.promo.schemas import BundlePrice, BuyXGetY, Fixed, Item, NthItem, Scope

from .factories import make_item, make_promo, run_quote


def tiers(*pairs):
    return [{"min": m, "off": o} for m, o in pairs]


def line_totals(doc):
    return {line["sku"]: line["total"] for line in doc["lines"]}


# 满减 threshold ------------------------------------------------------------------


def test_threshold_lowest_tier_allocated_pro_rata_with_missing_fen_to_first_line():
    # 50.00 over 188.00 and 118.00: 30.71|1.89 and 19.28|1.02 -> 30.71 + 19.28 = 49.99,
    # the missing fen goes to the first line.
    doc = run_quote([make_item("A", "188.00"), make_item("B", "59.00", 2)],
                    [make_promo("mj", "threshold", tiers=tiers(("300", "50"), ("600", "150")))])
    assert doc["total"] == "256.00"
    assert doc["applied"][0]["lines"] == [{"sku": "A", "discount": "30.72"},
                                          {"sku": "B", "discount": "19.28"}]


def test_threshold_takes_the_highest_tier_reached():
    doc = run_quote([make_item("A", "300.00", 2)],
                    [make_promo("mj", "threshold", tiers=tiers(("300", "50"), ("600", "150")))])
    assert doc["discount"] == "150.00"


def test_threshold_below_the_first_tier_does_nothing():
    doc = run_quote([make_item("A", "299.99")],
                    [make_promo("mj", "threshold", tiers=tiers(("300", "50")))])
    assert doc["applied"] == [] and doc["total"] == "299.99"


def test_repeat_threshold_takes_off_per_full_multiple():
    doc = run_quote([make_item("A", "350.00")],
                    [make_promo("each", "threshold", tiers=tiers(("100", "10")), repeat=True)])
    assert doc["discount"] == "30.00"


def test_repeat_threshold_stops_at_max_off():
    doc = run_quote([make_item("A", "350.00")],
                    [make_promo("each", "threshold", tiers=tiers(("100", "10")), repeat=True,
                                max_off="20.00")])
    assert doc["discount"] == "20.00"


# 折扣 percent -----------------------------------------------------------------------


def test_percent_rounds_half_up_on_the_subtotal():
    # 5% of 276.50 = 13.825 -> 13.83
    doc = run_quote([make_item("A", "276.50")], [make_promo("p", "percent", percent="5")])
    assert doc["discount"] == "13.83"


def test_percent_rounds_below_half_down():
    # 5% of 0.09 = 0.0045 -> 0.00: nothing to apply; 5% of 0.10 = 0.005 -> 0.01
    assert run_quote([make_item("A", "0.09")], [make_promo("p", "percent", percent="5")])[
        "discount"] == "0.00"
    assert run_quote([make_item("A", "0.10")], [make_promo("p", "percent", percent="5")])[
        "discount"] == "0.01"


def test_percent_needs_its_min_and_stops_at_max_off():
    promo = make_promo("p", "percent", percent="10", min="100.00", max_off="15.00")
    assert run_quote([make_item("A", "99.99")], [promo])["discount"] == "0.00"
    assert run_quote([make_item("A", "120.00")], [promo])["discount"] == "12.00"
    assert run_quote([make_item("A", "200.00")], [promo])["discount"] == "15.00"


# 满减券 / 无门槛券 fixed --------------------------------------------------------------


def test_fixed_needs_its_min():
    coupon = make_promo("c", "fixed", off="20.00", min="99.00")
    assert run_quote([make_item("A", "98.99")], coupons=[coupon])["discount"] == "0.00"
    assert run_quote([make_item("A", "99.00")], coupons=[coupon])["discount"] == "20.00"


def test_fixed_never_makes_a_line_negative():
    doc = run_quote([make_item("A", "3.00"), make_item("B", "2.00")],
                    coupons=[make_promo("c", "fixed", off="10.00")])
    assert doc["total"] == "0.00" and doc["discount"] == "5.00"
    assert line_totals(doc) == {"A": "0.00", "B": "0.00"}


def test_allocation_gives_missing_fen_in_input_order_and_skips_empty_lines():
    # 1.00 over three lines of 10.00 and a free line: 33 each, the last fen to the first.
    doc = run_quote([make_item("F", "0.00"), make_item("A", "10.00"), make_item("B", "10.00"),
                     make_item("C", "10.00")], coupons=[make_promo("c", "fixed", off="1.00")])
    assert doc["applied"][0]["lines"] == [{"sku": "A", "discount": "0.34"},
                                          {"sku": "B", "discount": "0.33"},
                                          {"sku": "C", "discount": "0.33"}]


def test_a_line_share_is_spread_over_its_units():
    # 1.00 off 3 units of 10.00: 33 fen each, the missing fen to the first unit.
    off, state = apply_rule(Fixed(off=100), (0,), (((1000, 3),),))
    assert off == 100 and state == (((967, 2), (966, 1)),)


# 第N件 nth_item ----------------------------------------------------------------------


def test_second_item_half_price_on_one_line():
    doc = run_quote([make_item("TEA", "59.00", 2)],
                    [make_promo("half", "nth_item", n=2, percent="50")])
    assert doc["discount"] == "29.50"


def test_nth_item_discounts_the_cheapest_units():
    # units 10, 20, 30, 40: two of four units, the cheapest: 5.00 + 10.00
    items = [make_item("D", "40.00"), make_item("A", "10.00"), make_item("C", "30.00"),
             make_item("B", "20.00")]
    doc = run_quote(items, [make_promo("half", "nth_item", n=2, percent="50")])
    assert doc["discount"] == "15.00"
    assert doc["applied"][0]["lines"] == [{"sku": "A", "discount": "5.00"},
                                          {"sku": "B", "discount": "10.00"}]


def test_nth_item_counts_only_full_groups_of_n():
    doc = run_quote([make_item("A", "10.00", 5)],
                    [make_promo("third", "nth_item", n=3, percent="100")])
    assert doc["discount"] == "10.00"


def test_nth_item_rounds_each_unit_half_up():
    # 50% of 0.99 = 0.495 -> 0.50
    doc = run_quote([make_item("A", "0.99", 2)], [make_promo("h", "nth_item", n=2, percent="50")])
    assert doc["discount"] == "0.50"


def test_nth_item_ties_go_to_the_first_line():
    off, state = apply_rule(NthItem(2, Decimal(50)), (0, 1), (((1000, 1),), ((1000, 1),)))
    assert off == 500 and state == (((500, 1),), ((1000, 1),))


# 买X送Y buy_x_get_y ------------------------------------------------------------------


def test_buy_two_get_one_frees_the_cheapest_unit():
    doc = run_quote([make_item("A", "30.00"), make_item("B", "20.00"), make_item("C", "10.00")],
                    [make_promo("b2g1", "buy_x_get_y", buy=2, get=1)])
    assert doc["discount"] == "10.00" and line_totals(doc)["C"] == "0.00"


def test_buy_x_get_y_per_full_group():
    # 7 units, groups of 3 -> 2 free: the two cheapest (5.00 and 6.00)
    doc = run_quote([make_item("A", "9.00", 5), make_item("B", "5.00"), make_item("C", "6.00")],
                    [make_promo("b2g1", "buy_x_get_y", buy=2, get=1)])
    assert doc["discount"] == "11.00"


def test_unit_level_promotions_see_units_left_by_earlier_ones():
    # half price on the second tea, then buy 1 get 1: the cheapest unit is the half-price one
    off, state = apply_rule(NthItem(2, Decimal(50)), (0,), (((5900, 2),),))
    assert state == (((5900, 1), (2950, 1)),)
    off, state = apply_rule(BuyXGetY(1, 1), (0,), state)
    assert off == 2950 and line_values(state) == (5900,)


# 组合价 bundle_price ------------------------------------------------------------------


def test_bundle_takes_most_expensive_units_and_spreads_off_pro_rata():
    # units 50, 40, 30 (+20 left over) for 88: 32.00 off, pro rata 13.333, 10.666, 8.00
    # rounded down to the fen (31.99); the missing fen goes to the first line (C).
    items = [make_item("C", "30.00"), make_item("A", "50.00"), make_item("B", "40.00"),
             make_item("D", "20.00")]
    doc = run_quote(items, [make_promo("box", "bundle_price", count=3, price="88.00")])
    assert doc["discount"] == "32.00"
    assert doc["applied"][0]["lines"] == [{"sku": "C", "discount": "8.01"},
                                          {"sku": "A", "discount": "13.33"},
                                          {"sku": "B", "discount": "10.66"}]


def test_bundles_as_many_as_fit():
    # 7 units of 50.00 -> two bundles of 3 at 88.00: 2 × 62.00
    doc = run_quote([make_item("A", "50.00", 7)],
                    [make_promo("box", "bundle_price", count=3, price="88.00")])
    assert doc["discount"] == "124.00" and line_totals(doc)["A"] == "226.00"


def test_bundle_units_of_one_line_share_its_discount_fen_exactly():
    # 62.00 over three units of 50.00: 20.66 each, the 2 missing fen to two units
    off, state = apply_rule(BundlePrice(3, 8800), (0,), (((5000, 3),),))
    assert off == 6200 and state == (((2934, 1), (2933, 2)),)


def test_bundle_cheaper_than_its_price_is_left_alone():
    doc = run_quote([make_item("A", "20.00", 3)],
                    [make_promo("box", "bundle_price", count=3, price="88.00")])
    assert doc["applied"] == [] and doc["total"] == "60.00"


def test_bundle_across_lines_with_many_units():
    # 3 × 60 and 4 × 40 in bundles of 2 at 70: (60,60) (60,40) (40,40), one 40 left:
    # 50 + 30 + 10 = 90; the mixed bundle's 30 is 18 on the 60 and 12 on the 40.
    off, state = apply_rule(BundlePrice(2, 7000), (0, 1), (((6000, 3),), ((4000, 4),)))
    assert off == 9000
    assert state == (((4200, 1), (3500, 2)), ((4000, 1), (3500, 2), (2800, 1)))


# scope -----------------------------------------------------------------------------


def test_scope_selectors_combine_as_or_stores_as_and_excludes_win():
    scope = Scope(skus=frozenset({"A"}), categories=frozenset({"tea"}),
                  stores=frozenset({"s1"}), exclude_skus=frozenset({"T2"}))
    def item(sku, category, store):
        return Item(sku, sku, 100, 1, category, store)

    assert scope.matches(item("A", "nuts", "s1"))
    assert scope.matches(item("T1", "tea", "s1"))
    assert not scope.matches(item("T2", "tea", "s1"))
    assert not scope.matches(item("A", "nuts", "s2"))
    assert not scope.matches(item("B", "nuts", "s1"))


def test_threshold_is_measured_on_the_eligible_lines_only():
    doc = run_quote([make_item("A", "200.00", category="nuts"), make_item("B", "200.00")],
                    [make_promo("mj", "threshold", tiers=tiers(("300", "50")),
                                scope={"categories": ["nuts"]})])
    assert doc["applied"] == []


def test_repeat_threshold_below_one_multiple_does_nothing():
    each = make_promo("each", "threshold", tiers=[{"min": "100", "off": "15"}], repeat=True)
    assert run_quote([make_item("A", "99.00")], [each])["applied"] == []
