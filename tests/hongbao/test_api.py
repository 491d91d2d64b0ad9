"""Envelopes through the HTTP API (contract 9) on SQLite, PostgreSQL and PostgreSQL+Redis."""

from __future__ import annotations

import hashlib

import pytest

from tests.hot.backends import add_members

ENVELOPE = {"amount": "100.00", "count": 10, "mode": "lucky", "greeting": "新年快乐",
            "expires_in_hours": 24}


def create(api, **over):
    r = api.post("/api/v1/envelopes", json=ENVELOPE | over)
    assert r.status_code == 201, r.text
    return r.json()


def grab(api, envelope_id, member_id, key=None):
    headers = {"Idempotency-Key": key} if key else {}
    return api.post(f"/api/v1/envelopes/{envelope_id}/grab", json={"member_id": member_id},
                    headers=headers)


def test_create_answers_201_with_id_and_published_rules(hot_api):
    body = create(hot_api, seed=7)
    assert body["id"] and body["status"] == "active" and body["amount"] == "100.00"
    rules = body["rules"]
    assert rules["total"] == "100.00" and rules["count"] == 10 and "seed" not in rules
    assert rules["seed_sha256"] == hashlib.sha256(b"7").hexdigest()
    assert rules["how_to_claim"] and rules["expires_at"].endswith("+08:00")
    lo, hi = rules["value_range"]
    assert "0.01" <= lo <= hi
    assert hot_api.get(f"/api/v1/envelopes/{body['id']}/rules").json() == rules


def test_grab_until_empty_then_410_and_the_books_add_up(hot_api):
    env = create(hot_api, count=3, amount="1.00")
    members = add_members(hot_api, 4)
    answers = [grab(hot_api, env["id"], m, f"k{m}") for m in members]
    assert [r.status_code for r in answers] == [200, 200, 200, 410]
    assert answers[3].json()["error"]["code"] == "envelope_empty"
    amounts = [r.json()["amount"] for r in answers[:3]]
    assert sum(int(a.replace(".", "")) for a in amounts) == 100
    assert all(set(r.json()) == {"amount", "grab_id"} for r in answers[:3])
    status = hot_api.get(f"/api/v1/envelopes/{env['id']}").json()
    assert (status["amount"], status["count"], status["remaining_amount"],
            status["remaining_count"], status["status"]) == ("1.00", 3, "0.00", 0, "empty")
    assert [(g["member_id"], g["amount"]) for g in status["grabs"]] == list(
        zip(members[:3], amounts, strict=True))
    assert all(g["at"] for g in status["grabs"])


def test_the_same_member_again_is_409_and_a_retried_key_the_first_answer(hot_api):
    env = create(hot_api)
    (m,) = add_members(hot_api, 1)
    first = grab(hot_api, env["id"], m, "key-1")
    assert first.status_code == 200
    again = grab(hot_api, env["id"], m, "key-2")
    assert again.status_code == 409 and again.json()["error"]["code"] == "already_grabbed"
    retry = grab(hot_api, env["id"], m, "key-1")
    assert retry.status_code == 200 and retry.json() == first.json()
    assert hot_api.get(f"/api/v1/envelopes/{env['id']}").json()["remaining_count"] == 9


def test_expired_envelope_is_410_but_a_retry_still_gets_its_answer(hot_api, clock):
    env = create(hot_api, expires_in_hours=1)
    a, b = add_members(hot_api, 2)
    first = grab(hot_api, env["id"], a, "early")
    clock.advance(hours=1)
    late = grab(hot_api, env["id"], b, "late")
    assert late.status_code == 410 and late.json()["error"]["code"] == "envelope_expired"
    assert grab(hot_api, env["id"], a, "early").json() == first.json()
    assert hot_api.get(f"/api/v1/envelopes/{env['id']}").json()["status"] == "expired"


def test_a_member_of_another_merchant_cannot_grab(hot_api, hot_other_api):
    env = create(hot_api)
    (stranger,) = add_members(hot_other_api, 1, "b")
    r = grab(hot_api, env["id"], stranger)
    assert r.status_code == 404


def test_another_merchants_envelope_is_404_everywhere(hot_api, hot_other_api):
    env = create(hot_api, greeting="甲的红包")
    (b_member,) = add_members(hot_other_api, 1, "b")
    eid = env["id"]
    for method, url, body in [
        ("GET", f"/api/v1/envelopes/{eid}", None),
        ("GET", f"/api/v1/envelopes/{eid}/rules", None),
        ("POST", f"/api/v1/envelopes/{eid}/grab", {"member_id": b_member}),
        ("POST", f"/api/v1/envelopes/{eid}/shares", {"member_id": b_member,
                                                     "to_member_id": b_member}),
    ]:
        r = hot_other_api.request(method, url, json=body)
        assert r.status_code == 404, (url, r.text)
        assert "甲" not in r.text
    assert hot_api.get(f"/api/v1/envelopes/{eid}").json()["remaining_count"] == 10


