"""The risk API end to end: rules, price check, lottery check, sweep and order actions,
incidents and rates — bad input is 422 naming the field, another merchant's rows 404."""

from datetime import timedelta

import pytest

from tests.conftest import NOW, Api


def keyed(client, runtime, api, role):
    from siyu.merchants.service import issue_key

    with runtime.sessions.begin() as s:
        key = issue_key(s, api.merchant_id, user_name=f"{role}-user", role=role)
    return Api(client, api.merchant_id, key)


def product(api, sku="NUT", price="128.00", cost="80.00"):
    r = api.post("/api/v1/products", json={"sku": sku, "name": "坚果礼盒", "price": price,
                                           "cost": cost, "stock": 100})
    assert r.status_code == 201, r.text


def order(api, **kw):
    r = api.post("/api/v1/orders", json={"lines": [{"sku": "NUT", "qty": 1}], **kw})
    assert r.status_code == 201, r.text
    return r.json()


def test_rules_have_defaults_and_changes_are_audited(api, client, runtime):
    rules = api.get("/api/v1/risk/rules").json()
    assert rules["orders"]["ip_orders"] == 5 and rules["pricing"]["margin_floor_percent"] == "25"
    assert rules["lottery"]["max_top_prize"] == "50000.00"
    assert rules["incidents"]["respond_hours"] == {"ordinary": 24, "major": 24, "extreme": 24}
    rules["orders"]["ip_orders"] = 3
    operator = keyed(client, runtime, api, "operator")
    assert operator.put("/api/v1/risk/rules", json=rules).status_code == 403
    fw = keyed(client, runtime, api, "legal")
    r = fw.put("/api/v1/risk/rules", json=rules)
    assert r.status_code == 200 and r.json()["orders"]["ip_orders"] == 3
    (entry,) = fw.get("/api/v1/audit", params={"entity": "risk_rules"}).json()["items"]
    assert entry["actor"] == "legal-user"
    assert (entry["before"]["orders"]["ip_orders"], entry["after"]["orders"]["ip_orders"]) == (
        5, 3)


@pytest.mark.parametrize("change, field", [
    ({"orders": {"ip_orders": 1}}, "orders.ip_orders"),
    ({"orders": {"bogus": 1}}, "orders.bogus"),
    ({"lottery": {"max_top_prize": "1.001"}}, "lottery.max_top_prize"),
    ({"incidents": {"respond_hours": {"urgent": 2}}}, "incidents.respond_hours"),
    ({"copy_words": [{"word": "x", "level": "maybe"}]}, "copy_words[0].level"),
])
def test_bad_rules_are_422_naming_the_field(api, change, field):
    r = api.put("/api/v1/risk/rules", json=change)
    assert r.status_code == 422 and r.json()["error"]["field"] == field, r.text


def test_price_check_uses_the_seven_days_before_the_start(api, runtime):
    product(api)
    for at, price in (("2026-01-10T10:00:00", "118.00"), ("2026-01-14T10:00:00", "108.00"),
                      ("2026-01-16T10:00:00", "120.00")):
        order(api, lines=[{"sku": "NUT", "qty": 1, "price": price}], placed_at=at)
    body = {"sku": "NUT", "promo_price": "99.00", "claimed_original_price": "128.00",
            "starts_at": "2026-01-20"}
    out = api.post("/api/v1/risk/price-check", json=body).json()
    assert out["reference"]["lowest_price"] == "108.00" and out["margin_floor"] == "100.00"
    assert out["verdict"] == "block"
    assert [f["rule"] for f in out["findings"]] == ["margin_floor", "reference_price"]
    body.update(promo_price="100.00", claimed_original_price="108.00")
    assert api.post("/api/v1/risk/price-check", json=body).json()["verdict"] == "pass"
    body["starts_at"] = "2026-01-22"  # the 14th falls out of the 7 days; the 16th is left
    out = api.post("/api/v1/risk/price-check", json=body).json()
    assert out["reference"]["lowest_price"] == "120.00" and out["verdict"] == "pass"
    body["starts_at"] = "2026-01-30"  # no trade in the 7 days: the last one before counts
    out = api.post("/api/v1/risk/price-check", json=body).json()
    assert (out["reference"]["lowest_price"], out["reference"]["last_price_before"]) == (
        None, "120.00")


@pytest.mark.parametrize("body, field", [
    ({"sku": "NUT", "promo_price": "9.999", "starts_at": "2026-01-20"}, "promo_price"),
    ({"sku": "NUT", "promo_price": "9.99", "starts_at": "明天"}, "starts_at"),
    ({"sku": "NUT", "promo_price": "9.99"}, "starts_at"),
])
def test_price_check_bad_input_is_422(api, body, field):
    r = api.post("/api/v1/risk/price-check", json=body)
    assert r.status_code == 422 and r.json()["error"]["field"] == field


def test_price_check_of_another_merchants_sku_is_404(api, other_api):
    product(api, sku="A-ONLY")
    r = other_api.post("/api/v1/risk/price-check", json={
        "sku": "A-ONLY", "promo_price": "1.00", "starts_at": "2026-01-20"})
    assert r.status_code == 404 and "80.00" not in r.text


def test_lottery_check_over_http(api):
    doc = {"conditions": "满99可抽", "draw_time": "2026-01-25T20:00:00+08:00",
           "prizes": [{"name": "一等奖", "type": "cash", "amount": "60000.00", "odds": "1/10000"}]}
    out = api.post("/api/v1/risk/lottery/check", json=doc).json()
    assert out["verdict"] == "block" and out["findings"][0]["rule"] == "top_prize_over_limit"
    assert out["odds"][0]["percent"] == "0.01%"
    r = api.post("/api/v1/risk/lottery/check", json={"prizes": [{"odds": "lots"}]})
    assert r.status_code == 422 and r.json()["error"]["field"] == "prizes[0].odds"


