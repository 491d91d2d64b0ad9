"""Tenant isolation through every endpoint: merchant B aims at merchant A's rows on
purpose. Every such call answers 404 (or 422 where the id is only a body reference),
never A's data, and A's data is unchanged afterwards.

The table below must name every /api/v1 route: a new endpoint without a crossing
case fails `test_every_route_is_crossed`.
"""

import pytest

from siyu.app import create_app


@pytest.fixture
def world(api, other_api):
    """A has a member, product, order, group (with the member in it), a live code, a held
    join request, a sent message and an event; B has one member of its own."""
    a, b = api, other_api
    member = a.post("/api/v1/members", json={"external_id": "a1", "nickname": "甲会员",
                                             "phone": "13800001111"}).json()["id"]
    other = a.post("/api/v1/members", json={"external_id": "a2", "nickname": "乙会员"}).json()["id"]
    product = a.post("/api/v1/products", json={"sku": "A-SKU", "name": "甲商品",
                                               "price": "10.00", "stock": 5}).json()["id"]
    order = a.post("/api/v1/orders", json={"member_id": member,
                                           "lines": [{"sku": "A-SKU", "qty": 1}]}).json()["id"]
    group = a.post("/api/v1/groups", json={"name": "甲的群", "kind": "gift"}).json()["id"]
    assert a.post(f"/api/v1/groups/{group}/join", json={"member_id": member}).status_code == 201
    code = a.post("/api/v1/live-codes", json={"name": "甲活码", "channel": "kol",
                                              "group_kind": "stock_up"}).json()["code"]
    rules = a.get("/api/v1/entry-review/rules").json()
    rules["blacklist"]["devices"] = ["dev-held"]
    rules["blacklist"]["action"] = "hold"
    assert a.put("/api/v1/entry-review/rules", json=rules).status_code == 200
    held = a.post(f"/api/v1/groups/{group}/join", json={"member_id": other, "device": "dev-held"})
    assert held.status_code == 202, held.text
    request = held.json()["join_request_id"]
    assert a.post("/api/v1/channels/simulator/send", json={
        "target_kind": "group", "target_id": group, "text": "新年好"}).status_code == 201
    assert a.post("/api/v1/events", json={"events": [{"kind": "view", "at": "2026-01-20",
                                                      "member_id": member}]}).status_code == 200
    b_member = b.post("/api/v1/members", json={"external_id": "b1"}).json()["id"]
    assert a.post("/api/v1/promotions", json=A_PROMO).status_code == 201
    return {"member": member, "other": other, "product": product, "order": order,
            "group": group, "code": code, "request": request, "b_member": b_member,
            **risk_world(a, member, group)}


def risk_world(a, member, group):
    """A's risk rows: a hit (an order shipped to "xxx"), the incident it opened, and a
    group post held for legal review."""
    assert a.post("/api/v1/orders", json={"member_id": member, "address": "xxx",
                                          "lines": [{"sku": "A-SKU", "qty": 1}]}).is_success
    hits = a.post("/api/v1/risk/orders/sweep", json={}).json()["hits"]
    hit = next(h for h in hits if h["rule"] == "address_anomaly")
    held = a.post("/api/v1/channels/simulator/send", json={
        "target_kind": "group", "target_id": group, "text": "甲的客服微信 wx_jia888"})
    assert held.status_code == 202, held.text
    review = a.get("/api/v1/risk/reviews").json()["items"][0]["id"]
    return {"hit": hit["id"], "incident": hit["incident_id"], "review": review}


A_PROMO = {"id": "A-PROMO", "name": "甲的满减", "kind": "threshold",
           "tiers": [{"min": "100.00", "off": "1.00"}]}


