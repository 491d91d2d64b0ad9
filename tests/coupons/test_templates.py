"""Coupon templates over the API: list, disable/enable, the price red line hold and its
approval, and the red line and the copy review holding one template together."""

from __future__ import annotations

import pytest

from tests.conftest import Api
from tests.hot.backends import add_members

FIXED = {"name": "满99减20", "face_value": "20.00", "min_spend": "99.00", "total": 10,
         "per_member_limit": 1, "valid_days": 7}
# 30% off takes a 100.00 unit to 70.00, below the margin floor 60.00 × 1.25 = 75.00.
DEEP = {"name": "7折券", "kind": "percent", "percent": "30", "total": 10}


def with_role(hot_client, hot_runtime, api: Api, role: str) -> Api:
    from siyu.merchants.service import issue_key

    with hot_runtime.sessions.begin() as s:
        key = issue_key(s, api.merchant_id, user_name=f"{role}-user", role=role)
    return Api(hot_client, api.merchant_id, key)


def product(api, sku="NUT", price="100.00", cost="60.00", **more):
    r = api.post("/api/v1/products", json={"sku": sku, "name": "坚果", "price": price,
                                           "cost": cost, "stock": 100, **more})
    assert r.status_code == 201, r.text


def audit_actions(api, template_id):
    items = api.get("/api/v1/audit", params={"entity": "coupon_template"}).json()["items"]
    return sorted(e["action"] for e in items if e["entity_id"] == template_id)


@pytest.mark.parametrize("hot_runtime", ["sqlite"], indirect=True)
def test_list_filters_active_and_pages(hot_api):
    ids = [hot_api.post("/api/v1/coupon-templates", json=FIXED | {"name": f"券{i}"}).json()["id"]
           for i in range(3)]
    assert hot_api.post(f"/api/v1/coupon-templates/{ids[1]}/disable").status_code == 200
    page = hot_api.get("/api/v1/coupon-templates", params={"limit": 2}).json()
    assert (page["total"], page["limit"], page["offset"]) == (3, 2, 0)
    assert [t["id"] for t in page["items"]] == [ids[2], ids[1]]  # newest first
    rest = hot_api.get("/api/v1/coupon-templates", params={"limit": 2, "offset": 2}).json()
    assert [t["id"] for t in rest["items"]] == [ids[0]]
    active = hot_api.get("/api/v1/coupon-templates", params={"active": "true"}).json()
    assert sorted(t["id"] for t in active["items"]) == [ids[0], ids[2]]
    inactive = hot_api.get("/api/v1/coupon-templates", params={"active": "false"}).json()
    assert [(t["id"], t["status"]) for t in inactive["items"]] == [(ids[1], "disabled")]
    bad = hot_api.get("/api/v1/coupon-templates", params={"status": "paused"})
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "status"


def test_disabled_template_stops_claims_but_held_coupons_still_price(hot_api):
    product(hot_api, price="128.00", cost="0")
    t = hot_api.post("/api/v1/coupon-templates", json=FIXED).json()
    a, b = add_members(hot_api, 2)
    assert hot_api.post(f"/api/v1/coupon-templates/{t['id']}/claim",
                        json={"member_id": a}).status_code == 200
    off = hot_api.post(f"/api/v1/coupon-templates/{t['id']}/disable")
    assert (off.status_code, off.json()["status"], off.json()["active"]) == (
        200, "disabled", False)
    r = hot_api.post(f"/api/v1/coupon-templates/{t['id']}/claim", json={"member_id": b})
    assert (r.status_code, r.json()["error"]["code"]) == (409, "not_active")
    issue = hot_api.post(f"/api/v1/coupon-templates/{t['id']}/issue", json={"member_ids": [b]})
    assert (issue.status_code, issue.json()["error"]["code"]) == (409, "not_active")
    q = hot_api.post("/api/v1/quote", json={"member_id": a, "items": [{"sku": "NUT"}]}).json()
    assert (q["total"], q["discount"]) == ("108.00", "20.00")  # 128.00 - 20.00
    on = hot_api.post(f"/api/v1/coupon-templates/{t['id']}/enable").json()
    assert on["status"] == "active"
    assert hot_api.post(f"/api/v1/coupon-templates/{t['id']}/claim",
                        json={"member_id": b}).status_code == 200
    assert audit_actions(hot_api, t["id"]) == ["create", "disable", "enable"]


