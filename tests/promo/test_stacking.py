"""Which promotions and coupons combine, in what order, and who is eligible."""

from .factories import make_item, make_promo, run_quote


def mj(pid, min_, off, **extra):
    return make_promo(pid, "threshold", tiers=[{"min": min_, "off": off}], **extra)


def applied(doc):
    return [a["id"] for a in doc["applied"]]


# stack groups, exclusivity ----------------------------------------------------------


def test_same_stack_group_applies_only_the_better_one():
    doc = run_quote([make_item("A", "300.00")],
                    coupons=[make_promo("c20", "fixed", off="20", stack_group="coupon"),
                             make_promo("c30", "fixed", off="30", stack_group="coupon")])
    assert applied(doc) == ["c30"] and doc["unused_coupons"] == ["c20"]


def test_different_groups_combine_by_default():
    doc = run_quote([make_item("A", "300.00")], coupons=[make_promo("c20", "fixed", off="20"),
                                                          make_promo("c30", "fixed", off="30")])
    assert applied(doc) == ["c20", "c30"] and doc["total"] == "250.00"


def test_exclusive_applies_alone_when_it_is_better():
    doc = run_quote([make_item("A", "300.00")],
                    [make_promo("p10", "fixed", off="10"), make_promo("p20", "fixed", off="20")],
                    [make_promo("x", "fixed", off="35", exclusive=True)])
    assert applied(doc) == ["x"] and doc["total"] == "265.00"


def test_exclusive_is_dropped_when_the_others_together_are_better():
    doc = run_quote([make_item("A", "300.00")],
                    [make_promo("p10", "fixed", off="10"), make_promo("p20", "fixed", off="20")],
                    [make_promo("x", "fixed", off="25", exclusive=True)])
    assert applied(doc) == ["p10", "p20"] and doc["unused_coupons"] == ["x"]


# order of application -----------------------------------------------------------------


def test_later_promotions_measure_their_threshold_after_earlier_ones():
    # 20 off first leaves 90: 满100减30 no longer applies, so the engine keeps only 满100减30.
    doc = run_quote([make_item("A", "110.00")],
                    [make_promo("f20", "fixed", off="20", priority=10), mj("mj", "100", "30")])
    assert applied(doc) == ["mj"] and doc["total"] == "80.00"


def test_higher_priority_applies_first():
    # 满100减30 first (110 -> 80), then 20 off: both apply.
    doc = run_quote([make_item("A", "110.00")],
                    [make_promo("f20", "fixed", off="20"), mj("mj", "100", "30", priority=10)])
    assert applied(doc) == ["mj", "f20"] and doc["total"] == "60.00"


def test_equal_priority_automatic_promotions_go_before_coupons():
    # the promotion's 10 off comes first (105 -> 95), so the 满100减20 coupon cannot follow
    doc = run_quote([make_item("A", "105.00")], [make_promo("f10", "fixed", off="10")],
                    [mj("c", "100", "20")])
    assert applied(doc) == ["c"] and doc["total"] == "85.00"


def test_equal_priority_promotions_go_in_input_order():
    items = [make_item("A", "105.00")]
    f10 = make_promo("f10", "fixed", off="10")
    assert run_quote(items, [mj("mj", "100", "20"), f10])["total"] == "75.00"
    assert run_quote(items, [f10, mj("mj", "100", "20")])["total"] == "85.00"


def test_percent_after_threshold_is_on_what_is_left():
    doc = run_quote([make_item("A", "300.00")],
                    [mj("mj", "300", "50", priority=1), make_promo("p", "percent", percent="10")])
    assert [a["discount"] for a in doc["applied"]] == ["50.00", "25.00"]


# optimal, not greedy ----------------------------------------------------------------


def test_a_high_priority_promotion_is_skipped_when_it_spoils_a_bigger_threshold():
    # 第二件半价 first would leave 280 < 300; the engine keeps 满300减60 instead.
    doc = run_quote([make_item("A", "40.00", 2), make_item("B", "220.00")],
                    [make_promo("half", "nth_item", n=2, percent="50", scope={"skus": ["A"]},
                                priority=9), mj("mj", "300", "60")])
    assert applied(doc) == ["mj"] and doc["total"] == "240.00"


