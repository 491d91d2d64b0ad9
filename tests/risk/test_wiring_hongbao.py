"""The copy scanner on envelopes and envelope rains, over the HTTP API on every hot
backend: a greeting (or rain name) that blocks is 422 and nothing is stored; one that
needs a review is held `pending_review` (grab 409, share 409) until a legal user
approves it; rejected it is never grabbable and its amount goes back to the sender."""

from __future__ import annotations

from siyu.hongbao import tasks
from tests.hot.backends import add_members
from tests.risk.wiring_support import (
    BLOCKS,
    CLEAN,
    NEEDS_REVIEW,
    audit,
    blocked,
    decide,
    keyed,
    queue,
)

ENVELOPE = {"amount": "10.00", "count": 5, "mode": "equal", "expires_in_hours": 24}


def create(api, greeting):
    return api.post("/api/v1/envelopes", json=ENVELOPE | {"greeting": greeting})


def grab(api, envelope_id, member_id, key="k"):
    return api.post(f"/api/v1/envelopes/{envelope_id}/grab", json={"member_id": member_id},
                    headers={"Idempotency-Key": f"{key}-{member_id}"})


def status(api, envelope_id):
    return api.get(f"/api/v1/envelopes/{envelope_id}").json()


def code(r):
    return r.status_code, r.json()["error"]["code"]


def test_a_greeting_that_blocks_is_422_and_nothing_is_stored(hot_api):
    blocked(create(hot_api, f"新春{BLOCKS}红包, 快来抢"), "greeting")
    assert audit(hot_api, "envelope") == []
    assert queue(hot_api) == []
    r = create(hot_api, f"{CLEAN}快乐")
    assert r.status_code == 201 and r.json()["status"] == "active"


def test_a_held_envelope_is_not_grabbable_until_legal_approves(hot_api, hot_client,
                                                               hot_runtime):
    operator = keyed(hot_client, hot_runtime, hot_api, "operator")
    r = create(operator, f"{NEEDS_REVIEW} 领红包")
    assert r.status_code == 202, r.text
    env = r.json()
    assert env["status"] == "pending_review"
    a, b = add_members(hot_api, 2)
    # Grabbing (twice: nothing is remembered about a held envelope) and sharing refuse.
    for _ in range(2):
        assert code(grab(hot_api, env["id"], a)) == (409, "envelope_pending_review")
    r = hot_api.post(f"/api/v1/envelopes/{env['id']}/shares",
                     json={"member_id": a, "to_member_id": b})
    assert code(r) == (409, "envelope_pending_review")
    held = status(hot_api, env["id"])
    assert (held["status"], held["remaining_count"], held["grabs"]) == ("pending_review", 5, [])
    (review,) = queue(hot_api)
    assert (review["source"], review["source_id"], review["field"]) == (
        "envelope", env["id"], "greeting")
    assert review["findings"][0]["category"] == "contact"
    # The operator who sent it cannot approve; legal can.
    assert decide(operator, review["id"], approve=True).status_code == 403
    legal = keyed(hot_client, hot_runtime, hot_api, "legal")
    r = decide(legal, review["id"], approve=True, note="官方客服号")
    assert r.status_code == 200, r.text
    assert r.json()["result"] == {"envelopes": [env["id"]], "status": "active"}
    first = grab(hot_api, env["id"], a)
    assert first.status_code == 200, first.text
    assert first.json()["amount"] == "2.00"
    assert grab(hot_api, env["id"], a).json() == first.json()  # retried key
    after = status(hot_api, env["id"])
    assert (after["status"], after["remaining_count"]) == ("active", 4)
    actions = [(x["action"], x["after"]["status"]) for x in audit(hot_api, "envelope")]
    assert actions == [("approve", "active"), ("create", "pending_review")]
    (decision,) = audit(hot_api, "copy_review")
    assert (decision["after"]["status"], decision["after"]["envelopes"]) == (
        "approved", [env["id"]])


def test_a_rejected_envelope_is_never_grabbable_and_is_refunded(hot_api, hot_client,
                                                              hot_runtime, now):
    env = create(hot_api, "详询 13812345678 抢红包").json()
    (a,) = add_members(hot_api, 1)
    legal = keyed(hot_client, hot_runtime, hot_api, "legal")
    (review,) = queue(legal)
    r = decide(legal, review["id"], approve=False, note="不得留私人电话")
    assert r.status_code == 200 and r.json()["status"] == "rejected"
    assert code(grab(hot_api, env["id"], a)) == (410, "envelope_rejected")
    assert decide(legal, review["id"], approve=True).status_code == 409  # decided once
    assert code(grab(hot_api, env["id"], a)) == (410, "envelope_rejected")
    # It expired at the rejection: the expiry job gives the whole amount back.
    with hot_runtime.sessions.begin() as s:
        refunded = tasks.refund_expired(s, hot_runtime.hot, now=now,
                                        merchant_id=hot_api.merchant_id)
    assert refunded == {env["id"]: 1000}
    later = status(hot_api, env["id"])
    assert (later["status"], later["refunded"], later["grabs"]) == ("rejected", "10.00", [])


