"""The whole quote: the shipped example worked out by hand, output shape, hints (凑单)."""

import json
from pathlib import Path

from .factories import make_item, make_promo, run_quote

# The contract's own example, from the shared/ folder that sits beside the repository.
EXAMPLE = Path(__file__).resolve().parents[3] / "shared/spec/examples/promo_quote_input.json"

# Worked out by hand (fen). Cart: GIFT 18800 + TEA 2 × 5900 = 30600.
# - With 第二件半价 (priority 20) the tea is 5900 + 2950, the cart 27650 < 30000, so
#   满300减50 no longer applies: 27650 - 5% (1382.5 -> 1383) - 2000 = 24267.
# - Without it: 满300减50 on 30600: GIFT 5000 × 18800 / 30600 = 3071.9 -> 3071, TEA
#   1928.1 -> 1928, the missing fen to GIFT: 3072 | 1928 -> 15728 | 9872.
#   95折 on 25600 = 1280: 786.4 -> 786, 493.6 -> 493, +1 to GIFT: 787 | 493 -> 14941 | 9379.
#   满99减20 on 24320: 1228.7 -> 1228, 771.3 -> 771, +1 to GIFT: 1229 | 771 -> 13712 | 8608.
#   Total 22320, better; 5元无门槛 instead of 满99减20 would be worse (same group).
# - 满600减150 is the next tier of 满300减50, measured on 30600: 29400 to go.
EXAMPLE_OUTPUT = {
    "subtotal": "306.00", "discount": "82.80", "total": "223.20",
    "applied": [
        {"id": "cny-mj", "name": "跨店满300减50/满600减150", "discount": "50.00",
         "lines": [{"sku": "GIFT-188", "discount": "30.72"},
                   {"sku": "TEA-01", "discount": "19.28"}]},
        {"id": "vip-95", "name": "V3以上会员95折", "discount": "12.80",
         "lines": [{"sku": "GIFT-188", "discount": "7.87"},
                   {"sku": "TEA-01", "discount": "4.93"}]},
        {"id": "cp-20", "name": "满99减20", "discount": "20.00",
         "lines": [{"sku": "GIFT-188", "discount": "12.29"},
                   {"sku": "TEA-01", "discount": "7.71"}]},
    ],
    "unused_coupons": ["cp-5"],
    "lines": [
        {"sku": "GIFT-188", "qty": 1, "subtotal": "188.00", "discount": "50.88", "total": "137.12"},
        {"sku": "TEA-01", "qty": 2, "subtotal": "118.00", "discount": "31.92", "total": "86.08"},
    ],
    "hints": [{"promotion": "cny-mj", "add": "294.00", "message": "再买294.00元可享满600减150",
               "suggest": []}],
}


def test_shipped_example_gives_the_hand_worked_quote():
    doc = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    assert run_quote(doc.pop("items"), doc.pop("promotions"), doc.pop("coupons"), **doc) == \
        EXAMPLE_OUTPUT


def test_output_keys_are_the_contracts_in_order():
    doc = run_quote([make_item("A", "256.00")],
                    [make_promo("mj", "threshold", tiers=[{"min": "300", "off": "50"}])],
                    [make_promo("c", "fixed", off="1")])
    assert list(doc) == ["subtotal", "discount", "total", "applied", "unused_coupons", "lines",
                         "hints"]
    assert list(doc["applied"][0]) == ["id", "name", "discount", "lines"]
    assert list(doc["lines"][0]) == ["sku", "qty", "subtotal", "discount", "total"]
    assert list(doc["hints"][0]) == ["promotion", "add", "message", "suggest"]


def test_empty_cart_costs_nothing():
    doc = run_quote([], [make_promo("p", "fixed", off="5")])
    assert doc["total"] == "0.00" and doc["applied"] == [] and doc["lines"] == []


# hints -------------------------------------------------------------------------------


def mj(*tiers, **extra):
    return make_promo("mj", "threshold", name="满减",
                      tiers=[{"min": m, "off": o} for m, o in tiers], **extra)


