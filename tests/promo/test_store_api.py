"""The promotion API end to end: stored promotions, quotes for a member, priced orders
and cancellation, approvals by role, price protection; another merchant gets 404."""

import pytest

from tests.conftest import Api, new_merchant


def _setup(api):
    for sku, price, cost in (("NUT", "128.00", "60.00"), ("TEA", "60.00", "30.00")):
        r = api.post("/api/v1/products", json={"sku": sku, "name": sku, "price": price,
                                               "cost": cost, "stock": 100})
        assert r.status_code == 201, r.text
    member = api.post("/api/v1/members", json={"external_id": "m1", "tier": "V3"}).json()["id"]
    return member


M300 = {"id": "m300", "name": "满300减50", "kind": "threshold",
        "tiers": [{"min": "300.00", "off": "50.00"}], "budget": "1000.00"}


def test_create_get_list_edit_disable(api):
    r = api.post("/api/v1/promotions", json=M300)
    assert r.status_code == 201, r.text
    assert r.json()["status"] == "active" and r.json()["budget"] == "1000.00"
    got = api.get("/api/v1/promotions/m300").json()
    assert got["tiers"] == M300["tiers"]
    # GET, change, PUT back: the server's own fields are accepted and ignored.
    got["tiers"][0]["off"] = "40.00"
    r = api.put("/api/v1/promotions/m300", json=got)
    assert r.status_code == 200, r.text and r.json()["tiers"][0]["off"] == "40.00"
    assert api.get("/api/v1/promotions").json()["total"] == 1
    assert api.post("/api/v1/promotions/m300/disable").json()["status"] == "disabled"
    assert api.get("/api/v1/promotions?status=active").json()["items"] == []
    audit = api.get("/api/v1/audit?entity=promotion").json()["items"]
    assert [a["action"] for a in audit] == ["disable", "update", "create"]


def test_bad_rule_is_422_naming_the_field(api):
    body = {**M300, "tiers": [{"min": "300.00", "off": "50.00"},
                              {"min": "200.00", "off": "80.00"}]}
    r = api.post("/api/v1/promotions", json=body)
    assert r.status_code == 422
    assert r.json()["error"]["field"] == "tiers[1].min"
    r = api.post("/api/v1/promotions", json={**M300, "budget": "10.001"})
    assert r.status_code == 422 and r.json()["error"]["field"] == "budget"
    r = api.post("/api/v1/promotions", json=[M300])
    assert r.status_code == 422


def test_other_merchant_gets_404_and_sees_nothing(api, other_api):
    api.post("/api/v1/promotions", json=M300)
    for method, url in (("GET", "/api/v1/promotions/m300"), ("PUT", "/api/v1/promotions/m300"),
                        ("POST", "/api/v1/promotions/m300/disable"),
                        ("POST", "/api/v1/promotions/m300/enable")):
        r = other_api.request(method, url, json=M300 if method == "PUT" else None)
        assert r.status_code == 404, (url, r.text)
    assert other_api.get("/api/v1/promotions").json()["items"] == []
    assert api.get("/api/v1/promotions/m300").json()["status"] == "active"


def test_quote_priced_order_and_cancel(api):
    member = _setup(api)
    api.post("/api/v1/promotions", json=M300)
    cart = {"member_id": member, "items": [{"sku": "NUT", "qty": 2}, {"sku": "TEA"}]}
    q = api.post("/api/v1/quote", json=cart)
    assert q.status_code == 200, q.text
    assert (q.json()["total"], q.json()["applied"][0]["id"]) == ("266.00", "m300")
    r = api.post("/api/v1/orders/priced", json=cart, headers={"Idempotency-Key": "o1"})
    assert r.status_code == 201, r.text
    order = r.json()
    assert order["discount"] == "50.00" and order["total"] == "266.00"
    assert [p["id"] for p in order["promotions"]] == ["m300"]
    assert sum(int(ln["discount"].replace(".", "")) for ln in order["lines"]) == 5000
    again = api.post("/api/v1/orders/priced", json=cart, headers={"Idempotency-Key": "o1"})
    assert again.status_code == 200 and again.json()["id"] == order["id"]
    assert again.json()["quote"] == order["quote"] and order["quote"]["total"] == "266.00"
    # the same key with another cart is refused, nothing placed
    other = {"member_id": member, "items": [{"sku": "TEA", "qty": 5}]}
    bad = api.post("/api/v1/orders/priced", json=other, headers={"Idempotency-Key": "o1"})
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "Idempotency-Key"
    assert bad.json()["error"]["code"] == "idempotency_mismatch"
    assert api.get("/api/v1/orders").json()["total"] == 1
    assert api.get("/api/v1/promotions/m300").json()["spent"] == "50.00"
    r = api.post(f"/api/v1/orders/{order['id']}/cancel")
    assert r.status_code == 200 and r.json()["status"] == "cancelled"
    assert r.json()["promotions"][0]["released"] is True
    assert api.get("/api/v1/promotions/m300").json()["spent"] == "0.00"