def test_a_rain_is_scanned_once_and_held_under_one_review(hot_api, hot_client, hot_runtime,
                                                         clock):
    wave_at = "2026-01-20T20:00:00+08:00"
    rain = {"name": "年货红包雨", "greeting": "红包雨来啦", "expires_in_hours": 2,
            "waves": [{"at": wave_at, "envelopes": 2, "amount": "1.00", "count": 2}]}
    blocked(hot_api.post("/api/v1/envelope-rains", json=rain | {"name": f"{BLOCKS}红包雨"}),
            "name")
    blocked(hot_api.post("/api/v1/envelope-rains", json=rain | {"greeting": BLOCKS}),
            "greeting")
    assert audit(hot_api, "envelope") == [] and queue(hot_api) == []
    r = hot_api.post("/api/v1/envelope-rains", json=rain | {"greeting": NEEDS_REVIEW})
    assert r.status_code == 202, r.text
    held = r.json()
    ids = [e["id"] for w in held["waves"] for e in w["envelopes"]]
    assert held["status"] == "pending_review" and len(ids) == 2
    assert {e["status"] for w in held["waves"] for e in w["envelopes"]} == {"pending_review"}
    (review,) = queue(hot_api)
    assert (review["source"], review["source_id"]) == ("envelope_rain", held["id"])
    clock.advance(hours=8)  # the wave opens; still held
    (a,) = add_members(hot_api, 1)
    assert all(code(grab(hot_api, i, a)) == (409, "envelope_pending_review") for i in ids)
    legal = keyed(hot_client, hot_runtime, hot_api, "legal")
    r = decide(legal, review["id"], approve=True)
    assert r.status_code == 200 and sorted(r.json()["result"]["envelopes"]) == sorted(ids)
    assert all(grab(hot_api, i, a).status_code == 200 for i in ids)
    assert hot_api.get(f"/api/v1/envelope-rains/{held['id']}").json()["status"] == "active"


def test_a_rejected_rain_rejects_every_envelope(hot_api, hot_client, hot_runtime):
    rain = {"name": f"{NEEDS_REVIEW}红包雨", "waves": [
        {"at": "2026-01-20T12:00:00+08:00", "envelopes": 3, "amount": "1.00", "count": 1}]}
    held = hot_api.post("/api/v1/envelope-rains", json=rain).json()
    legal = keyed(hot_client, hot_runtime, hot_api, "legal")
    (review,) = queue(legal)
    assert review["field"] == "name"
    assert decide(legal, review["id"], approve=False).status_code == 200
    (a,) = add_members(hot_api, 1)
    ids = [e["id"] for w in held["waves"] for e in w["envelopes"]]
    assert [code(grab(hot_api, i, a)) for i in ids] == [(410, "envelope_rejected")] * 3
    got = hot_api.get(f"/api/v1/envelope-rains/{held['id']}").json()
    assert got["status"] == "rejected"


def test_the_merchants_own_words_apply_to_greetings(hot_api, hot_client, hot_runtime):
    legal = keyed(hot_client, hot_runtime, hot_api, "legal")
    rules = legal.get("/api/v1/risk/rules").json()
    rules["copy_words"] = [{"word": "秒空", "level": "block", "suggestion": "热卖"}]
    assert legal.put("/api/v1/risk/rules", json=rules).status_code == 200
    blocked(create(hot_api, "红包秒空, 手慢无"), "greeting")
    other = hot_api.post("/api/v1/envelopes", json=ENVELOPE | {"greeting": "恭喜发财"})
    assert other.status_code == 201


def test_an_envelope_approved_after_its_start_gets_its_whole_window(hot_api, hot_client,
                                                                    hot_runtime, clock):
    held = create(hot_api, f"{NEEDS_REVIEW} 领红包").json()
    before = status(hot_api, held["id"])
    clock.advance(hours=3)  # legal takes three hours
    (review,) = queue(hot_api)
    decide(keyed(hot_client, hot_runtime, hot_api, "legal"), review["id"], approve=True)
    after = status(hot_api, held["id"])
    rules = hot_api.get(f"/api/v1/envelopes/{held['id']}/rules").json()
    assert after["starts_at"] == "2026-01-20T15:00:00+08:00"  # opened at the approval
    assert after["expires_at"] == "2026-01-21T15:00:00+08:00"  # still 24 hours
    assert before["expires_at"] == "2026-01-21T12:00:00+08:00"
    assert (rules["starts_at"], rules["expires_at"]) == (after["starts_at"], after["expires_at"])
    (a,) = add_members(hot_api, 1)
    assert grab(hot_api, held["id"], a).status_code == 200