def test_a_template_below_the_red_line_is_held_until_approved(hot_api, hot_client,
                                                              hot_runtime):
    product(hot_api)
    r = hot_api.post("/api/v1/coupon-templates", json=DEEP)
    assert r.status_code == 202, r.text
    t = r.json()
    assert (t["status"], t["active"]) == ("pending_approval", False)
    (finding,) = t["red_line"]
    assert (finding["sku"], finding["rule"], finding["worst_price"], finding["floor"]) == (
        "NUT", "margin_floor", "70.00", "75.00")
    (m,) = add_members(hot_api, 1)
    held = hot_api.post(f"/api/v1/coupon-templates/{t['id']}/claim", json={"member_id": m})
    assert (held.status_code, held.json()["error"]["code"]) == (409, "not_active")
    planner = with_role(hot_client, hot_runtime, hot_api, "planner")
    assert planner.post(f"/api/v1/coupon-templates/{t['id']}/approve").status_code == 403
    legal = with_role(hot_client, hot_runtime, hot_api, "legal")
    ok = legal.post(f"/api/v1/coupon-templates/{t['id']}/approve", json={"note": "清仓"})
    assert ok.status_code == 200, ok.text
    assert (ok.json()["status"], ok.json()["review"]["by"], ok.json()["review"]["note"]) == (
        "active", "legal-user", "清仓")
    again = legal.post(f"/api/v1/coupon-templates/{t['id']}/approve")
    assert (again.status_code, again.json()["error"]["code"]) == (409, "not_pending")
    assert hot_api.post(f"/api/v1/coupon-templates/{t['id']}/claim",
                        json={"member_id": m}).status_code == 200
    assert audit_actions(hot_api, t["id"]) == ["approve", "create"]


@pytest.mark.parametrize("hot_runtime", ["sqlite"], indirect=True)
def test_a_rejected_template_is_never_claimable(hot_api):
    product(hot_api)
    t = hot_api.post("/api/v1/coupon-templates", json=DEEP).json()
    r = hot_api.post(f"/api/v1/coupon-templates/{t['id']}/reject", json={"note": "太深"})
    assert r.status_code == 200 and r.json()["status"] == "rejected"
    (m,) = add_members(hot_api, 1)
    claim = hot_api.post(f"/api/v1/coupon-templates/{t['id']}/claim", json={"member_id": m})
    assert claim.status_code == 409
    # Enabling runs the red line again: still below it, so held again.
    assert hot_api.post(f"/api/v1/coupon-templates/{t['id']}/enable").json()["status"] == (
        "pending_approval")


@pytest.mark.parametrize("hot_runtime", ["sqlite"], indirect=True)
def test_a_shallow_or_out_of_scope_template_passes_the_red_line(hot_api):
    product(hot_api)
    product(hot_api, sku="TEA", price="50.00", cost="10.00", category="tea")
    ten = hot_api.post("/api/v1/coupon-templates",
                       json=DEEP | {"name": "9折券", "percent": "10"})
    assert ten.status_code == 201 and ten.json()["red_line"] == []
    scoped = hot_api.post("/api/v1/coupon-templates",
                          json=DEEP | {"name": "茶叶7折", "scope": {"categories": ["tea"]}})
    assert scoped.status_code == 201, scoped.text
    assert scoped.json()["scope"] == {"categories": ["tea"]}


def test_copy_review_and_red_line_hold_one_template_in_turn(hot_api, hot_client,
                                                            hot_runtime):
    product(hot_api)
    r = hot_api.post("/api/v1/coupon-templates",
                     json=DEEP | {"name": "7折 加微信 wx_nuts888"})
    assert r.status_code == 202, r.text
    t = r.json()
    assert t["status"] == "pending_review" and t["red_line"]  # both shown
    legal = with_role(hot_client, hot_runtime, hot_api, "legal")
    early = legal.post(f"/api/v1/coupon-templates/{t['id']}/approve")
    assert early.status_code == 409  # the copy review comes first
    (review,) = legal.get("/api/v1/risk/reviews", params={"status": "pending"}).json()["items"]
    assert review["source"] == "coupon_template"
    assert legal.post(f"/api/v1/risk/reviews/{review['id']}/approve").status_code == 200
    got = hot_api.get(f"/api/v1/coupon-templates/{t['id']}").json()
    assert got["status"] == "pending_approval"
    assert legal.post(f"/api/v1/coupon-templates/{t['id']}/approve").json()["status"] == (
        "active")


