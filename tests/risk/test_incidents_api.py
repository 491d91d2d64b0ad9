"""Incidents over HTTP: a bad reference is 404 naming its own field; a complaint is
graded by whole tokens and real exposure, not by digits inside an order number."""

import pytest


@pytest.mark.parametrize("field, label", [
    ("member_id", "会员"), ("group_id", "社群"), ("order_id", "订单")])
def test_an_unknown_reference_is_404_naming_its_field(api, field, label):
    r = api.post("/api/v1/risk/incidents", json={"title": "发货慢", field: 999999})
    assert r.status_code == 404, r.text
    error = r.json()["error"]
    assert (error["field"], error["message"]) == (field, f"{field}: {label} 999999 不存在")
    assert api.get("/api/v1/risk/incidents").json()["total"] == 0


def test_another_merchants_group_is_404_on_group_id(api, other_api):
    r = other_api.post("/api/v1/groups", json={"name": "别家的群", "kind": "gift"})
    assert r.status_code == 201, r.text
    r = api.post("/api/v1/risk/incidents", json={"title": "串门", "group_id": r.json()["id"]})
    assert r.status_code == 404 and r.json()["error"]["field"] == "group_id"


@pytest.mark.parametrize("title, tier, team", [
    ("订单 SY20260123150001 少发一袋", "ordinary", "cs"),
    ("快递员说坚果是在抖音上买的不管", "ordinary", "cs"),
    ("少发一袋, 再不补发就打 12315", "extreme", "legal"),
    ("少发一袋, 我要发抖音让大家评评理", "major", "brand"),
])
def test_complaints_are_graded_over_http(api, title, tier, team):
    r = api.post("/api/v1/risk/incidents", json={"title": title})
    assert r.status_code == 201, r.text
    assert (r.json()["tier"], r.json()["team"]) == (tier, team)
