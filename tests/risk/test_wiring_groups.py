"""Group names and rules needing the legal copy review: the group is created
`pending_review` (202) and nobody joins it — directly or through the live code whose
first pool group it is — until legal approves; rejection keeps it closed."""

from __future__ import annotations

from tests.groups.test_api import member
from tests.risk.wiring_support import NEEDS_REVIEW, audit, decide, keyed, queue


def join(api, group_id):
    return api.post(f"/api/v1/groups/{group_id}/join", json={"member_id": member(api)})


def test_a_group_whose_rules_need_review_takes_nobody_until_approved(api, client, runtime):
    r = api.post("/api/v1/groups", json={"name": "年货囤货群", "kind": "stock_up",
                                         "rules": {"notice": f"售后问题请{NEEDS_REVIEW}"}})
    assert r.status_code == 202, r.text
    group = r.json()
    assert group["status"] == "pending_review"
    (review,) = queue(api, source="group")
    assert (review["source_id"], review["field"]) == (group["id"], "rules.notice")
    early = join(api, group["id"])
    assert (early.status_code, early.json()["error"]["code"]) == (409, "group_pending_review")
    legal = keyed(client, runtime, api, "legal")
    assert decide(legal, review["id"], approve=True).status_code == 200
    assert api.get(f"/api/v1/groups/{group['id']}").json()["status"] == "active"
    assert join(api, group["id"]).status_code == 201
    assert audit(api, "group")[0]["action"] == "approve_copy"


def test_a_live_code_named_for_review_opens_no_group_until_its_first_is_cleared(api, client,
                                                                                runtime):
    body = {"name": "返利福利码", "channel": "kol", "group_kind": "stock_up", "capacity": 1,
            "group_name_prefix": f"{NEEDS_REVIEW} 福利群"}
    code = api.post("/api/v1/live-codes", json=body).json()
    (first,) = code["groups"]
    assert api.get(f"/api/v1/groups/{first['id']}").json()["status"] == "pending_review"
    scan = f"/api/v1/live-codes/{code['code']}/join"
    held = api.post(scan, json={"member_id": member(api)})
    assert (held.status_code, held.json()["error"]["code"]) == (409, "group_pending_review")
    assert len(api.get(f"/api/v1/live-codes/{code['code']}").json()["groups"]) == 1
    (review,) = queue(api, source="group")
    legal = keyed(client, runtime, api, "legal")
    decide(legal, review["id"], approve=True)
    # cleared: the first group fills, the next one opens under the same prefix unqueued
    assert api.post(scan, json={"member_id": member(api)}).status_code == 201
    assert api.post(scan, json={"member_id": member(api)}).status_code == 201
    groups = api.get(f"/api/v1/live-codes/{code['code']}").json()["groups"]
    assert [g["member_count"] for g in groups] == [1, 1]
    assert queue(api, source="group") == []


def test_a_rejected_group_stays_closed(api, client, runtime):
    r = api.post("/api/v1/groups", json={"name": f"{NEEDS_REVIEW} 群", "kind": "stock_up"})
    (review,) = queue(api, source="group")
    decide(keyed(client, runtime, api, "legal"), review["id"], approve=False)
    assert api.get(f"/api/v1/groups/{r.json()['id']}").json()["status"] == "rejected"
    refused = join(api, r.json()["id"])
    assert (refused.status_code, refused.json()["error"]["code"]) == (409, "group_rejected")
    assert api.get("/api/v1/groups", params={"status": "rejected"}).json()["total"] == 1