def test_hint_names_the_top_up_and_the_cheapest_catalog_products_that_cover_it():
    catalog = [make_item("X", "50.00"), make_item("Y", "44.00"), make_item("Z", "43.99"),
               make_item("W", "100.00"), make_item("V", "45.00", category="tea"),
               make_item("U", "200.00")]
    # V would cover it but is outside the promotion's scope
    doc = run_quote([make_item("A", "256.00")],
                    [mj(("300", "50"), scope={"exclude_skus": ["V"]})], catalog=catalog)
    assert doc["hints"] == [{"promotion": "mj", "add": "44.00",
                             "message": "再买44.00元可享满300减50", "suggest": ["Y", "X", "W"]}]


def test_hint_points_to_the_next_tier_when_one_is_reached():
    doc = run_quote([make_item("A", "350.00")], [mj(("300", "50"), ("600", "150"))])
    assert doc["hints"][0]["message"] == "再买250.00元可享满600减150"


def test_no_hint_once_the_top_tier_is_reached():
    assert run_quote([make_item("A", "600.00")], [mj(("300", "50"), ("600", "150"))])["hints"] == []


def test_repeat_hint_is_the_next_multiple():
    doc = run_quote([make_item("A", "250.00")], [mj(("100", "10"), repeat=True)])
    assert doc["hints"][0]["add"] == "50.00"
    assert doc["hints"][0]["message"] == "再买50.00元可享满300减30"


def test_no_repeat_hint_once_max_off_is_reached():
    doc = run_quote([make_item("A", "250.00")], [mj(("100", "10"), repeat=True, max_off="20")])
    assert doc["hints"] == []


def test_hint_is_measured_after_the_offers_applied_before_it():
    # 9折 (priority 10) is better alone (360) than 满400减20 (380); the threshold then sees
    # 360 left. What is added gets 9折 too: 44.44 more leaves 444.44 - 44.44 = 400.00
    # (10% of 444.44 rounds to 44.44), 44.43 more leaves 399.99.
    doc = run_quote([make_item("A", "400.00")],
                    [make_promo("p", "percent", percent="10", priority=10),
                     mj(("400", "20"), ("800", "100"))])
    assert [a["id"] for a in doc["applied"]] == ["p"]
    assert doc["hints"][0]["message"] == "再买44.44元可享满400减20"


def test_hint_suggests_only_products_that_reach_the_tier_after_earlier_offers():
    # 8折 first: 250.00 leaves 200.00 towards 满300减50. 100.00 more would leave 280.00
    # (the plain difference is wrong); 125.00 more leaves exactly 300.00.
    catalog = [make_item("B", "100.00"), make_item("C", "124.99"), make_item("D", "125.00"),
               make_item("E", "130.00")]
    doc = run_quote([make_item("A", "250.00")],
                    [make_promo("off20", "percent", percent="20", priority=10),
                     mj(("300", "50"))], catalog=catalog)
    assert doc["hints"] == [{"promotion": "mj", "add": "125.00",
                             "message": "再买125.00元可享满300减50", "suggest": ["D", "E"]}]
    # and adding D does reach it: 375.00 - 75.00 = 300.00, then 50.00 off
    after = run_quote([make_item("A", "250.00"), make_item("D", "125.00")],
                      [make_promo("off20", "percent", percent="20", priority=10),
                       mj(("300", "50"))])
    assert after["total"] == "250.00" and after["hints"] == []


def test_hint_top_up_outside_the_earlier_offers_scope_is_the_plain_difference():
    # 8折 only on nuts; the threshold covers tea: tea added meets no earlier offer.
    catalog = [make_item("N", "60.00", category="nuts"), make_item("T", "60.00", category="tea")]
    doc = run_quote([make_item("A", "100.00", category="nuts"),
                     make_item("B", "250.00", category="tea")],
                    [make_promo("nuts", "percent", percent="20", priority=10,
                                scope={"categories": ["nuts"]}),
                     mj(("300", "50"), scope={"categories": ["tea"]})], catalog=catalog)
    assert doc["hints"][0]["add"] == "50.00" and doc["hints"][0]["suggest"] == ["T"]


def test_hint_message_keeps_fen_when_there_are_any():
    doc = run_quote([make_item("A", "50.00")], [mj(("99.90", "10.50"))])
    assert doc["hints"][0]["message"] == "再买49.90元可享满99.90减10.50"


def test_no_hint_for_a_tier_that_takes_off_no_more():
    doc = run_quote([make_item("A", "350.00")], [mj(("300", "50"), ("600", "50"))])
    assert doc["hints"] == []