def test_another_merchants_rain_is_404(hot_api, hot_other_api):
    r = hot_api.post("/api/v1/envelope-rains", json={
        "name": "甲的红包雨", "waves": [
            {"at": "2026-01-20T20:00:00+08:00", "envelopes": 1, "amount": "10.00", "count": 5}]})
    assert r.status_code == 201, r.text
    other = hot_other_api.get(f"/api/v1/envelope-rains/{r.json()['id']}")
    assert other.status_code == 404 and "甲" not in other.text


@pytest.mark.parametrize("hot_runtime", ["sqlite"], indirect=True)  # input only
@pytest.mark.parametrize("body, field", [
    ({"amount": "1.005"}, "amount"), ({"amount": "0"}, "amount"), ({"count": 0}, "count"),
    ({"amount": "0.09", "count": 10}, "amount"), ({"amount": "20000.01"}, "amount"),
    ({"amount": "100.00", "count": 501}, "count"), ({"mode": "random"}, "mode"),
    ({"amount": 1.5}, "amount"), ({"kind": "targeted"}, "targets"),
])
def test_bad_envelopes_are_422_naming_the_field(hot_api, body, field):
    r = hot_api.post("/api/v1/envelopes", json=ENVELOPE | body)
    assert r.status_code == 422, r.text
    assert r.json()["error"]["field"] == field


def test_merchant_rules_raise_the_limits_but_never_the_legal_cap(hot_api, hot_runtime):
    from siyu.merchants.service import set_setting

    with hot_runtime.sessions.begin() as s:
        set_setting(s, hot_api.merchant_id, "hongbao",
                    {"max_amount": "200000.00", "max_count": 1000})
    assert hot_api.post("/api/v1/envelopes", json=ENVELOPE | {
        "amount": "30000.00", "count": 1000}).status_code == 201
    r = hot_api.post("/api/v1/envelopes", json=ENVELOPE | {
        "amount": "60000.00", "count": 1, "mode": "equal"})
    assert r.status_code == 422 and "50000.00" in r.json()["error"]["message"]


def test_equal_envelope_shares_differ_by_a_fen_at_most(hot_api):
    env = create(hot_api, amount="1.00", count=3, mode="equal")
    got = sorted(grab(hot_api, env["id"], m).json()["amount"] for m in add_members(hot_api, 3))
    assert got == ["0.33", "0.33", "0.34"]


def test_targeted_envelope_only_for_named_members(hot_api):
    a, b, c = add_members(hot_api, 3)
    env = create(hot_api, kind="targeted", targets=[a, b], count=2, amount="10.00")
    assert grab(hot_api, env["id"], a).status_code == 200
    r = grab(hot_api, env["id"], c)
    assert r.status_code == 403 and r.json()["error"]["code"] == "not_targeted"
    assert grab(hot_api, env["id"], b).status_code == 200


def test_tiered_envelope_unlocks_higher_coupons_by_sharing(hot_api):
    a, b, f1, f2, f3 = add_members(hot_api, 5)
    env = create(hot_api, kind="tiered", count=10, amount=None)
    assert env["amount"] == "1000.00"  # 10 claims × the 100.00 top tier
    eid = env["id"]
    share = hot_api.post(f"/api/v1/envelopes/{eid}/shares", json={"member_id": a,
                                                                  "to_member_id": f1})
    assert share.json() == {"shared_to": 1, "tier": {"shares": 1, "value": "20.00"},
                            "next_tier": {"shares": 3, "value": "100.00"}, "claimed": False}
    for friend in (f1, f2, f3):  # sharing to the same friend twice counts once
        hot_api.post(f"/api/v1/envelopes/{eid}/shares", json={"member_id": a,
                                                              "to_member_id": friend})
    got_a = grab(hot_api, eid, a).json()
    got_b = grab(hot_api, eid, b).json()
    assert (got_a["amount"], got_a["tier"]["value"], "next_tier" in got_a) == (
        "100.00", "100.00", False)
    assert (got_b["amount"], got_b["next_tier"]["value"]) == ("5.00", "20.00")
    coupons = hot_api.get(f"/api/v1/members/{a}/coupons").json()["items"]
    assert [(c["id"], c["face_value"]) for c in coupons] == [(got_a["coupon_id"], "100.00")]
    status = hot_api.get(f"/api/v1/envelopes/{eid}").json()
    assert status["remaining_amount"] == "895.00" and status["remaining_count"] == 8