def crossings(w):
    """(method, path template, url, body) for every route, aimed at A's rows."""
    g, m, bm = w["group"], w["member"], w["b_member"]
    return [
        ("GET", "/api/v1/members/{member_id}", f"/api/v1/members/{m}", None),
        ("POST", "/api/v1/members/{member_id}/tags", f"/api/v1/members/{m}/tags",
         {"tags": ["偷看"]}),
        ("DELETE", "/api/v1/members/{member_id}/tags/{tag}", f"/api/v1/members/{m}/tags/x", None),
        ("DELETE", "/api/v1/members/{member_id}", f"/api/v1/members/{m}", None),
        ("GET", "/api/v1/products/{product_id}", f"/api/v1/products/{w['product']}", None),
        ("GET", "/api/v1/orders/{order_id}", f"/api/v1/orders/{w['order']}", None),
        ("POST", "/api/v1/orders", "/api/v1/orders",
         {"member_id": m, "lines": [{"sku": "A-SKU", "qty": 1}]}),
        ("POST", "/api/v1/events", "/api/v1/events",
         {"events": [{"kind": "view", "at": "2026-01-20", "member_id": m}]}),
        ("GET", "/api/v1/groups/{group_id}", f"/api/v1/groups/{g}", None),
        ("POST", "/api/v1/groups/{group_id}/archive", f"/api/v1/groups/{g}/archive", None),
        ("POST", "/api/v1/groups/{group_id}/join", f"/api/v1/groups/{g}/join", {"member_id": bm}),
        ("POST", "/api/v1/groups/{group_id}/leave", f"/api/v1/groups/{g}/leave", {"member_id": m}),
        ("GET", "/api/v1/groups/{group_id}/members", f"/api/v1/groups/{g}/members", None),
        ("GET", "/api/v1/members/{member_id}/groups", f"/api/v1/members/{m}/groups", None),
        ("GET", "/api/v1/members/{member_id}/coupons", f"/api/v1/members/{m}/coupons", None),
        ("GET", "/api/v1/live-codes/{code}", f"/api/v1/live-codes/{w['code']}", None),
        ("POST", "/api/v1/live-codes/{code}/join", f"/api/v1/live-codes/{w['code']}/join",
         {"member_id": bm}),
        ("GET", "/api/v1/join-requests/{request_id}", f"/api/v1/join-requests/{w['request']}",
         None),
        ("POST", "/api/v1/join-requests/{request_id}/approve",
         f"/api/v1/join-requests/{w['request']}/approve", {}),
        ("POST", "/api/v1/join-requests/{request_id}/reject",
         f"/api/v1/join-requests/{w['request']}/reject", {}),
        ("POST", "/api/v1/channels/{channel}/send", "/api/v1/channels/simulator/send",
         {"target_kind": "group", "target_id": g, "text": "串门"}),
        ("GET", "/api/v1/promotions/{code}", "/api/v1/promotions/A-PROMO", None),
        ("PUT", "/api/v1/promotions/{code}", "/api/v1/promotions/A-PROMO", A_PROMO),
        *[("POST", f"/api/v1/promotions/{{code}}/{action}",
           f"/api/v1/promotions/A-PROMO/{action}", {})
          for action in ("disable", "enable", "approve", "reject")],
        ("POST", "/api/v1/quote", "/api/v1/quote",
         {"member_id": m, "items": [{"sku": "A-SKU", "qty": 1}]}),
        ("POST", "/api/v1/orders/priced", "/api/v1/orders/priced",
         {"member_id": m, "items": [{"sku": "A-SKU", "qty": 1}]}),
        ("GET", "/api/v1/orders/{order_id}/promotions",
         f"/api/v1/orders/{w['order']}/promotions", None),
        ("POST", "/api/v1/orders/{order_id}/cancel", f"/api/v1/orders/{w['order']}/cancel", None),
        ("POST", "/api/v1/orders/{order_id}/pay", f"/api/v1/orders/{w['order']}/pay", None),
        ("GET", "/api/v1/price-protection", "/api/v1/price-protection?sku=A-SKU", None),
        ("POST", "/api/v1/price-protection/run", "/api/v1/price-protection/run",
         {"sku": "A-SKU"}),
        *risk_crossings(w),
    ]


def risk_crossings(w):
    hit, inc, rev = w.get("hit", 1), w.get("incident", 1), w.get("review", 1)
    return [
        ("GET", "/api/v1/risk/hits/{hit_id}", f"/api/v1/risk/hits/{hit}", None),
        *[("POST", "/api/v1/risk/orders/{order_id}/{action}",
           f"/api/v1/risk/orders/{w['order']}/{action}", {"reason": "串门"})
          for action in ("hold", "release", "intercept", "refund")],
        ("POST", "/api/v1/risk/price-check", "/api/v1/risk/price-check",
         {"sku": "A-SKU", "promo_price": "1.00", "starts_at": "2026-01-20"}),
        ("POST", "/api/v1/risk/incidents", "/api/v1/risk/incidents",
         {"title": "串门", "order_id": w["order"], "member_id": w["member"]}),
        ("GET", "/api/v1/risk/incidents/{incident_id}", f"/api/v1/risk/incidents/{inc}", None),
        *[("POST", f"/api/v1/risk/incidents/{{incident_id}}/{action}",
           f"/api/v1/risk/incidents/{inc}/{action}", body)
          for action, body in (("acknowledge", {}), ("escalate", {}),
                               ("resolve", {"resolution": "串门"}))],
        *[("POST", f"/api/v1/risk/reviews/{{review_id}}/{action}",
           f"/api/v1/risk/reviews/{rev}/{action}", {}) for action in ("approve", "reject")],
    ]


