"""Members through the HTTP API, including tenant crossing and bad input."""

import pytest


def create(api, **body):
    data = {"external_id": "u1", "nickname": "李娜", "phone": "13987654321"} | body
    return api.post("/api/v1/members", json=data)


def test_create_is_201_then_200_same_member(api):
    r1 = create(api)
    assert r1.status_code == 201, r1.text
    r2 = create(api, nickname="李娜娜")
    assert r2.status_code == 200 and r2.json()["id"] == r1.json()["id"]


def test_get_shows_masked_phone_and_contract_fields(api):
    mid = create(api, tags=["送礼"]).json()["id"]
    body = api.get(f"/api/v1/members/{mid}").json()
    for key in ("id", "external_id", "nickname", "phone", "tags", "tier", "points",
                "lifecycle", "registered_at"):
        assert key in body
    assert body["phone"] == "139****4321" and body["tags"] == ["送礼"]


@pytest.mark.parametrize("body,field", [
    ({"external_id": ""}, "external_id"),
    ({"external_id": "x", "phone": "12345"}, "phone"),
    ({"external_id": "x", "registered_at": "yesterday"}, "registered_at"),
    ({"external_id": "x", "tier": "V9"}, "tier"),
    ({"external_id": "x", "unknown": 1}, "unknown"),
])
def test_bad_input_is_422_naming_field_and_changes_nothing(api, body, field):
    r = api.post("/api/v1/members", json=body)
    assert r.status_code == 422
    err = r.json()["error"]
    assert err["code"] == "invalid_input" and err["field"] == field
    assert api.get("/api/v1/members").json()["total"] == 0


def test_no_key_is_401_and_bad_key_is_401(client):
    assert client.get("/api/v1/members").status_code == 401
    r = client.get("/api/v1/members", headers={"Authorization": "Bearer sk_nope"})
    assert r.status_code == 401 and r.json()["error"]["field"] == "Authorization"


def test_other_merchant_cannot_read_tag_or_erase(api, other_api):
    mid = create(api).json()["id"]
    assert other_api.get(f"/api/v1/members/{mid}").status_code == 404
    assert other_api.post(f"/api/v1/members/{mid}/tags", json={"tags": ["x"]}).status_code == 404
    assert other_api.delete(f"/api/v1/members/{mid}/tags/x").status_code == 404
    assert other_api.delete(f"/api/v1/members/{mid}").status_code == 404
    assert other_api.get("/api/v1/members").json()["total"] == 0
    assert api.get(f"/api/v1/members/{mid}").json()["nickname"] == "李娜"


def test_analyst_cannot_write(client, runtime):
    from tests.conftest import Api, new_merchant

    merchant_id, key = new_merchant(runtime, "只读", role="analyst")
    analyst = Api(client, merchant_id, key)
    r = analyst.post("/api/v1/members", json={"external_id": "a"})
    assert r.status_code == 403 and r.json()["error"]["code"] == "forbidden"


def test_delete_erases_personal_data(api):
    mid = create(api).json()["id"]
    assert api.delete(f"/api/v1/members/{mid}").status_code == 200
    body = api.get(f"/api/v1/members/{mid}").json()
    assert body["nickname"] is None and body["phone"] is None and body["erased"] is True
    audit = api.get("/api/v1/audit", params={"entity": "member", "entity_id": mid}).json()
    assert all("13987654321" not in str(e) and "李娜" not in str(e) for e in audit["items"])


def test_tag_changes_are_audited_with_who_before_and_after(api):
    m = api.post("/api/v1/members", json={"external_id": "tag-audit"}).json()["id"]
    api.post(f"/api/v1/members/{m}/tags", json={"tags": ["VIP"]})
    api.post(f"/api/v1/members/{m}/tags", json={"tags": ["VIP"]})  # no change: no entry
    api.delete(f"/api/v1/members/{m}/tags/VIP")
    entries = [e for e in api.get("/api/v1/audit", params={"entity": "member"}).json()["items"]
               if e["entity_id"] == m and e["action"] in ("tag", "untag")]
    assert [(e["action"], e["before"], e["after"]) for e in reversed(entries)] == [
        ("tag", {"tags": []}, {"tags": ["VIP"]}), ("untag", {"tags": ["VIP"]}, {"tags": []})]
    assert all(e["actor"] for e in entries)