@pytest.mark.parametrize("hot_runtime", ["sqlite"], indirect=True)
@pytest.mark.parametrize("body, field", [
    ({"kind": "percent", "percent": "30"}, "face_value"),  # a discount has no face value
    ({"kind": "percent", "face_value": None}, "percent"),
    ({"kind": "percent", "face_value": None, "percent": "100"}, "percent"),
    ({"kind": "percent", "face_value": None, "percent": "0"}, "percent"),
    ({"kind": "percent", "face_value": None, "percent": "12.345"}, "percent"),
    ({"kind": "percent", "face_value": None, "percent": "15", "max_off": "0"}, "max_off"),
    ({"percent": "15"}, "percent"),
    ({"max_off": "5.00"}, "max_off"),
    ({"kind": "cash"}, "kind"),
    ({"scope": {"skus": "NUT"}}, "scope.skus"),
    ({"scope": {"brands": ["x"]}}, "scope.brands"),
])
def test_bad_kinds_and_scopes_are_422_naming_the_field(hot_api, body, field):
    r = hot_api.post("/api/v1/coupon-templates", json=FIXED | body)
    assert r.status_code == 422 and r.json()["error"]["field"] == field, r.text
    assert hot_api.get("/api/v1/coupon-templates").json()["total"] == 0


def test_a_promotion_that_passes_alone_is_held_when_a_live_coupon_stacks_on_it(hot_api):
    product(hot_api)  # NUT 100.00, cost 60.00: floor 75.00
    t = hot_api.post("/api/v1/coupon-templates", json=FIXED).json()
    assert (t["status"], t["red_line"]) == ("active", [])  # 100.00 - 20.00 = 80.00
    r = hot_api.post("/api/v1/promotions", json={"id": "p10", "name": "9折", "kind": "percent",
                                                "percent": "10"})
    assert (r.status_code, r.json()["status"]) == (201, "pending_approval"), r.text
    # 9折 first (automatic before coupons): 90.00; the coupon at a 99.00 cart takes
    # 20 × 90 / 99 = 18.19 of it (rounded against the merchant): 71.81 < 75.00
    (finding,) = r.json()["red_line"]
    label = f"券#{t['id']}「满99减20」"
    assert (finding["worst_price"], finding["stacked_with"]) == ("71.81", [label])
    assert finding["message"] == f"NUT 与 {label} 叠加后最低可到 71.81 元, 低于毛利底线 75.00 元"
    # a disabled template issues no more coupons: the same promotion then passes
    hot_api.post(f"/api/v1/coupon-templates/{t['id']}/disable")
    r = hot_api.post("/api/v1/promotions", json={"id": "p10b", "name": "9折", "kind": "percent",
                                                "percent": "10"})
    assert (r.json()["status"], r.json()["red_line"]) == ("active", [])


@pytest.mark.parametrize("hot_runtime", ["sqlite", "postgresql"], indirect=True)
def test_a_price_drop_holds_an_active_template_that_now_breaks_a_line(hot_api):
    product(hot_api)
    t = hot_api.post("/api/v1/coupon-templates", json=FIXED).json()
    # 95.00: the coupon at a 99.00 cart leaves 95.00 - 19.20 = 75.80, still above 75.00
    hot_api.post("/api/v1/products", json={"sku": "NUT", "name": "坚果", "price": "95.00"})
    assert hot_api.get(f"/api/v1/coupon-templates/{t['id']}").json()["status"] == "active"
    # 90.00: 90.00 - 18.19 = 71.81, below the floor: held again, with the reason
    hot_api.post("/api/v1/products", json={"sku": "NUT", "name": "坚果", "price": "90.00"})
    held = hot_api.get(f"/api/v1/coupon-templates/{t['id']}").json()
    assert held["status"] == "pending_approval"
    assert [(f["sku"], f["worst_price"]) for f in held["red_line"]] == [("NUT", "71.81")]
    assert audit_actions(hot_api, t["id"]) == ["create", "red_line_hold"]
    (m,) = add_members(hot_api, 1)
    claim = hot_api.post(f"/api/v1/coupon-templates/{t['id']}/claim", json={"member_id": m})
    assert (claim.status_code, claim.json()["error"]["code"]) == (409, "not_active")


@pytest.mark.parametrize("hot_runtime", ["sqlite"], indirect=True)
def test_a_template_says_its_discount_in_words(hot_api):
    fixed = hot_api.post("/api/v1/coupon-templates", json=FIXED).json()
    assert fixed["label"] == "满99减20"
    pct = hot_api.post("/api/v1/coupon-templates", json={
        "name": "折扣券", "kind": "percent", "percent": "5", "max_off": "20.00", "total": 10})
    assert pct.json()["label"] == "9.5折 (减5%, 最高减20)"  # percent is the % taken off
