"""The audit log: members, product prices, entry-review rules and risk rules leave entries
with who, when, before and after; the API filters by actor, action and time, and pages
with a total."""

from datetime import UTC, datetime, timedelta

from tests.conftest import Api


def keyed(client, runtime, api, role, name):
    from siyu.merchants.service import issue_key

    with runtime.sessions.begin() as s:
        key = issue_key(s, api.merchant_id, user_name=name, role=role)
    return Api(client, api.merchant_id, key)


def audit(api, **params):
    r = api.get("/api/v1/audit", params=params)
    assert r.status_code == 200, r.text
    return r.json()


def test_member_changes_are_audited_without_a_clear_phone(api):
    mid = api.post("/api/v1/members", json={"external_id": "m1", "nickname": "小王",
                                            "phone": "13812345678"}).json()["id"]
    api.post("/api/v1/members", json={"external_id": "m1", "nickname": "王先生",
                                      "phone": "13812345678"})
    page = audit(api, entity="member", entity_id=mid)
    assert [e["action"] for e in page["items"]] == ["update", "create"]
    update = page["items"][0]
    assert (update["before"]["nickname"], update["after"]["nickname"]) == ("小王", "王先生")
    assert "13812345678" not in str(page) and update["actor"] == "owner"


def test_a_product_price_change_has_the_old_and_new_price(api):
    body = {"sku": "NUT", "name": "坚果", "price": "128.00", "cost": "80.00"}
    pid = api.post("/api/v1/products", json=body).json()["id"]
    api.post("/api/v1/products", json={**body, "price": "118.00"})
    (change, _) = audit(api, entity="product", entity_id=pid)["items"]
    assert (change["before"]["price_fen"], change["after"]["price_fen"]) == (12800, 11800)


def test_entry_review_rule_and_risk_rule_changes_are_audited(api, client, runtime):
    rules = api.get("/api/v1/entry-review/rules").json()
    rules["blacklist"]["devices"] = ["dev-bad"]
    assert api.put("/api/v1/entry-review/rules", json=rules).status_code == 200
    (entry,) = audit(api, entity="entry_review_rules")["items"]
    assert "dev-bad" in str(entry["after"]) and "dev-bad" not in str(entry["before"])
    fw = keyed(client, runtime, api, "legal", "法务小李")
    risk = fw.get("/api/v1/risk/rules").json()
    risk["pricing"]["margin_floor_percent"] = "30"
    fw.put("/api/v1/risk/rules", json=risk)
    fw.put("/api/v1/risk/rules", json=risk)  # no change, no entry
    (entry,) = audit(api, entity="risk_rules")["items"]
    assert entry["actor"] == "法务小李"
    assert (entry["before"]["pricing"]["margin_floor_percent"],
            entry["after"]["pricing"]["margin_floor_percent"]) == ("25", "30")


def test_filters_by_actor_action_and_time_with_a_total(api, client, runtime):
    op = keyed(client, runtime, api, "operator", "运营小张")
    for i in range(5):
        op.post("/api/v1/members", json={"external_id": f"x{i}"})
    api.post("/api/v1/members", json={"external_id": "by-owner"})
    page = audit(api, actor="运营小张", limit=2)
    assert (page["total"], len(page["items"]), page["limit"]) == (5, 2, 2)
    assert {e["actor"] for e in page["items"]} == {"运营小张"}
    rest = audit(api, actor="运营小张", limit=2, offset=4)
    assert len(rest["items"]) == 1 and rest["total"] == 5
    assert audit(api, action="create", entity="member")["total"] == 6
    assert audit(api, action="erase")["total"] == 0
    future = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    past = (datetime.now(UTC) - timedelta(hours=1)).isoformat()
    assert audit(api, since=future)["total"] == 0
    assert audit(api, since=past, until=future)["total"] == 6
    assert audit(api, until=past)["total"] == 0
    r = api.get("/api/v1/audit", params={"since": "昨天"})
    assert r.status_code == 422 and r.json()["error"]["field"] == "since"
    r = api.get("/api/v1/audit", params={"since": future, "until": past})
    assert r.status_code == 422 and r.json()["error"]["field"] == "until"


def test_risk_actions_on_orders_are_in_the_log(api):
    api.post("/api/v1/products", json={"sku": "NUT", "name": "坚果", "price": "10.00",
                                       "stock": 5})
    oid = api.post("/api/v1/orders", json={"lines": [{"sku": "NUT", "qty": 1}]}).json()["id"]
    api.post(f"/api/v1/risk/orders/{oid}/refund", json={"reason": "刷单"})
    (entry,) = audit(api, entity="order", entity_id=oid)["items"]
    assert (entry["action"], entry["before"], entry["after"]["status"]) == (
        "refund", {"status": "paid"}, "refunded")
    assert entry["after"]["reason"] == "刷单"