def test_sweep_and_act_over_http(api, other_api):
    product(api)
    placed = [order(api, ip="10.0.0.9", placed_at=f"2026-01-20T10:0{i}:00") for i in range(5)]
    r = api.post("/api/v1/risk/orders/sweep", json={"since": "2026-01-20", "until": "2026-01-21"})
    (hit,) = r.json()["hits"]
    assert hit["rule"] == "same_ip" and hit["incident_id"]
    assert api.get(f"/api/v1/risk/hits/{hit['id']}").json()["orders"] == [
        o["order_no"] for o in placed]
    assert api.get("/api/v1/risk/hits", params={"rule": "same_ip"}).json()["total"] == 1
    assert other_api.get(f"/api/v1/risk/hits/{hit['id']}").status_code == 404
    assert other_api.get("/api/v1/risk/hits").json()["total"] == 0
    target = placed[0]["id"]
    r = other_api.post(f"/api/v1/risk/orders/{target}/hold", json={"reason": "偷看"})
    assert r.status_code == 404
    r = api.post(f"/api/v1/risk/orders/{target}/hold", json={"hit_id": hit["id"]})
    assert r.status_code == 200 and r.json()["order"]["status"] == "held"
    assert r.json()["changed"] is True
    r = api.post(f"/api/v1/risk/orders/{target}/explode")
    assert r.status_code == 422 and r.json()["error"]["field"] == "action"
    r = api.post(f"/api/v1/risk/orders/{target}/release", json={"hit_id": 0})
    assert r.status_code == 422 and r.json()["error"]["field"] == "hit_id"
    r = api.post("/api/v1/risk/orders/sweep", json={"since": "2026-01-21", "until": "2026-01-20"})
    assert r.status_code == 422 and r.json()["error"]["field"] == "until"


def test_incidents_over_http(api, other_api, client, runtime):
    product(api)
    o = order(api)
    r = api.post("/api/v1/risk/incidents", json={
        "title": "坚果有异味, 要去 12315 投诉", "order_id": o["id"], "campaign": "年货节"})
    assert r.status_code == 201, r.text
    incident = r.json()
    assert (incident["tier"], incident["team"], incident["team_name"]) == (
        "extreme", "legal", "法务/应急小组")
    assert other_api.get(f"/api/v1/risk/incidents/{incident['id']}").status_code == 404
    for action, body in (("acknowledge", {}), ("escalate", {}), ("resolve", {"resolution": "x"})):
        r = other_api.post(f"/api/v1/risk/incidents/{incident['id']}/{action}", json=body)
        assert r.status_code == 404, action
    r = other_api.post("/api/v1/risk/incidents", json={"title": "串门", "order_id": o["id"]})
    assert r.status_code == 404
    assert other_api.get("/api/v1/risk/incidents").json()["total"] == 0
    cs = keyed(client, runtime, api, "cs")
    r = cs.post(f"/api/v1/risk/incidents/{incident['id']}/acknowledge")
    assert r.status_code == 403 and r.json()["error"]["field"] == "role"
    fw = keyed(client, runtime, api, "legal")
    r = fw.post(f"/api/v1/risk/incidents/{incident['id']}/acknowledge", json={"note": "已联系"})
    assert r.status_code == 200 and r.json()["status"] == "acknowledged"
    assert api.post(f"/api/v1/risk/incidents/{incident['id']}/resolve",
                    json={}).json()["error"]["field"] == "resolution"
    r = api.post("/api/v1/risk/incidents", json={"title": "x", "tier": "apocalyptic"})
    assert r.status_code == 422 and r.json()["error"]["field"] == "tier"


def test_timer_job_over_http_and_overdue_list(api, other_api, runtime):
    mine = api.post("/api/v1/risk/incidents", json={"title": "发货慢"}).json()
    theirs = other_api.post("/api/v1/risk/incidents", json={"title": "发货慢"}).json()
    runtime.clock.advance(hours=25)
    overdue = api.get("/api/v1/risk/incidents", params={"overdue": True}).json()
    assert [i["id"] for i in overdue["items"]] == [mine["id"]]
    r = api.post("/api/v1/risk/incidents/escalate-due")
    assert r.json()["escalated"] == [{"incident_id": mine["id"], "merchant_id": api.merchant_id,
                                      "from": "ordinary", "to": "major"}]
    assert api.post("/api/v1/risk/incidents/escalate-due").json()["escalated"] == []
    assert other_api.get(f"/api/v1/risk/incidents/{theirs['id']}").json()["tier"] == "ordinary"


def test_rates_over_http(api, runtime):
    product(api)
    placed = [order(api, group_id=3) for _ in range(10)]
    api.post("/api/v1/risk/incidents", json={"title": "漏发", "order_id": placed[0]["id"]})
    runtime.clock.advance(minutes=1)  # the default period is the 24 hours before now
    (row,) = api.get("/api/v1/risk/rates").json()["items"]
    assert row == {"group": 3, "group_name": None, "orders": 10, "disputes": 1,
                   "complaints": 1, "complained_orders": 1, "complaints_unlinked": 0,
                   "merchant_refunds": 0, "dispute_rate": "10.00", "complaint_rate": "10.00",
                   "dispute_over": True, "complaint_over": True}
    since = (NOW - timedelta(days=1)).date().isoformat()
    r = api.get("/api/v1/risk/rates", params={"by": "campaign", "since": since})
    assert r.json()["items"][0]["campaign"] is None
    r = api.get("/api/v1/risk/rates", params={"by": "store"})
    assert r.status_code == 422 and r.json()["error"]["field"] == "by"