# Routes without an id of another merchant to aim at: lists and creates, checked by
# `test_lists_show_nothing_of_the_other_merchant`; the webhook is signed per merchant.
LISTS = ["/api/v1/promotions", "/api/v1/promo/settings",
         "/api/v1/members", "/api/v1/products", "/api/v1/orders", "/api/v1/events",
         "/api/v1/audit", "/api/v1/groups", "/api/v1/live-codes", "/api/v1/join-requests",
         "/api/v1/channels/simulator/messages", "/api/v1/export/members",
         "/api/v1/export/products", "/api/v1/export/orders", "/api/v1/entry-review/rules",
         "/api/v1/risk/rules", "/api/v1/risk/reviews", "/api/v1/risk/hits",
         "/api/v1/risk/incidents", "/api/v1/risk/rates", "/api/v1/envelopes",
         "/api/v1/flash-sales"]
NO_TARGET = {("POST", "/api/v1/promotions"), ("PUT", "/api/v1/promo/settings"),
             ("POST", "/api/v1/members"), ("POST", "/api/v1/products"),
             ("POST", "/api/v1/groups"), ("POST", "/api/v1/live-codes"),
             ("PUT", "/api/v1/entry-review/rules"), ("POST", "/api/v1/import/members"),
             ("POST", "/api/v1/import/products"), ("POST", "/api/v1/import/orders"),
             ("GET", "/api/v1/channels/{channel}/messages"),
             ("POST", "/api/v1/channels/{channel}/webhook/{merchant_id}"),
             ("PUT", "/api/v1/risk/rules"), ("PATCH", "/api/v1/risk/rules"),
             ("POST", "/api/v1/risk/lottery/check"),
             ("POST", "/api/v1/risk/orders/sweep"), ("POST", "/api/v1/risk/incidents/escalate-due")}


# Domains whose crossing cases live beside their own tests (each file drives merchant B
# at merchant A's rows through every route of its prefix).
CROSSED_IN = {
    "/api/v1/envelopes": "tests/hongbao/test_api.py",
    "/api/v1/envelope-rains": "tests/hongbao/test_api.py",
    "/api/v1/flash-sales": "tests/flashsale/test_api.py",
    "/api/v1/coupon": "tests/coupons/test_api.py",
    "/api/v1/analytics": "tests/analytics/test_api_and_experiments.py",
    "/api/v1/segments": "tests/segments/test_live_segments.py",
}


def test_routes_crossed_elsewhere_have_crossing_tests():
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    for prefix, path in CROSSED_IN.items():
        text = (root / path).read_text(encoding="utf-8")
        assert "other_api" in text and "404" in text, (prefix, path)


def test_every_route_is_crossed(runtime):
    app = create_app(runtime)
    fake = {"member": 1, "other": 2, "product": 1, "order": 1, "group": 1, "code": "c",
            "request": 1, "b_member": 3}
    covered = {(m, t) for m, t, _, _ in crossings(fake)} | NO_TARGET
    covered |= {("GET", p) for p in LISTS}
    missing = [(m, r.path) for r in app.routes if r.path.startswith("/api/v1")
               and not r.path.startswith(tuple(CROSSED_IN))
               for m in getattr(r, "methods", ()) if (m, r.path) not in covered]
    assert missing == [], f"endpoints without a tenant-crossing case: {missing}"


def test_other_merchant_gets_404_everywhere(world, api, other_api):
    before = {
        "member": api.get(f"/api/v1/members/{world['member']}").json(),
        "group": api.get(f"/api/v1/groups/{world['group']}").json(),
        "request": api.get(f"/api/v1/join-requests/{world['request']}").json(),
        "product": api.get(f"/api/v1/products/{world['product']}").json(),
    }
    for method, template, url, body in crossings(world):
        r = other_api.request(method, url, json=body)
        assert r.status_code in (404, 422), (template, r.status_code, r.text)
        assert "甲" not in r.text and "13800001111" not in r.text, template
        assert "error" in r.json(), template
    assert api.get(f"/api/v1/members/{world['member']}").json() == before["member"]
    assert api.get(f"/api/v1/groups/{world['group']}").json() == before["group"]
    assert api.get(f"/api/v1/join-requests/{world['request']}").json() == before["request"]
    assert api.get(f"/api/v1/products/{world['product']}").json() == before["product"]


def test_lists_show_nothing_of_the_other_merchant(world, other_api):
    for path in LISTS:
        r = other_api.get(path)
        assert r.status_code == 200, (path, r.text)
        for secret in ("甲", "A-SKU", "dev-held", "1111", "新年好"):
            assert secret not in r.text, (path, secret)
