"""The published claim rules say what a grab really does: a tiered (分享解锁) coupon is the
tier reached when claiming and is never upgraded afterwards; a blind box allows only so
many extra opens; and a tiered budget's unclaimable part shows as `refundable`."""

from __future__ import annotations

from siyu.core.money import fmt_yuan, parse_yuan
from siyu.hongbao import tasks
from tests.hongbao.test_api import create, grab
from tests.hot.backends import add_members


def share(api, envelope_id: int, member_id: int, to_member_id: int) -> dict:
    r = api.post(f"/api/v1/envelopes/{envelope_id}/shares",
                 json={"member_id": member_id, "to_member_id": to_member_id})
    assert r.status_code == 200, r.text
    return r.json()


def status(api, envelope_id: int) -> dict:
    return api.get(f"/api/v1/envelopes/{envelope_id}").json()


def test_tiered_rules_say_the_tier_is_fixed_when_claiming(hot_api):
    rules = create(hot_api, kind="tiered", count=2, amount=None)["rules"]
    assert rules["how_to_claim"] == (
        "先分享解锁档位, 再领取: 领取时按已达档位发券, 领取后不再升级; 每人限领一次")
    assert "到期退回" in rules["budget"]


def test_a_share_after_claiming_says_the_coupon_is_not_upgraded(hot_api):
    a, f1, f2 = add_members(hot_api, 3)
    eid = create(hot_api, kind="tiered", count=2, amount=None)["id"]
    claimed = grab(hot_api, eid, a).json()
    assert claimed["amount"] == "5.00" and "不会升级" in claimed["note"]
    out = share(hot_api, eid, a, f1)
    assert (out["shared_to"], out["tier"]["value"], out["claimed"]) == (1, "20.00", True)
    assert "不会升级" in out["note"]
    coupons = hot_api.get(f"/api/v1/members/{a}/coupons").json()["items"]
    assert [c["face_value"] for c in coupons] == ["5.00"]
    assert grab(hot_api, eid, a).json()["error"]["code"] == "already_grabbed"
    assert share(hot_api, eid, f2, a)["claimed"] is False


def test_a_share_before_claiming_raises_the_claim(hot_api):
    a, f1 = add_members(hot_api, 2)
    eid = create(hot_api, kind="tiered", count=2, amount=None)["id"]
    out = share(hot_api, eid, a, f1)
    assert out["claimed"] is False and "note" not in out
    assert grab(hot_api, eid, a).json()["amount"] == "20.00"


def test_blind_box_rules_state_the_extra_open_limit(hot_api):
    default = create(hot_api, kind="blind_box", amount="5.00", count=5)["rules"]
    assert "最多多开 1 次" in default["how_to_claim"]
    two = create(hot_api, kind="blind_box", amount="5.00", count=5, extra_opens=2)["rules"]
    assert "最多多开 2 次 (每人最多开 3 次)" in two["how_to_claim"]
    none = create(hot_api, kind="blind_box", amount="5.00", count=5, extra_opens=0)["rules"]
    assert none["how_to_claim"] == "打开盲盒即见金额; 每人限开一次"


def test_blind_box_with_two_extra_opens_allows_three_opens(hot_api):
    a, f1, f2, f3 = add_members(hot_api, 4)
    eid = create(hot_api, kind="blind_box", amount="5.00", count=5, extra_opens=2)["id"]
    for friend in (f1, f2, f3):
        share(hot_api, eid, a, friend)
    assert [grab(hot_api, eid, a).status_code for _ in range(4)] == [200, 200, 200, 409]


def test_an_empty_tiered_envelope_shows_what_goes_back_as_refundable(hot_api, hot_runtime,
                                                                    clock):
    a, b, friend = add_members(hot_api, 3)
    eid = create(hot_api, kind="tiered", count=2, amount=None, expires_in_hours=1)["id"]
    fresh = status(hot_api, eid)
    assert (fresh["remaining_amount"], fresh["refundable"]) == ("200.00", "0.00")
    grab(hot_api, eid, a)  # 5.00: one claim left, which may take the 100.00 top tier
    one_left = status(hot_api, eid)
    assert (one_left["remaining_amount"], one_left["refundable"]) == ("195.00", "95.00")
    share(hot_api, eid, b, friend)
    grab(hot_api, eid, b)  # 20.00
    empty = status(hot_api, eid)
    assert (empty["status"], empty["remaining_count"], empty["remaining_amount"],
            empty["refundable"]) == ("empty", 0, "175.00", "175.00")
    clock.advance(hours=1)
    with hot_runtime.sessions.begin() as s:
        refunded = tasks.refund_expired(s, hot_runtime.hot, now=clock.now(),
                                        merchant_id=hot_api.merchant_id)
    assert refunded == {eid: 17500}
    done = status(hot_api, eid)
    assert (done["status"], done["remaining_amount"], done["refundable"], done["refunded"]) == (
        "refunded", "0.00", "0.00", "175.00")


def test_a_lucky_envelope_has_nothing_refundable_until_it_expires(hot_api, clock):
    (a,) = add_members(hot_api, 1)
    eid = create(hot_api, amount="1.00", count=2, expires_in_hours=1)["id"]
    taken = grab(hot_api, eid, a).json()["amount"]
    assert status(hot_api, eid)["refundable"] == "0.00"
    clock.advance(hours=1)
    expired = status(hot_api, eid)
    left = fmt_yuan(100 - parse_yuan(taken))
    assert (expired["status"], expired["remaining_amount"], expired["refundable"]) == (
        "expired", left, left)
