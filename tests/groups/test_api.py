"""Groups over HTTP: the whole flow, bad input named by field, and tenants crossed on
purpose (another merchant's group, code or join request answers 404 and changes nothing)."""

from __future__ import annotations

import itertools

from tests.conftest import new_merchant

_seq = itertools.count(1)


def member(api) -> int:
    r = api.post("/api/v1/members", json={"external_id": f"api-u{next(_seq)}", "nickname": "甲"})
    assert r.status_code == 201, r.text
    return r.json()["id"]


def group(api, **overrides) -> dict:
    body = {"name": "年货囤货群", "kind": "stock_up", "capacity": 3, **overrides}
    r = api.post("/api/v1/groups", json=body)
    assert r.status_code == 201, r.text
    return r.json()


def error(r, status: int) -> dict:
    assert r.status_code == status, r.text
    return r.json()["error"]


def test_create_get_and_list_groups(api):
    g = group(api, rules={"no_ads": True}, owner="店长")
    assert (g["capacity"], g["member_count"], g["rules"], g["owner"]) == (3, 0, {"no_ads": True},
                                                                         "店长")
    assert api.get(f"/api/v1/groups/{g['id']}").json()["name"] == "年货囤货群"
    group(api, kind="gift")
    page = api.get("/api/v1/groups", params={"kind": "stock_up", "limit": 1}).json()
    assert (page["total"], len(page["items"]), page["limit"]) == (1, 1, 1)
    assert api.get("/api/v1/groups").json()["total"] == 2
    assert group(api, capacity=None)["capacity"] == 500


def test_bad_group_input_is_422_naming_the_field(api):
    assert error(api.post("/api/v1/groups", json={"name": "x", "kind": "secret"}), 422)[
        "field"] == "kind"
    assert error(api.post("/api/v1/groups", json={"name": "x", "kind": "gift", "capacity": 0}),
                 422)["field"] == "capacity"
    assert error(api.post("/api/v1/groups", json={"kind": "gift"}), 422)["field"] == "name"
    assert error(api.get("/api/v1/groups", params={"kind": "nope"}), 422)["field"] == "kind"
    assert api.get("/api/v1/groups").json()["total"] == 0


def test_join_leave_members_and_history(api):
    g = group(api)
    m = member(api)
    r = api.post(f"/api/v1/groups/{g['id']}/join", json={"member_id": m, "channel": "kol"})
    assert r.status_code == 201, r.text
    assert (r.json()["decision"], r.json()["member_count"]) == ("admit", 1)
    assert error(api.post(f"/api/v1/groups/{g['id']}/join", json={"member_id": m}), 409)[
        "code"] == "already_in_group"
    page = api.get(f"/api/v1/groups/{g['id']}/members").json()
    assert [i["member_id"] for i in page["items"]] == [m] and page["total"] == 1
    r = api.post(f"/api/v1/groups/{g['id']}/leave", json={"member_id": m})
    assert r.status_code == 200 and r.json()["member_count"] == 0
    assert error(api.post(f"/api/v1/groups/{g['id']}/leave", json={"member_id": m}), 409)[
        "code"] == "not_in_group"
    history = api.get(f"/api/v1/members/{m}/groups").json()
    assert history["total"] == 1
    assert history["items"][0]["channel"] == "kol" and history["items"][0]["left_at"]


def test_full_group_is_409(api):
    g = group(api, capacity=1)
    api.post(f"/api/v1/groups/{g['id']}/join", json={"member_id": member(api)})
    err = error(api.post(f"/api/v1/groups/{g['id']}/join", json={"member_id": member(api)}), 409)
    assert err["code"] == "group_full"


def test_bad_join_input_is_422(api):
    g = group(api)
    assert error(api.post(f"/api/v1/groups/{g['id']}/join", json={}), 422)["field"] == "member_id"
    assert error(api.post(f"/api/v1/groups/{g['id']}/join",
                          json={"member_id": member(api), "risk_score": 101}),
                 422)["field"] == "risk_score"
    assert api.get(f"/api/v1/groups/{g['id']}").json()["member_count"] == 0