def test_blind_box_sharing_earns_one_more_open(hot_api):
    a, friend, other = add_members(hot_api, 3)
    env = create(hot_api, kind="blind_box", count=5, amount="5.00")
    eid = env["id"]
    assert grab(hot_api, eid, a).status_code == 200
    assert grab(hot_api, eid, a).json()["error"]["code"] == "already_grabbed"
    out = hot_api.post(f"/api/v1/envelopes/{eid}/shares",
                       json={"member_id": a, "to_member_id": friend}).json()
    assert out == {"shared_to": 1, "opens_allowed": 2}
    assert grab(hot_api, eid, a).status_code == 200
    hot_api.post(f"/api/v1/envelopes/{eid}/shares", json={"member_id": a, "to_member_id": other})
    assert grab(hot_api, eid, a).status_code == 409  # one extra open at most (default)
    assert "value_range" in hot_api.get(f"/api/v1/envelopes/{eid}/rules").json()


def test_rain_waves_open_at_their_time(hot_api, clock):
    (m,) = add_members(hot_api, 1)
    r = hot_api.post("/api/v1/envelope-rains", json={
        "name": "除夕红包雨", "waves": [
            {"at": "2026-01-20T20:00:00+08:00", "envelopes": 3, "amount": "10.00", "count": 5},
            {"at": "2026-01-20T21:00:00+08:00", "envelopes": 2, "amount": "20.00", "count": 5,
             "mode": "equal"}]})
    assert r.status_code == 201, r.text
    rain = r.json()
    assert [len(w["envelopes"]) for w in rain["waves"]] == [3, 2]
    assert rain["rules"]["total"] == "70.00" and rain["rules"]["count"] == 25
    first = rain["waves"][0]["envelopes"][0]["id"]
    early = grab(hot_api, first, m)
    assert early.status_code == 409 and early.json()["error"]["code"] == "envelope_not_started"
    clock.advance(hours=8)  # 20:00 Beijing
    assert grab(hot_api, first, m).status_code == 200
    later = hot_api.get(f"/api/v1/envelope-rains/{rain['id']}").json()
    assert later["waves"][1]["envelopes"][0]["status"] == "not_started"
    assert later["waves"][0]["envelopes"][0]["remaining_count"] == 4


@pytest.mark.parametrize("hot_runtime", ["sqlite"], indirect=True)  # input only
def test_a_bad_wave_is_named_by_its_place_in_the_request(hot_api):
    # the later wave is given first: its error still names waves[0], and nothing is kept
    r = hot_api.post("/api/v1/envelope-rains", json={
        "name": "除夕红包雨", "waves": [
            {"at": "2026-01-20T21:00:00+08:00", "envelopes": 2, "amount": "0.05", "count": 10},
            {"at": "2026-01-20T20:00:00+08:00", "envelopes": 3, "amount": "10.00", "count": 5}]})
    assert r.status_code == 422, r.text
    assert r.json()["error"]["field"].startswith("waves[0].")
    assert r.json()["error"]["message"].startswith("waves[0].")
    assert hot_api.get("/api/v1/audit", params={"entity": "envelope"}).json()["items"] == []


@pytest.mark.parametrize("hot_runtime", ["sqlite"], indirect=True)  # input only
def test_greeting_passes_the_copy_scanner(hot_api):
    pytest.importorskip("siyu.risk.service")
    r = hot_api.post("/api/v1/envelopes", json=ENVELOPE | {"greeting": "全网最低价, 国家级品质"})
    assert r.status_code == 422 and r.json()["error"]["field"] == "greeting"


def test_rain_waves_can_last_minutes(hot_api, clock):
    (m,) = add_members(hot_api, 1)
    r = hot_api.post("/api/v1/envelope-rains", json={
        "name": "整点红包雨", "wave_minutes": 5, "waves": [
            {"at": "2026-01-20T12:00:00+08:00", "envelopes": 1, "amount": "5.00", "count": 5}]})
    assert r.status_code == 201, r.text
    envelope = r.json()["waves"][0]["envelopes"][0]["id"]
    status = hot_api.get(f"/api/v1/envelopes/{envelope}").json()
    assert status["expires_at"] == "2026-01-20T12:05:00+08:00"
    clock.advance(minutes=6)
    late = grab(hot_api, envelope, m)
    assert (late.status_code, late.json()["error"]["code"]) == (410, "envelope_expired")
    both = hot_api.post("/api/v1/envelope-rains", json={
        "name": "x", "wave_minutes": 5, "expires_in_hours": 1, "waves": [
            {"at": "2026-01-20T13:00:00+08:00", "envelopes": 1, "amount": "5.00", "count": 5}]})
    assert both.status_code == 422 and both.json()["error"]["field"] == "wave_minutes"
    body = {k: v for k, v in ENVELOPE.items() if k != "expires_in_hours"}
    short = hot_api.post("/api/v1/envelopes", json=body | {"expires_in_minutes": 30})
    assert short.status_code == 201, short.text
    assert short.json()["expires_at"] == "2026-01-20T12:36:00+08:00"