def test_quote_bad_item_names_the_field(api):
    _setup(api)
    r = api.post("/api/v1/quote", json={"items": [{"sku": "NUT", "qty": 0}]})
    assert r.status_code == 422 and r.json()["error"]["field"] == "items[0].qty"
    r = api.post("/api/v1/quote", json={"items": [{"sku": "NOPE"}]})
    assert r.status_code == 422 and r.json()["error"]["field"] == "items[0].sku"


def test_cross_tenant_order_and_member_are_not_found(api, other_api):
    member = _setup(api)
    order = api.post("/api/v1/orders/priced", json={"member_id": member,
                                                    "items": [{"sku": "NUT"}]}).json()
    assert other_api.post(f"/api/v1/orders/{order['id']}/cancel").status_code == 404
    assert other_api.get(f"/api/v1/orders/{order['id']}/promotions").status_code == 404
    other_api.post("/api/v1/products", json={"sku": "NUT", "name": "x", "price": "1.00"})
    r = other_api.post("/api/v1/quote", json={"member_id": member, "items": [{"sku": "NUT"}]})
    assert r.status_code == 404
    assert api.get(f"/api/v1/orders/{order['id']}").json()["status"] == "paid"


@pytest.fixture
def roles(client, runtime):
    """One merchant, a key per role."""
    from siyu.merchants.service import issue_key

    merchant, owner = new_merchant(runtime, "角色商户")
    keys = {"owner": owner}
    with runtime.sessions.begin() as s:
        for role in ("planner", "legal", "cs"):
            keys[role] = issue_key(s, merchant, user_name=f"{role}-user", role=role)
    return {role: Api(client, merchant, key) for role, key in keys.items()}


def test_planner_creates_held_promotion_legal_approves(roles):
    _setup(roles["owner"])
    deep = {"id": "deep", "name": "半价", "kind": "percent", "percent": "50"}
    assert roles["cs"].post("/api/v1/promotions", json=deep).status_code == 403
    r = roles["planner"].post("/api/v1/promotions", json=deep)
    assert r.status_code == 201 and r.json()["status"] == "pending_approval"
    assert {v["sku"] for v in r.json()["red_line"]} == {"NUT", "TEA"}
    assert roles["planner"].post("/api/v1/promotions/deep/approve").status_code == 403
    r = roles["legal"].post("/api/v1/promotions/deep/approve", json={"note": "清仓特批"})
    assert r.status_code == 200 and r.json()["status"] == "active"
    assert r.json()["review"]["note"] == "清仓特批"
    assert roles["legal"].post("/api/v1/promotions/deep/reject").status_code == 409


def test_settings_by_legal_only(roles):
    assert roles["planner"].get("/api/v1/promo/settings").json()["margin_floor_percent"] == 25
    assert roles["planner"].put("/api/v1/promo/settings",
                                json={"margin_floor_percent": 5}).status_code == 403
    r = roles["legal"].put("/api/v1/promo/settings", json={"margin_floor_percent": 200})
    assert r.status_code == 200 and r.json()["margin_floor_percent"] == 200
    r = roles["legal"].put("/api/v1/promo/settings", json={"price_protection_days": -1})
    assert r.status_code == 422 and r.json()["error"]["field"] == "price_protection_days"


def test_price_protection_through_the_api(api):
    _setup(api)
    order = api.post("/api/v1/orders", json={"lines": [{"sku": "TEA", "qty": 3}]}).json()
    api.post("/api/v1/products", json={"sku": "TEA", "name": "TEA", "price": "55.00",
                                       "cost": "30.00", "stock": 100})
    doc = api.get("/api/v1/price-protection?sku=TEA").json()
    assert doc["total_refund"] == "15.00" and doc["refunds"][0]["order_id"] == order["id"]
    csv = api.get("/api/v1/price-protection?sku=TEA&format=csv")
    assert csv.headers["content-type"].startswith("text/csv") and "15.00" in csv.text
    r = api.post("/api/v1/price-protection/run", json={"sku": "TEA"})
    assert r.status_code == 200 and r.json()["recorded_drop"] is None


def test_a_budget_lowered_below_what_is_spent_is_kept_and_says_so(api):
    member = _setup(api)
    api.post("/api/v1/promotions", json=M300)
    cart = {"member_id": member, "items": [{"sku": "NUT", "qty": 3}]}
    assert api.post("/api/v1/orders/priced", json=cart).json()["discount"] == "50.00"
    assert api.get("/api/v1/promotions/m300").json()["warnings"] == []
    r = api.put("/api/v1/promotions/m300", json={**M300, "budget": "10.00"})
    assert r.status_code == 200, r.text
    assert r.json()["warnings"] == ["预算 10.00 元已用完 (已用 50.00 元): 不再给出此优惠"]
    assert api.post("/api/v1/quote", json=cart).json()["applied"] == []