def test_another_merchants_group_is_404_and_unchanged(api, other_api):
    g = group(api)
    theirs = member(other_api)
    assert error(other_api.get(f"/api/v1/groups/{g['id']}"), 404)["code"] == "group_not_found"
    error(other_api.post(f"/api/v1/groups/{g['id']}/join", json={"member_id": theirs}), 404)
    error(other_api.get(f"/api/v1/groups/{g['id']}/members"), 404)
    error(other_api.post(f"/api/v1/groups/{g['id']}/archive"), 404)
    # Nor may a merchant seat another merchant's member in its own group.
    error(api.post(f"/api/v1/groups/{g['id']}/join", json={"member_id": theirs}), 404)
    error(api.get(f"/api/v1/members/{theirs}/groups"), 404)
    after = api.get(f"/api/v1/groups/{g['id']}").json()
    assert (after["member_count"], after["status"]) == (0, "active")
    assert other_api.get("/api/v1/groups").json()["total"] == 0


def test_a_role_without_write_access_cannot_create_groups(client, runtime):
    from tests.conftest import Api

    merchant_id, key = new_merchant(runtime, "分析商户", role="analyst")
    analyst = Api(client, merchant_id, key)
    assert error(analyst.post("/api/v1/groups", json={"name": "x", "kind": "gift"}), 403)
    assert analyst.get("/api/v1/groups").status_code == 200


# ---- live codes ---------------------------------------------------------------------


def live_code(api, **overrides) -> dict:
    body = {"name": "门店收银台", "channel": "store_counter", "group_kind": "stock_up",
            "capacity": 3, "group_name_prefix": "福利群", **overrides}
    r = api.post("/api/v1/live-codes", json=body)
    assert r.status_code == 201, r.text
    return r.json()


def test_live_code_routes_seven_joiners_into_three_groups(api):
    code = live_code(api)
    assert [g["name"] for g in code["groups"]] == ["福利群1"]
    for _ in range(7):
        r = api.post(f"/api/v1/live-codes/{code['code']}/join",
                     json={"member_id": member(api), "device": None})
        assert r.status_code == 201 and r.json()["channel"] == "store_counter"
    got = api.get(f"/api/v1/live-codes/{code['code']}").json()
    assert got["joins"] == 7
    assert [(g["name"], g["member_count"]) for g in got["groups"]] == [
        ("福利群1", 3), ("福利群2", 3), ("福利群3", 1)]
    listing = api.get("/api/v1/live-codes").json()
    assert listing["total"] == 1 and listing["items"][0]["joins"] == 7


def test_bad_live_code_input_is_422(api):
    base = {"name": "x", "channel": "kol", "group_kind": "gift"}
    assert error(api.post("/api/v1/live-codes", json={**base, "channel": "KOL 达人"}), 422)[
        "field"] == "channel"
    assert error(api.post("/api/v1/live-codes", json={**base, "group_kind": "x"}), 422)[
        "field"] == "group_kind"
    assert error(api.post("/api/v1/live-codes", json={**base, "capacity": -1}), 422)[
        "field"] == "capacity"
    assert api.get("/api/v1/live-codes").json()["total"] == 0


def test_another_merchants_live_code_is_404_and_unchanged(api, other_api):
    code = live_code(api)
    err = error(other_api.post(f"/api/v1/live-codes/{code['code']}/join",
                               json={"member_id": member(other_api)}), 404)
    assert err["code"] == "live_code_not_found"
    error(other_api.get(f"/api/v1/live-codes/{code['code']}"), 404)
    assert other_api.get("/api/v1/live-codes").json()["total"] == 0
    assert api.get(f"/api/v1/live-codes/{code['code']}").json()["joins"] == 0


# ---- entry review -------------------------------------------------------------------


