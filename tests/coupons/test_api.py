"""Limited coupons through the HTTP API, on every backend."""

from __future__ import annotations

import pytest

from tests.hot.backends import add_members

TEMPLATE = {"name": "满99减20", "face_value": "20.00", "min_spend": "99.00", "total": 3,
            "per_member_limit": 2, "valid_days": 7}


def create(api, **over):
    r = api.post("/api/v1/coupon-templates", json=TEMPLATE | over)
    assert r.status_code == 201, r.text
    return r.json()


def claim(api, template_id, member_id, key=None):
    headers = {"Idempotency-Key": key} if key else {}
    return api.post(f"/api/v1/coupon-templates/{template_id}/claim",
                    json={"member_id": member_id}, headers=headers)


def test_claims_respect_stock_and_the_per_member_limit(hot_api):
    t = create(hot_api)
    a, b = add_members(hot_api, 2)
    assert [claim(hot_api, t["id"], a).status_code for _ in range(3)] == [200, 200, 409]
    assert claim(hot_api, t["id"], a).json()["error"]["code"] == "limit_reached"
    first_b = claim(hot_api, t["id"], b, "kb")
    assert first_b.status_code == 200
    sold_out = claim(hot_api, t["id"], b, "kb2")
    assert sold_out.status_code == 410 and sold_out.json()["error"]["code"] == "sold_out"
    assert claim(hot_api, t["id"], b, "kb").json() == first_b.json()  # retry: same coupon
    got = hot_api.get(f"/api/v1/coupon-templates/{t['id']}").json()
    assert (got["claimed"], got["remaining"]) == (3, 0)
    mine = hot_api.get(f"/api/v1/members/{a}/coupons").json()
    assert mine["total"] == 2
    coupon = mine["items"][0]
    assert (coupon["face_value"], coupon["min_spend"], coupon["status"]) == (
        "20.00", "99.00", "unused")
    assert coupon["valid_until"].startswith("2026-01-27")


def test_claim_window_and_expiry(hot_api, clock):
    t = create(hot_api, claim_starts_at="2026-01-20T13:00:00+08:00", valid_days=1)
    (m,) = add_members(hot_api, 1)
    early = claim(hot_api, t["id"], m)
    assert early.status_code == 409 and early.json()["error"]["code"] == "not_active"
    clock.advance(hours=1)
    assert claim(hot_api, t["id"], m).status_code == 200
    clock.advance(days=2)
    coupons = hot_api.get(f"/api/v1/members/{m}/coupons").json()["items"]
    assert [c["status"] for c in coupons] == ["expired"]
    assert hot_api.get(f"/api/v1/members/{m}/coupons?status=unused").json()["total"] == 0


@pytest.mark.parametrize("hot_runtime", ["sqlite"], indirect=True)  # input only
@pytest.mark.parametrize("body, field", [
    ({"face_value": "0"}, "face_value"), ({"face_value": "120.00"}, "face_value"),
    ({"total": 0}, "total"), ({"per_member_limit": 0}, "per_member_limit"),
    ({"face_value": "1.234"}, "face_value"), ({"name": ""}, "name"),
])
def test_bad_templates_are_422_naming_the_field(hot_api, body, field):
    r = hot_api.post("/api/v1/coupon-templates", json=TEMPLATE | body)
    assert r.status_code == 422 and r.json()["error"]["field"] == field, r.text


def test_another_merchant_sees_nothing(hot_api, hot_other_api):
    t = create(hot_api, name="甲的券")
    (a,) = add_members(hot_api, 1)
    (b,) = add_members(hot_other_api, 1, "b")
    claim(hot_api, t["id"], a)
    assert hot_other_api.get(f"/api/v1/coupon-templates/{t['id']}").status_code == 404
    assert claim(hot_other_api, t["id"], b).status_code == 404
    assert hot_other_api.get(f"/api/v1/members/{a}/coupons").status_code == 404
    assert claim(hot_api, t["id"], b).status_code == 404
    assert hot_api.get(f"/api/v1/coupon-templates/{t['id']}").json()["claimed"] == 1


