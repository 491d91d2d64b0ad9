"""The copy scanner on coupon templates and stored promotions, over the HTTP API.

Coupon names: block → 422, nothing stored; review → `pending_review` (claims 409) until
legal approves; rejected → `rejected`, never claimable. Promotion names: block → 422 on
create and edit, nothing changes; review → `pending_review` (never applies in a quote)
until legal approves, then the red line decides; rejected → `rejected`, and enabling or
editing scans the name again; an edit withdraws what waited for the old name."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from siyu.cli import app
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

TEMPLATE = {"face_value": "20.00", "min_spend": "99.00", "total": 5, "per_member_limit": 1,
            "valid_days": 7}


def template(api, name):
    return api.post("/api/v1/coupon-templates", json=TEMPLATE | {"name": name})


def claim(api, template_id, member_id):
    return api.post(f"/api/v1/coupon-templates/{template_id}/claim",
                    json={"member_id": member_id},
                    headers={"Idempotency-Key": f"c-{template_id}-{member_id}"})


def code(r):
    return r.status_code, r.json()["error"]["code"]


# ---- coupon templates -------------------------------------------------------------


def test_a_coupon_name_that_blocks_is_422_and_nothing_is_stored(hot_api):
    blocked(template(hot_api, f"{BLOCKS}神券"), "name")
    assert audit(hot_api, "coupon_template") == [] and queue(hot_api) == []
    r = template(hot_api, f"{CLEAN}满99减20")
    assert r.status_code == 201 and r.json()["status"] == "active"
    (m,) = add_members(hot_api, 1)
    assert claim(hot_api, r.json()["id"], m).status_code == 200


def test_a_held_coupon_is_claimable_only_after_approval(hot_api, hot_client, hot_runtime):
    r = template(hot_api, f"满99减20 {NEEDS_REVIEW}")
    assert r.status_code == 202, r.text
    t = r.json()
    assert (t["status"], t["active"], t["remaining"]) == ("pending_review", False, 5)
    a, b = add_members(hot_api, 2)
    assert code(claim(hot_api, t["id"], a)) == (409, "not_active")
    (review,) = queue(hot_api)
    assert (review["source"], review["source_id"], review["field"]) == (
        "coupon_template", t["id"], "name")
    legal = keyed(hot_client, hot_runtime, hot_api, "legal")
    r = decide(legal, review["id"], approve=True)
    assert r.status_code == 200 and r.json()["result"]["status"] == "active"
    got = claim(hot_api, t["id"], a)
    assert got.status_code == 200, got.text
    assert got.json()["name"] == t["name"]
    assert hot_api.get(f"/api/v1/coupon-templates/{t['id']}").json()["status"] == "active"
    # Another held template, rejected: never claimable.
    t2 = template(hot_api, "新人券 详询 13812345678").json()
    (review2,) = queue(hot_api)
    assert decide(legal, review2["id"], approve=False).status_code == 200
    assert code(claim(hot_api, t2["id"], b)) == (409, "not_active")
    assert hot_api.get(f"/api/v1/coupon-templates/{t2['id']}").json()["status"] == "rejected"
    assert decide(legal, review2["id"], approve=True).status_code == 409
    assert hot_api.get(f"/api/v1/members/{b}/coupons").json()["total"] == 0


# ---- stored promotions --------------------------------------------------------------

M300 = {"id": "m300", "name": "满300减50", "kind": "threshold",
        "tiers": [{"min": "300.00", "off": "50.00"}]}


def _shop(api):
    r = api.post("/api/v1/products", json={"sku": "NUT", "name": "坚果", "price": "128.00",
                                           "cost": "60.00", "stock": 100})
    assert r.status_code == 201, r.text
    return api.post("/api/v1/members", json={"external_id": "m1"}).json()["id"]


def applied(api, member):
    q = api.post("/api/v1/quote", json={"member_id": member,
                                        "items": [{"sku": "NUT", "qty": 3}]})
    assert q.status_code == 200, q.text
    return [a["id"] for a in q.json()["applied"]]


def test_a_promotion_name_that_blocks_is_refused_on_create_and_edit(api):
    blocked(api.post("/api/v1/promotions", json=M300 | {"name": f"{BLOCKS}年货节"}), "name")
    assert api.get("/api/v1/promotions").json()["total"] == 0
    assert api.post("/api/v1/promotions", json=M300).status_code == 201
    blocked(api.put("/api/v1/promotions/m300", json=M300 | {"name": f"{BLOCKS}!"}), "name")
    got = api.get("/api/v1/promotions/m300").json()
    assert (got["name"], got["status"]) == ("满300减50", "active")
    assert [a["action"] for a in audit(api, "promotion")] == ["create"]


def test_a_held_promotion_never_applies_until_legal_approves(api, client, runtime):
    member = _shop(api)
    r = api.post("/api/v1/promotions", json=M300 | {"name": f"满300减50 {NEEDS_REVIEW}"})
    assert r.status_code == 202, r.text
    assert r.json()["status"] == "pending_review"
    assert applied(api, member) == []
    # The red-line approval is not the copy review.
    legal = keyed(client, runtime, api, "legal")
    r = legal.post("/api/v1/promotions/m300/approve")
    assert code(r) == (409, "not_pending")
    listed = api.get("/api/v1/promotions", params={"status": "pending_review"}).json()
    assert [p["id"] for p in listed["items"]] == ["m300"]
    (review,) = queue(api)
    assert (review["source"], review["field"]) == ("promotion", "name")
    r = decide(legal, review["id"], approve=True)
    assert r.status_code == 200, r.text
    assert r.json()["result"]["status"] == "active"
    assert applied(api, member) == ["m300"]


def test_copy_approval_hands_over_to_the_red_line(api, client, runtime):
    _shop(api)  # cost 60.00 of 128.00: 70% off breaks the 25% margin floor
    body = {"id": "big", "name": f"骨折价 {NEEDS_REVIEW}", "kind": "percent", "percent": "70"}
    assert api.post("/api/v1/promotions", json=body).json()["status"] == "pending_review"
    legal = keyed(client, runtime, api, "legal")
    (review,) = queue(api)
    assert decide(legal, review["id"], approve=True).json()["result"]["status"] == (
        "pending_approval")
    got = api.get("/api/v1/promotions/big").json()
    assert got["status"] == "pending_approval" and got["red_line"]


def test_a_rejected_promotion_stays_unusable_until_its_name_passes(api, client, runtime):
    member = _shop(api)
    held = M300 | {"name": "满300减50 详询 13812345678"}
    api.post("/api/v1/promotions", json=held)
    legal = keyed(client, runtime, api, "legal")
    (review,) = queue(api)
    assert decide(legal, review["id"], approve=False, note="私人电话").status_code == 200
    got = api.get("/api/v1/promotions/m300").json()
    assert got["status"] == "rejected" and got["review"]["by"] == "legal-user"
    assert applied(api, member) == []
    # Enabling scans the same name again: held again, under a new review.
    r = api.post("/api/v1/promotions/m300/enable")
    assert r.status_code == 200 and r.json()["status"] == "pending_review"
    (again,) = queue(api)
    assert again["id"] != review["id"]
    assert applied(api, member) == []
    # An edit to a clean name makes it active and withdraws what waited.
    r = api.put("/api/v1/promotions/m300", json=M300)
    assert r.status_code == 200 and r.json()["status"] == "active"
    assert queue(api) == []
    assert [x["id"] for x in queue(api, status="withdrawn")] == [again["id"]]
    assert decide(legal, again["id"], approve=False).status_code == 409
    assert applied(api, member) == ["m300"]


def test_an_edit_of_a_held_name_replaces_the_waiting_review(api, client, runtime):
    api.post("/api/v1/promotions", json=M300 | {"name": f"满减 {NEEDS_REVIEW}"})
    (old,) = queue(api)
    r = api.put("/api/v1/promotions/m300", json=M300 | {"name": "满减 加微信 wx_other999"})
    assert r.status_code == 202 and r.json()["status"] == "pending_review"
    (new,) = queue(api)
    assert new["id"] != old["id"] and "wx_other999" in new["text"]
    legal = keyed(client, runtime, api, "legal")
    assert decide(legal, old["id"], approve=True).status_code == 409  # withdrawn
    assert api.get("/api/v1/promotions/m300").json()["status"] == "pending_review"
    assert decide(legal, new["id"], approve=True).status_code == 200
    assert api.get("/api/v1/promotions/m300").json()["status"] == "active"


def test_the_promo_cli_holds_a_name_needing_review_and_refuses_one_that_blocks(tmp_path):
    runner = CliRunner()
    db = f"sqlite:///{tmp_path / 'promo.db'}"
    assert runner.invoke(app, ["merchant", "create", "--name", "商户", "--json",
                               "--db", db]).exit_code == 0
    bad = runner.invoke(app, ["promo", "create", "-", "--db", db],
                        input=json.dumps(M300 | {"name": f"{BLOCKS}满减"}))
    assert bad.exit_code == 2 and bad.stdout == "" and "name" in bad.stderr
    held = runner.invoke(app, ["promo", "create", "-", "--db", db],
                         input=json.dumps(M300 | {"name": f"满减 {NEEDS_REVIEW}"}))
    assert held.exit_code == 0, held.output
    assert json.loads(held.stdout)["status"] == "pending_review"
    listed = json.loads(runner.invoke(app, ["promo", "list", "--db", db]).stdout)
    assert [p["status"] for p in listed["items"]] == ["pending_review"]
