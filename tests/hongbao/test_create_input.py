"""What a new envelope or rain may not be: over the amount limit by its tiers, targeted at
duplicate, unknown or too few members, carrying fields of another kind, finished before
it starts, or given `true`/`"5"` for an integer. Each is 422 naming the field, with
square brackets for list indexes, and stores nothing."""

from __future__ import annotations

import pytest

from tests.hongbao.test_api import ENVELOPE, create
from tests.hot.backends import add_members

pytestmark = pytest.mark.parametrize("hot_runtime", ["sqlite"], indirect=True)  # input only

UNKNOWN = 987_654_321
TOP_20000 = [{"shares": 0, "value": "20000.00"}]


def refused(api, url: str, body: dict, field: str) -> dict:
    r = api.post(url, json=body)
    assert r.status_code == 422, r.text
    error = r.json()["error"]
    assert (error["code"], error["field"]) == ("invalid_input", field), error
    assert error["message"].startswith(f"{field}: ")
    assert api.get("/api/v1/audit", params={"entity": "envelope"}).json()["items"] == []
    return error


def refused_envelope(api, field: str, **over) -> dict:
    return refused(api, "/api/v1/envelopes", ENVELOPE | over, field)


# ---- tiered budgets count against the per-envelope amount limit ----


def test_a_tiered_budget_over_the_amount_limit_is_422_like_a_normal_one(hot_api):
    # no amount given: count × the top tier is the envelope's amount, over the limit
    error = refused_envelope(hot_api, "amount", kind="tiered", amount=None, count=3,
                             tiers=TOP_20000)
    assert error["message"].startswith("amount: 超过单个红包金额上限 20000.00 元")
    assert "3 个 × 最高档 20000.00 元 = 60000.00 元" in error["message"]


def test_a_tiered_amount_over_the_limit_is_422_naming_amount(hot_api):
    error = refused_envelope(hot_api, "amount", kind="tiered", amount="60000.00", count=3,
                             tiers=TOP_20000)
    assert error["message"] == "amount: 超过单个红包金额上限 20000.00 元"


def test_a_tiered_budget_at_the_limit_is_created(hot_api):
    assert create(hot_api, kind="tiered", amount=None, count=1, tiers=TOP_20000)[
        "amount"] == "20000.00"


def test_a_bad_tier_value_is_named_with_brackets(hot_api):
    refused_envelope(hot_api, "tiers[0].value", kind="tiered", amount=None,
                     tiers=[{"shares": 0, "value": "5.001"}])


# ---- targeted envelopes ----


def test_a_duplicate_target_is_422_naming_its_place(hot_api):
    (a,) = add_members(hot_api, 1)
    error = refused_envelope(hot_api, "targets[1]", kind="targeted", count=1,
                             targets=[a, a, a])
    assert str(a) in error["message"] and "重复" in error["message"]


def test_more_shares_than_targets_is_422_naming_count(hot_api):
    (a,) = add_members(hot_api, 1)
    refused_envelope(hot_api, "count", kind="targeted", count=3, targets=[a])


def test_an_unknown_target_is_422_naming_its_place(hot_api):
    (a,) = add_members(hot_api, 1)
    error = refused_envelope(hot_api, "targets[1]", kind="targeted", count=2,
                             targets=[a, UNKNOWN])
    assert str(UNKNOWN) in error["message"]


def test_a_member_of_another_merchant_is_an_unknown_target(hot_api, hot_other_api):
    (stranger,) = add_members(hot_other_api, 1, "b")
    refused_envelope(hot_api, "targets[0]", kind="targeted", count=1, targets=[stranger])


def test_fewer_shares_than_targets_is_fine(hot_api):
    a, b, c = add_members(hot_api, 3)
    env = create(hot_api, kind="targeted", count=2, amount="2.00", targets=[a, b, c])
    assert env["count"] == 2


# ---- fields of another kind ----


@pytest.mark.parametrize("over, field, says", [
    ({"targets": [1]}, "targets", "仅定向红包"),
    ({"kind": "tiered", "amount": None, "targets": [1]}, "targets", "仅定向红包"),
    ({"tiers": [{"shares": 0, "value": "5.00"}]}, "tiers", "仅分享解锁红包"),
    ({"kind": "blind_box", "tiers": [{"shares": 0, "value": "5.00"}]}, "tiers", "仅分享解锁红包"),
    ({"extra_opens": 2}, "extra_opens", "仅盲盒红包"),
    ({"extra_opens": 0}, "extra_opens", "仅盲盒红包"),
    ({"kind": "tiered", "amount": None, "extra_opens": 1}, "extra_opens", "仅盲盒红包"),
    ({"kind": "tiered", "amount": None, "seed": 7}, "seed", "分享解锁红包"),
])
def test_a_field_of_another_kind_is_422(hot_api, over, field, says):
    assert says in refused_envelope(hot_api, field, **over)["message"]