@pytest.mark.parametrize("hot_runtime", ["sqlite"], indirect=True)  # input only
@pytest.mark.parametrize("body, field", [
    ({"valid_until": "2026-01-19T00:00:00+08:00"}, "valid_until"),
    ({"valid_until": "2026-01-20T12:00:00+08:00"}, "valid_until"),  # exactly now
    ({"claim_ends_at": "2026-01-20T11:00:00+08:00"}, "claim_ends_at"),
    ({"claim_starts_at": "2026-01-25", "valid_until": "2026-01-24"}, "valid_until"),
])
def test_a_template_already_over_is_422_and_stores_nothing(hot_api, body, field):
    r = hot_api.post("/api/v1/coupon-templates", json=TEMPLATE | body)
    assert r.status_code == 422 and r.json()["error"]["field"] == field, r.text
    assert hot_api.get("/api/v1/coupon-templates").json()["total"] == 0


def test_a_claim_after_the_validity_is_410_and_takes_nothing(hot_api, clock):
    t = create(hot_api, valid_until="2026-01-20T13:00:00+08:00", valid_days=None)
    (m,) = add_members(hot_api, 1)
    first = claim(hot_api, t["id"], m, "k1")
    assert first.status_code == 200
    clock.advance(hours=2)
    late = claim(hot_api, t["id"], m, "k2")
    assert late.status_code == 410, late.text
    error = late.json()["error"]
    assert error["code"] == "coupon_expired" and "有效期" in error["message"]
    assert "2026-01-20 13:00" in error["message"]  # Beijing time
    retry = claim(hot_api, t["id"], m, "k1").json()  # a retry: the same coupon, expired now
    assert (retry["id"], retry["code"], retry["status"]) == (
        first.json()["id"], first.json()["code"], "expired")
    got = hot_api.get(f"/api/v1/coupon-templates/{t['id']}").json()
    assert (got["claimed"], got["remaining"]) == (1, 2)
    assert hot_api.get(f"/api/v1/members/{m}/coupons").json()["total"] == 1


def test_a_claim_after_the_claim_window_is_410_and_keeps_the_limit(hot_api, clock):
    t = create(hot_api, claim_ends_at="2026-01-20T13:00:00+08:00")
    (m,) = add_members(hot_api, 1)
    clock.advance(hours=1)
    late = claim(hot_api, t["id"], m)
    assert late.status_code == 410, late.text
    assert late.json()["error"]["code"] == "claim_ended"
    assert "领取已结束" in late.json()["error"]["message"]
    got = hot_api.get(f"/api/v1/coupon-templates/{t['id']}").json()
    assert (got["claimed"], got["remaining"]) == (0, 3)
    assert hot_api.get(f"/api/v1/members/{m}/coupons").json()["total"] == 0


def test_another_merchant_cannot_reach_the_new_template_routes(hot_api, hot_other_api):
    t = create(hot_api, name="甲的券")
    (a,) = add_members(hot_api, 1)
    (b,) = add_members(hot_other_api, 1, "b")
    base = f"/api/v1/coupon-templates/{t['id']}"
    for verb in ("disable", "enable", "approve", "reject"):
        assert hot_other_api.post(f"{base}/{verb}").status_code == 404, verb
    assert hot_other_api.post(f"{base}/issue", json={"member_ids": [b]}).status_code == 404
    assert hot_other_api.get("/api/v1/coupon-templates").json()["total"] == 0
    # A's issue to B's member: that member does not exist for A.
    r = hot_api.post(f"{base}/issue", json={"member_ids": [a, b]})
    assert r.status_code == 200, r.text
    assert [(i["member_id"], i["status"], i["reason"]) for i in r.json()["items"]] == [
        (a, "issued", None), (b, "skipped", "会员不存在")]
    got = hot_api.get(base).json()
    assert (got["status"], got["claimed"]) == ("active", 1)
    assert hot_other_api.get(f"/api/v1/members/{b}/coupons").json()["total"] == 0