def test_coupon_is_used_only_if_it_lowers_the_total():
    doc = run_quote([make_item("A", "50.00")], coupons=[mj("c", "100", "20")])
    assert doc["applied"] == [] and doc["unused_coupons"] == ["c"]


# ties --------------------------------------------------------------------------------


def test_tie_prefers_fewer_coupons():
    doc = run_quote([make_item("A", "100.00")],
                    [make_promo("p", "fixed", off="10", stack_group="g")],
                    [make_promo("c", "fixed", off="10", stack_group="g")])
    assert applied(doc) == ["p"] and doc["unused_coupons"] == ["c"]


def test_tie_prefers_fewer_promotions():
    # {a, b}: 100 -> 95 -> 90; {big}: 90; {big, b}: 90 too (b's 满95 no longer reached)
    doc = run_quote([make_item("A", "100.00")],
                    [make_promo("a", "fixed", off="5", stack_group="g", priority=1),
                     mj("b", "95", "5"),
                     make_promo("big", "fixed", off="10", stack_group="g", priority=1)])
    assert applied(doc) == ["big"] and doc["total"] == "90.00"


def test_tie_prefers_one_exclusive_over_two_that_combine():
    doc = run_quote([make_item("A", "100.00")],
                    [make_promo("a", "fixed", off="5"), make_promo("b", "fixed", off="5"),
                     make_promo("x", "fixed", off="10", exclusive=True)])
    assert applied(doc) == ["x"]


def test_tie_between_equal_coupons_takes_the_first_listed():
    doc = run_quote([make_item("A", "100.00")],
                    coupons=[make_promo("c1", "fixed", off="10", stack_group="g"),
                             make_promo("c2", "fixed", off="10", stack_group="g")])
    assert applied(doc) == ["c1"] and doc["unused_coupons"] == ["c2"]


# eligibility --------------------------------------------------------------------------


def test_time_window_is_start_inclusive_end_exclusive():
    items = [make_item("A", "100.00")]
    now = "2026-01-20T20:00:00+08:00"
    started = make_promo("p", "fixed", off="10", starts_at=now)
    ended = make_promo("q", "fixed", off="10", ends_at=now)
    assert applied(run_quote(items, [started, ended], now=now)) == ["p"]


def test_naive_times_are_beijing_time():
    items = [make_item("A", "100.00")]
    promo = make_promo("p", "fixed", off="10", starts_at="2026-01-20T20:00:00")
    assert applied(run_quote(items, [promo], now="2026-01-20T12:00:00Z")) == ["p"]
    assert applied(run_quote(items, [promo], now="2026-01-20T11:59:59Z")) == []


def test_member_tiers_and_segments():
    items = [make_item("A", "100.00")]
    promos = [make_promo("vip", "fixed", off="10", member_tiers=["V3", "V4"]),
              make_promo("hv", "fixed", off="5", segments=["high_value", "new"])]
    v3 = {"id": "m", "tier": "V3", "segments": ["new"]}
    v2 = {"id": "m", "tier": "V2", "segments": ["lost"]}
    assert applied(run_quote(items, promos, member=v3)) == ["vip", "hv"]
    assert applied(run_quote(items, promos, member=v2)) == []
    assert applied(run_quote(items, promos)) == []


def test_scope_matching_no_item_makes_a_coupon_ineligible():
    doc = run_quote([make_item("A", "100.00", category="nuts")],
                    coupons=[make_promo("tea", "fixed", off="10", scope={"categories": ["tea"]})])
    assert doc["applied"] == [] and doc["unused_coupons"] == ["tea"]


def test_empty_lists_mean_no_restriction():
    doc = run_quote([make_item("A", "100.00")],
                    [make_promo("p", "fixed", off="10", member_tiers=[], scope={"skus": []})])
    assert applied(doc) == ["p"]
