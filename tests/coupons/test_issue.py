"""发券: issuing a template to members over the API and the service, on every backend."""

from __future__ import annotations

from collections import Counter

import pytest
from sqlalchemy import select

from siyu.coupons import issue as issuing
from siyu.coupons import service
from siyu.coupons.models import MemberCoupon
from siyu.coupons.schemas import TemplateIn
from tests.hot.backends import add_members, hammer, make_members, make_merchant

TEMPLATE = {"name": "老客回馈券", "face_value": "10.00", "total": 3, "per_member_limit": 1,
            "valid_days": 7}


def create(api, **over):
    r = api.post("/api/v1/coupon-templates", json=TEMPLATE | over)
    assert r.status_code == 201, r.text
    return r.json()


def issue(api, template_id, key=None, **body):
    headers = {"Idempotency-Key": key} if key else {}
    return api.post(f"/api/v1/coupon-templates/{template_id}/issue", json=body,
                    headers=headers)


def outcome(r):
    assert r.status_code == 200, r.text
    return [(i["member_id"], i["status"], i["reason"]) for i in r.json()["items"]]


def test_issue_reports_each_member_and_respects_stock_and_limits(hot_api):
    t = create(hot_api)
    a, b, c, d = add_members(hot_api, 4)
    assert hot_api.post(f"/api/v1/coupon-templates/{t['id']}/claim",
                        json={"member_id": a}).status_code == 200
    r = issue(hot_api, t["id"], "batch-1", member_ids=[a, b, 999_999, b, c, d])
    assert outcome(r) == [(a, "skipped", "已达上限"), (b, "issued", None),
                          (999_999, "skipped", "会员不存在"), (c, "issued", None),
                          (d, "skipped", "已抢光")]
    doc = r.json()
    assert (doc["requested"], doc["issued"], doc["skipped"]) == (5, 2, 3)
    assert [i["reason_code"] for i in doc["items"] if i["status"] == "skipped"] == [
        "limit_reached", "member_not_found", "sold_out"]
    coupons = hot_api.get(f"/api/v1/members/{b}/coupons").json()["items"]
    assert [(x["id"], x["code"], x["face_value"], x["template_id"]) for x in coupons] == [
        (doc["items"][1]["coupon_id"], doc["items"][1]["coupon_code"], "10.00", t["id"])]
    assert coupons[0]["valid_until"].startswith("2026-01-27")
    got = hot_api.get(f"/api/v1/coupon-templates/{t['id']}").json()
    assert (got["claimed"], got["remaining"]) == (3, 0)
    audit = hot_api.get("/api/v1/audit", params={"entity": "coupon_template",
                                                 "action": "issue"}).json()["items"]
    assert [(e["entity_id"], e["after"]["issued"]) for e in audit] == [(t["id"], 2)]


def test_a_retry_with_the_same_key_returns_the_first_answer(hot_api):
    t = create(hot_api, total=10)
    a, b = add_members(hot_api, 2)
    first = issue(hot_api, t["id"], "k-1", member_ids=[a, b])
    assert first.status_code == 200
    assert issue(hot_api, t["id"], "k-1", member_ids=[a, b]).json() == first.json()
    assert hot_api.get(f"/api/v1/coupon-templates/{t['id']}").json()["claimed"] == 2
    other = issue(hot_api, t["id"], "k-1", member_ids=[a])
    assert other.status_code == 409
    assert other.json()["error"] == {"code": "idempotency_key_reused",
                                     "field": "Idempotency-Key",
                                     "message": other.json()["error"]["message"]}
    # A new key is a new issue: both already hold their one coupon.
    assert outcome(issue(hot_api, t["id"], "k-2", member_ids=[a, b])) == [
        (a, "skipped", "已达上限"), (b, "skipped", "已达上限")]


@pytest.mark.parametrize("hot_runtime", ["sqlite"], indirect=True)
def test_issue_of_an_expired_template_is_410_and_bad_bodies_422(hot_api, clock):
    t = create(hot_api, valid_until="2026-01-21", valid_days=None)
    (a,) = add_members(hot_api, 1)
    for body, field in (({}, "member_ids"), ({"member_ids": []}, "member_ids"),
                        ({"member_ids": [0]}, "member_ids"),
                        ({"member_ids": [a], "segment_id": 1}, "member_ids"),
                        ({"member_ids": ["x"]}, "member_ids[0]")):
        r = issue(hot_api, t["id"], **body)
        assert r.status_code == 422 and r.json()["error"]["field"] == field, (body, r.text)
    clock.advance(days=2)
    r = issue(hot_api, t["id"], member_ids=[a])
    assert (r.status_code, r.json()["error"]["code"]) == (410, "coupon_expired")
    assert hot_api.get(f"/api/v1/coupon-templates/{t['id']}").json()["claimed"] == 0


@pytest.mark.parametrize("hot_runtime", ["sqlite", "postgresql"], indirect=True)
def test_issue_to_a_live_segment(hot_api, hot_other_api):
    t = create(hot_api, total=10)
    kol = [hot_api.post("/api/v1/members", json={"external_id": f"k{i}", "channel": "kol"})
           .json()["id"] for i in range(2)]
    add_members(hot_api, 1, "store")
    seg = hot_api.post("/api/v1/segments", json={"name": "达人渠道",
                                                 "rule": {"channel": "kol"}})
    assert seg.status_code == 201, seg.text
    r = issue(hot_api, t["id"], "seg-1", segment_id=seg.json()["id"])
    assert outcome(r) == [(m, "issued", None) for m in kol]
    assert r.json()["segment_id"] == seg.json()["id"]
    assert issue(hot_api, t["id"], "seg-1", segment_id=seg.json()["id"]).json() == r.json()
    theirs = create(hot_other_api)
    assert issue(hot_other_api, theirs["id"], segment_id=seg.json()["id"]).status_code == 404


def test_issues_and_claims_racing_never_over_issue(hot_runtime, now):
    runtime, hot = hot_runtime, hot_runtime.hot
    merchant = make_merchant(runtime)
    members = make_members(runtime, merchant, 60, now=now)
    with runtime.sessions.begin() as s:
        tid = service.create_template(s, hot, merchant, TemplateIn(
            name="发券压测", face_value="5.00", total=25, per_member_limit=1),
            now=now, actor="test").id
    batches = [members[i:i + 10] for i in range(0, 60, 10)]
    # An issue runs its own transactions (one per member): the hammer's session stays idle.
    calls = [(lambda _s, b=b, i=i: issuing.issue(runtime.sessions, hot, merchant, tid,
                                                 member_ids=b, key=f"batch-{i}", now=now,
                                                 actor="t").issued)
             for i, b in enumerate(batches)]
    calls += [(lambda s, m=m: service.claim(s, hot, merchant, tid, m, idem_key="c",
                                            now=now).id) for m in members[::2]]
    results = hammer(hot_runtime, calls, workers=16)
    assert not [r for r in results if isinstance(r, str) and r.startswith("crash")], results
    with runtime.sessions() as s:
        rows = list(s.scalars(select(MemberCoupon).where(MemberCoupon.template_id == tid)))
        state = hot.state(s, f"coupon:{tid}")
    assert len(rows) == 25 and state.remaining == 0
    assert max(Counter(r.member_id for r in rows).values()) == 1