# ---- finished before it starts ----


def test_an_envelope_expired_at_creation_is_422_naming_starts_at(hot_api):
    refused_envelope(hot_api, "starts_at", starts_at="2020-01-01T10:00:00+08:00",
                     expires_in_hours=1)


def test_an_envelope_whose_hour_ended_just_now_is_422(hot_api):
    # NOW is 12:00 Beijing: 11:00 + 1 h expires exactly now
    refused_envelope(hot_api, "starts_at", starts_at="2026-01-20T11:00:00+08:00",
                     expires_in_hours=1)


def test_a_start_a_few_minutes_ago_is_fine(hot_api):
    env = create(hot_api, starts_at="2026-01-20T11:55:00+08:00", expires_in_hours=1)
    assert env["status"] == "active"


def wave(at: str, **over) -> dict:
    return {"at": at, "envelopes": 1, "amount": "1.00", "count": 2} | over


def test_a_rain_wave_already_over_is_422_naming_its_at(hot_api):
    refused(hot_api, "/api/v1/envelope-rains", {
        "name": "早场红包雨", "expires_in_hours": 2,
        "waves": [wave("2026-01-20T20:00:00+08:00"), wave("2026-01-20T09:00:00+08:00")]},
        "waves[1].at")


def test_a_rain_wave_still_running_is_fine(hot_api):
    r = hot_api.post("/api/v1/envelope-rains", json={
        "name": "午间红包雨", "expires_in_hours": 2, "waves": [wave("2026-01-20T11:00:00+08:00")]})
    assert r.status_code == 201, r.text
    assert r.json()["waves"][0]["envelopes"][0]["status"] == "active"


# ---- strict integers ----


@pytest.mark.parametrize("over, field", [
    ({"count": True}, "count"), ({"count": "5"}, "count"), ({"count": 5.0}, "count"),
    ({"expires_in_hours": "24"}, "expires_in_hours"), ({"seed": "7"}, "seed"),
    ({"seed": True}, "seed"),
    ({"kind": "targeted", "count": 1, "targets": ["1"]}, "targets[0]"),
    ({"kind": "targeted", "count": 1, "targets": [True]}, "targets[0]"),
    ({"kind": "blind_box", "extra_opens": True}, "extra_opens"),
    ({"kind": "tiered", "amount": None, "tiers": [{"shares": False, "value": "5.00"}]},
     "tiers[0].shares"),
])
def test_an_integer_field_refuses_booleans_and_strings(hot_api, over, field):
    refused_envelope(hot_api, field, **over)


def test_grab_and_share_refuse_a_member_id_that_is_not_an_integer(hot_api):
    env = create(hot_api, kind="blind_box", amount="1.00", count=2)
    a, b = add_members(hot_api, 2)
    url = f"/api/v1/envelopes/{env['id']}"
    for body, field in [({"member_id": True}, "member_id"), ({"member_id": str(a)}, "member_id")]:
        r = hot_api.post(f"{url}/grab", json=body)
        assert (r.status_code, r.json()["error"]["field"]) == (422, field)
    for body, field in [({"member_id": a, "to_member_id": True}, "to_member_id"),
                        ({"member_id": str(a), "to_member_id": b}, "member_id")]:
        r = hot_api.post(f"{url}/shares", json=body)
        assert (r.status_code, r.json()["error"]["field"]) == (422, field)
    assert hot_api.get(url).json()["remaining_count"] == 2


@pytest.mark.parametrize("over, field", [
    ({"envelopes": "2"}, "waves[0].envelopes"), ({"count": True}, "waves[0].count"),
])
def test_a_rain_wave_refuses_booleans_and_strings(hot_api, over, field):
    refused(hot_api, "/api/v1/envelope-rains", {
        "name": "除夕红包雨", "waves": [wave("2026-01-20T20:00:00+08:00", **over)]}, field)


def test_a_rain_refuses_a_string_for_its_hours(hot_api):
    refused(hot_api, "/api/v1/envelope-rains", {
        "name": "除夕红包雨", "expires_in_hours": "2",
        "waves": [wave("2026-01-20T20:00:00+08:00")]}, "expires_in_hours")
