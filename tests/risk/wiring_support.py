"""Helpers of the copy-scanner wiring tests: a legal user of the same merchant, the review
queue, decisions."""

from __future__ import annotations

from tests.conftest import Api

# Copy of each verdict (the scanner's own tests prove why each one is what it is).
BLOCKS = "全网最低价"        # Advertising Law absolute term: block
NEEDS_REVIEW = "加微信 wx_nuts888"  # contact diversion: review
CLEAN = "年货节"


def keyed(client, runtime, api: Api, role: str) -> Api:
    """Another user of `api`'s merchant, with `role`."""
    from siyu.merchants.service import issue_key

    with runtime.sessions.begin() as s:
        key = issue_key(s, api.merchant_id, user_name=f"{role}-user", role=role)
    return Api(client, api.merchant_id, key)


def queue(api: Api, status: str = "pending", source: str | None = None) -> list[dict]:
    params = {"status": status} | ({"source": source} if source else {})
    r = api.get("/api/v1/risk/reviews", params=params)
    assert r.status_code == 200, r.text
    return r.json()["items"]


def decide(legal: Api, review_id: int, *, approve: bool, note: str | None = None):
    verb = "approve" if approve else "reject"
    return legal.post(f"/api/v1/risk/reviews/{review_id}/{verb}",
                      json={"note": note} if note else None)


def audit(api: Api, entity: str) -> list[dict]:
    return api.get("/api/v1/audit", params={"entity": entity}).json()["items"]


def blocked(r, field: str) -> None:
    """A 422 copy_blocked naming `field`."""
    assert r.status_code == 422, r.text
    error = r.json()["error"]
    assert (error["code"], error["field"]) == ("copy_blocked", field), error
