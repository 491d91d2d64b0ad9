"""Price red lines at creation: worst-case unit prices per kind, floors from the
merchant settings, held promotions that never apply until approved."""

import pytest

from siyu.core.errors import Conflict, Forbidden
from siyu.merchants.service import Principal
from siyu.promo import checkout, redline, service
from siyu.promo.api_schemas import QuoteIn
from tests.promo.factories import make_promo, make_request
from tests.promo.store_factories import make_product, make_promotion, threshold


def _rule(body: dict):
    return make_request([{"sku": "X", "price": "1"}], [make_promo("p", **body)]).promotions[0]


@pytest.mark.parametrize("body, price, worst", [
    ({"kind": "threshold", "tiers": [{"min": "300", "off": "50"},
                                     {"min": "600", "off": "150"}]}, 10000, 7500),
    ({"kind": "threshold", "tiers": [{"min": "300", "off": "50"}], "repeat": True}, 10000, 8333),
    ({"kind": "percent", "percent": "5"}, 10000, 9500),
    ({"kind": "percent", "percent": "20", "max_off": "10"}, 10000, 9000),
    ({"kind": "fixed", "off": "20"}, 1500, 0),  # 无门槛券 on one cheap unit
    ({"kind": "fixed", "off": "20", "min": "99"}, 5000, 5000 - 1011),
    ({"kind": "nth_item", "n": 2, "percent": "50"}, 9999, 4999),
    ({"kind": "buy_x_get_y", "buy": 2, "get": 1}, 10000, 0),
    ({"kind": "bundle_price", "count": 3, "price": "88"}, 4000, 4000 * 8800 // 12000),
    ({"kind": "bundle_price", "count": 3, "price": "188"}, 4000, 4000),  # never raises
])
def test_worst_unit_price_per_kind(body, price, worst):
    promo = _rule(body)
    assert redline.worst_unit_price(promo.rule, price, 4000) == worst


def test_check_names_skus_in_scope_below_margin_and_band():
    products = [redline.Product("A", 10000, 7000, 10000, "nuts"),
                redline.Product("B", 10000, 2000, 10000, "nuts"),
                redline.Product("C", 10000, 9000, 10000, "tea")]
    promo = _rule({"kind": "percent", "percent": "20", "scope": {"categories": ["nuts"]}})
    found = redline.check(promo, products)
    # A: 80.00 < 70.00 × 1.25 = 87.50; B is fine; C is out of scope.
    assert [(v.sku, v.rule, v.worst_price, v.floor) for v in found] == [
        ("A", "margin_floor", 8000, 8750)]
    deep = _rule({"kind": "percent", "percent": "60"})
    assert ("B", "daily_price_band", 4000, 5000) in [
        (v.sku, v.rule, v.worst_price, v.floor) for v in redline.check(deep, products)]


def test_product_without_cost_has_no_margin_floor():
    products = [redline.Product("A", 10000, 0, 10000)]
    assert redline.check(_rule({"kind": "percent", "percent": "30"}), products) == []


def _world(session, merchant, now):
    make_product(session, merchant, "NUT", "100.00", cost="70.00", category="nuts")
    make_product(session, merchant, "TEA", "100.00", cost="20.00", category="tea")


def test_breaking_promotion_is_held_with_the_reason(session, merchant, now):
    _world(session, merchant, now)
    row = make_promotion(session, merchant, {"id": "deep", "name": "八折", "kind": "percent",
                                             "percent": "20"}, now=now)
    assert row.status == "pending_approval"
    [v] = service.document(row)["red_line"]
    assert v == {"sku": "NUT", "rule": "margin_floor", "price": "100.00",
                 "worst_price": "80.00", "floor": "87.50",
                 "message": "NUT 最低可到 80.00 元, 低于毛利底线 87.50 元"}


def test_margin_floor_is_a_merchant_setting(session, merchant, now):
    _world(session, merchant, now)
    service.update_settings(session, merchant, {"margin_floor_percent": 10}, actor="owner")
    row = make_promotion(session, merchant, {"id": "deep", "name": "八折", "kind": "percent",
                                             "percent": "20"}, now=now)
    assert row.status == "active" and row.red_line == []


def test_pending_promotion_does_not_apply_until_approved(session, merchant, now):
    _world(session, merchant, now)
    make_promotion(session, merchant, {"id": "deep", "name": "八折", "kind": "percent",
                                       "percent": "20"}, now=now)
    cart = QuoteIn(items=[{"sku": "TEA"}])
    assert checkout.quote_for(session, merchant, cart, now=now).discount == 0
    legal = Principal(merchant, "legal", "法务小王")
    row = service.review(session, merchant, "deep", approve=True, principal=legal, now=now,
                         note="年货节特批")
    assert row.status == "active" and row.reviewed_by == "法务小王"
    assert checkout.quote_for(session, merchant, cart, now=now).discount == 2000
    with pytest.raises(Conflict):
        service.review(session, merchant, "deep", approve=False, principal=legal, now=now)


def test_only_approvers_and_never_ones_own_edit(session, merchant, now):
    _world(session, merchant, now)
    make_promotion(session, merchant, {"id": "deep", "name": "八折", "kind": "percent",
                                       "percent": "20"}, now=now, actor="法务小王")
    with pytest.raises(Forbidden):
        service.review(session, merchant, "deep", approve=True,
                       principal=Principal(merchant, "planner", "策划"), now=now)
    with pytest.raises(Forbidden) as e:
        service.review(session, merchant, "deep", approve=True,
                       principal=Principal(merchant, "legal", "法务小王"), now=now)
    assert e.value.code == "self_approval"
    row = service.review(session, merchant, "deep", approve=False,
                         principal=Principal(merchant, "owner", "老板"), now=now)
    assert row.status == "rejected"


def test_edit_back_within_the_lines_reactivates(session, merchant, now):
    _world(session, merchant, now)
    make_promotion(session, merchant, threshold("m", ("100.00", "30.00")), now=now)
    assert service.get(session, merchant, "m").status == "pending_approval"
    row = service.edit(session, merchant, "m", threshold("m", ("100.00", "10.00")),
                       actor="op", now=now)
    assert row.status == "active" and row.red_line == []


def _fish(session, merchant, now, price="99.00"):
    # cost 60.00: floor 75.00 (cost × 1.25); daily price band 50 %: 49.50
    make_product(session, merchant, "FISH", price, cost="60.00", daily="99.00", stock=50)


def test_promotions_that_pass_alone_are_held_when_stacked_below_the_floor(session, merchant,
                                                                         now):
    _fish(session, merchant, now)
    a = make_promotion(session, merchant, make_promo("fish-a", "percent", percent="15",
                                                     stack_group="member"), now=now)
    assert (a.status, a.red_line) == ("active", [])  # 84.15 alone
    b = make_promotion(session, merchant, make_promo("fish-b", "percent", percent="15",
                                                     stack_group="store"), now=now)
    # 99.00 × 0.85 = 84.15, then 15 % of 84.15 = 12.6225 rounds to 12.62: 71.53 < 75.00
    assert b.status == "pending_approval"
    assert b.red_line == [{"sku": "FISH", "rule": "margin_floor", "price": "99.00",
                           "worst_price": "71.53", "floor": "75.00", "stacked_with": ["fish-a"],
                           "message": "FISH 与 fish-a 叠加后最低可到 71.53 元, "
                                      "低于毛利底线 75.00 元"}]
    # the same 85折 in fish-a's own stack group cannot combine with it: passes
    c = make_promotion(session, merchant, make_promo("fish-c", "percent", percent="15",
                                                     stack_group="member"), now=now)
    assert (c.status, c.red_line) == ("active", [])
    # an exclusive one applies alone: passes
    d = make_promotion(session, merchant, make_promo("fish-d", "percent", percent="15",
                                                     exclusive=True), now=now)
    assert (d.status, d.red_line) == ("active", [])


def test_stacking_follows_the_application_order(session, merchant, now):
    # 满90减10 first (priority 10): 99.00 -> 89.00 at worst (s = 99), then 20% off: 71.20;
    # the reverse order would give 79.20 -> 69.20 (20 % first, then 满减 at s = 90).
    _fish(session, merchant, now)
    make_promotion(session, merchant, {**threshold("mj", ("90.00", "10.00")), "priority": 10},
                   now=now)
    held = make_promotion(session, merchant, make_promo("pct", "percent", percent="20"),
                          now=now)
    assert held.red_line[0]["worst_price"] == "71.20"
    assert held.red_line[0]["stacked_with"] == ["mj"]


def test_a_price_drop_holds_live_promotions_that_now_break_a_line(api):
    for sku, price in (("FISH", "99.00"), ("TEA", "60.00")):
        api.post("/api/v1/products", json={"sku": sku, "name": sku, "price": price,
                                           "cost": "40.00", "stock": 10})
    r = api.post("/api/v1/promotions", json=make_promo("off10", "percent", percent="10"))
    assert r.status_code == 201 and r.json()["status"] == "active"
    # TEA at 55.00: 10 % off leaves 49.50, below 40.00 × 1.25 = 50.00
    r = api.post("/api/v1/products", json={"sku": "TEA", "name": "TEA", "price": "55.00"})
    assert r.status_code == 200
    promo = api.get("/api/v1/promotions/off10").json()
    assert promo["status"] == "pending_approval"
    assert [(f["sku"], f["worst_price"]) for f in promo["red_line"]] == [("TEA", "49.50")]
    audit = api.get("/api/v1/audit", params={"entity": "promotion"}).json()["items"]
    assert audit[0]["action"] == "red_line_hold"
    # a price rise breaks nothing and holds nothing
    api.post("/api/v1/promotions/off10/approve", json={})
    assert api.get("/api/v1/promotions/off10").json()["status"] == "active"
    api.post("/api/v1/products", json={"sku": "FISH", "name": "FISH", "price": "109.00"})
    assert api.get("/api/v1/promotions/off10").json()["status"] == "active"
