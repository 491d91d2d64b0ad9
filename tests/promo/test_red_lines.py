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