def test_rules_read_and_write(api):
    rules = api.get("/api/v1/entry-review/rules").json()
    assert rules["device"] == {"enabled": True, "max_joins": 3, "window_hours": 24,
                               "action": "hold"}
    r = api.put("/api/v1/entry-review/rules",
                json={"blacklist": {"phones": ["138 0013 8000"], "ips": ["6.6.6.6"]},
                      "ip": {"max_joins": 5, "window_hours": 2}})
    assert r.status_code == 200, r.text
    saved = api.get("/api/v1/entry-review/rules").json()
    assert saved["blacklist"]["ips"] == ["6.6.6.6"]
    assert len(saved["blacklist"]["phone_hashes"]) == 1 and "phones" not in saved["blacklist"]
    assert saved["ip"]["max_joins"] == 5


def test_bad_rules_are_422_naming_the_field(api):
    err = error(api.put("/api/v1/entry-review/rules",
                        json={"device": {"max_joins": 0, "window_hours": 1}}), 422)
    assert err["field"] == "device.max_joins"
    err = error(api.put("/api/v1/entry-review/rules", json={"blacklist": {"phones": ["123"]}}),
                422)
    assert err["field"] == "blacklist.phones"
    assert error(api.put("/api/v1/entry-review/rules", json={"surprise": 1}), 422)[
        "field"] == "surprise"
    assert api.get("/api/v1/entry-review/rules").json()["device"]["max_joins"] == 3


def test_held_join_is_202_then_approved_or_rejected(api, other_api):
    api.put("/api/v1/entry-review/rules", json={"blacklist": {"devices": ["farm"],
                                                              "action": "hold"}})
    g = group(api)
    held = api.post(f"/api/v1/groups/{g['id']}/join",
                    json={"member_id": member(api), "device": "farm"})
    assert held.status_code == 202 and held.json()["decision"] == "hold"
    request_id = held.json()["join_request_id"]
    pending = api.get("/api/v1/join-requests", params={"status": "pending"}).json()
    assert [i["id"] for i in pending["items"]] == [request_id]
    # Another merchant can neither see nor decide it.
    error(other_api.post(f"/api/v1/join-requests/{request_id}/approve"), 404)
    error(other_api.post(f"/api/v1/join-requests/{request_id}/reject"), 404)
    error(other_api.get(f"/api/v1/join-requests/{request_id}"), 404)
    assert other_api.get("/api/v1/join-requests").json()["total"] == 0
    assert api.get(f"/api/v1/join-requests/{request_id}").json()["status"] == "pending"
    r = api.post(f"/api/v1/join-requests/{request_id}/approve", json={"note": "已电话核实"})
    assert r.status_code == 200 and r.json()["member_count"] == 1
    assert error(api.post(f"/api/v1/join-requests/{request_id}/reject"), 409)[
        "code"] == "request_not_pending"
    second = api.post(f"/api/v1/groups/{g['id']}/join",
                      json={"member_id": member(api), "device": "farm"}).json()
    r = api.post(f"/api/v1/join-requests/{second['join_request_id']}/reject")
    assert r.status_code == 200 and r.json()["status"] == "rejected"
    assert api.get(f"/api/v1/groups/{g['id']}").json()["member_count"] == 1


def test_rejected_join_is_200_and_recorded(api):
    api.put("/api/v1/entry-review/rules", json={"blacklist": {"ips": ["6.6.6.6"]}})
    g = group(api)
    r = api.post(f"/api/v1/groups/{g['id']}/join", json={"member_id": member(api),
                                                          "ip": "6.6.6.6"})
    assert r.status_code == 200 and r.json()["decision"] == "reject"
    assert "黑名单" in r.json()["reasons"][0]["message"]
    rejected = api.get("/api/v1/join-requests", params={"decision": "reject"}).json()
    assert rejected["total"] == 1 and rejected["items"][0]["status"] == "rejected"
