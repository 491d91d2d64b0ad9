"""Wallet coupons of every kind priced by POST /api/v1/quote and priced orders: 折扣券
with min spend and a cap, scoped coupons, stacking after automatic promotions. Every
total is computed by hand in the comments."""

from __future__ import annotations

import pytest

PRODUCTS = (("NUT", "128.00", "nuts", []), ("TEA", "50.00", "tea", ["gift"]),
            ("CUP", "30.00", "tea", []))


@pytest.fixture
def shop(api):
    for sku, price, category, tags in PRODUCTS:
        r = api.post("/api/v1/products", json={"sku": sku, "name": sku, "price": price,
                                               "category": category, "tags": tags,
                                               "stock": 100})
        assert r.status_code == 201, r.text
    return api.post("/api/v1/members", json={"external_id": "w1"}).json()["id"]


def give(api, member, **template):
    body = {"name": "券", "total": 10, "valid_days": 30} | template
    r = api.post("/api/v1/coupon-templates", json=body)
    assert r.status_code == 201, r.text
    claimed = api.post(f"/api/v1/coupon-templates/{r.json()['id']}/claim",
                       json={"member_id": member})
    assert claimed.status_code == 200, claimed.text
    return claimed.json()


def quote(api, member, **items):
    r = api.post("/api/v1/quote", json={"member_id": member,
                                        "items": [{"sku": k, "qty": q} for k, q in items.items()]})
    assert r.status_code == 200, r.text
    return r.json()


def line_discounts(q):
    return {ln["sku"]: ln["discount"] for ln in q["lines"]}


def test_percent_coupon_is_capped_and_allocated_pro_rata(api, shop):
    c = give(api, shop, name="85折券", kind="percent", percent="15", max_off="30.00",
             min_spend="100.00")
    assert (c["kind"], c["percent"], c["max_off"], c["face_value"]) == (
        "percent", "15", "30.00", None)
    q = quote(api, shop, NUT=2, TEA=1)
    # 256.00 + 50.00 = 306.00; 15% = 45.90, capped at 30.00 -> 276.00.
    assert (q["subtotal"], q["discount"], q["total"]) == ("306.00", "30.00", "276.00")
    assert [a["id"] for a in q["applied"]] == [f"coupon-{c['code']}"]
    # 3000 fen pro rata: NUT 3000*256/306 = 2509.8 -> 2509, TEA 490.2 -> 490; the fen
    # left goes to the first line: NUT 25.10, TEA 4.90.
    assert line_discounts(q) == {"NUT": "25.10", "TEA": "4.90"}


def test_percent_coupon_below_its_min_spend_stays_unused(api, shop):
    c = give(api, shop, kind="percent", percent="15", min_spend="100.00")
    q = quote(api, shop, TEA=1, CUP=1)  # 80.00 < 100.00
    assert (q["total"], q["unused_coupons"]) == ("80.00", [f"coupon-{c['code']}"])


def test_scoped_percent_coupon_discounts_only_its_items(api, shop):
    c = give(api, shop, name="茶叶8折", kind="percent", percent="20",
             scope={"categories": ["tea"], "exclude_skus": ["CUP"]})
    assert c["scope"] == {"categories": ["tea"], "exclude_skus": ["CUP"]}
    q = quote(api, shop, NUT=1, TEA=2, CUP=1)
    # Eligible: TEA 2 x 50.00 = 100.00; 20% = 20.00. 128 + 100 + 30 = 258.00 -> 238.00.
    assert (q["subtotal"], q["discount"], q["total"]) == ("258.00", "20.00", "238.00")
    assert line_discounts(q) == {"NUT": "0.00", "TEA": "20.00", "CUP": "0.00"}


def test_scoped_fixed_coupon_measures_min_spend_on_its_items(api, shop):
    give(api, shop, name="坚果满100减15", face_value="15.00", min_spend="100.00",
         scope={"skus": ["NUT"]})
    q = quote(api, shop, NUT=1, TEA=1)  # NUT 128.00 >= 100.00: 178.00 - 15.00
    assert (q["total"], line_discounts(q)) == ("163.00", {"NUT": "15.00", "TEA": "0.00"})
    q = quote(api, shop, TEA=1, CUP=3)  # 140.00 but no NUT: not eligible
    assert (q["total"], q["applied"]) == ("140.00", [])


def test_tag_scoped_coupon(api, shop):
    give(api, shop, name="礼品券", face_value="8.00", scope={"tags": ["gift"]})
    q = quote(api, shop, TEA=1, CUP=1)  # only TEA is tagged gift: 80.00 - 8.00
    assert (q["total"], line_discounts(q)) == ("72.00", {"TEA": "8.00", "CUP": "0.00"})


def test_percent_coupon_stacks_after_an_automatic_promotion(api, shop):
    r = api.post("/api/v1/promotions", json={"id": "m300", "name": "满300减50",
                                             "kind": "threshold",
                                             "tiers": [{"min": "300.00", "off": "50.00"}]})
    assert r.status_code == 201, r.text
    give(api, shop, kind="percent", percent="10", max_off="100.00")
    q = quote(api, shop, NUT=3)
    # 384.00 -> 满300减50 first: 334.00; then 10% of 334.00 = 33.40 -> 300.60.
    assert (q["discount"], q["total"]) == ("83.40", "300.60")
    assert [a["discount"] for a in q["applied"]] == ["50.00", "33.40"]


def test_priced_order_uses_the_percent_coupon_and_cancel_gives_it_back(api, shop):
    c = give(api, shop, kind="percent", percent="12.5", max_off="50.00")
    r = api.post("/api/v1/orders/priced", json={"member_id": shop,
                                                "items": [{"sku": "NUT", "qty": 1},
                                                          {"sku": "CUP", "qty": 1}]})
    assert r.status_code == 201, r.text
    order = r.json()
    # 158.00 x 12.5% = 19.75 -> 138.25; lines 128/158 and 30/158 of 1975 fen:
    # NUT 1600 (1600.0 exactly), CUP 375.
    assert (order["discount"], order["total"]) == ("19.75", "138.25")
    assert {ln["sku"]: ln["discount"] for ln in order["lines"]} == {"NUT": "16.00",
                                                                    "CUP": "3.75"}
    held = api.get(f"/api/v1/members/{shop}/coupons").json()["items"]
    assert [(x["code"], x["status"]) for x in held] == [(c["code"], "used")]
    assert api.post(f"/api/v1/orders/{order['id']}/cancel").status_code == 200
    held = api.get(f"/api/v1/members/{shop}/coupons").json()["items"]
    assert [(x["code"], x["status"]) for x in held] == [(c["code"], "unused")]
