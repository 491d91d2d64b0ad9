"""The copy scanner on flash sales (秒杀), over the HTTP API on every hot backend: a name
or label that blocks is 422 and nothing is stored or reserved; one that needs a review
is held `pending_review` (buy 409) until a legal user approves it; rejected it never
sells, and settlement gives its reserved stock back to the product."""

from __future__ import annotations

from datetime import timedelta

from siyu.flashsale import tasks
from tests.hot.backends import add_members
from tests.risk.wiring_support import (
    BLOCKS,
    NEEDS_REVIEW,
    audit,
    blocked,
    decide,
    keyed,
    queue,
)

# NOW in the tests is 2026-01-20 12:00 Beijing: the sale is on.
SALE = {"sku": "NUT-1", "price": "9.90", "stock": 3, "per_member_limit": 1,
        "starts_at": "2026-01-20T11:00:00+08:00", "ends_at": "2026-01-20T13:00:00+08:00"}


def create(api, **over):
    return api.post("/api/v1/flash-sales", json=SALE | over)


def buy(api, sale_id, member_id):
    return api.post(f"/api/v1/flash-sales/{sale_id}/buy", json={"member_id": member_id},
                    headers={"Idempotency-Key": f"buy-{sale_id}-{member_id}"})


def product_stock(api, sku="NUT-1"):
    (p,) = [p for p in api.get("/api/v1/products").json()["items"] if p["sku"] == sku]
    return p["stock"]


def add_product(api, stock=10):
    r = api.post("/api/v1/products", json={"sku": "NUT-1", "name": "坚果礼盒",
                                           "price": "39.90", "stock": stock})
    assert r.status_code == 201, r.text


def code(r):
    return r.status_code, r.json()["error"]["code"]


def test_a_name_or_label_that_blocks_is_422_and_nothing_is_reserved(hot_api):
    add_product(hot_api)
    blocked(create(hot_api, name=f"坚果{BLOCKS}秒杀"), "name")
    blocked(create(hot_api, name="坚果秒杀", label=f"{BLOCKS}场"), "label")
    blocked(hot_api.post("/api/v1/flash-sales/sessions", json={
        "sku": "NUT-1", "price": "9.90", "stock": 1, "date": "2026-01-21",
        "name": f"{BLOCKS}坚果"}), "name")
    assert product_stock(hot_api) == 10
    assert audit(hot_api, "flash_sale") == [] and queue(hot_api) == []
    r = create(hot_api, name="坚果礼盒限时秒杀")
    assert r.status_code == 201 and r.json()["status"] == "active"
    assert product_stock(hot_api) == 7


def test_a_held_sale_does_not_sell_until_legal_approves(hot_api, hot_client, hot_runtime):
    r = create(hot_api, name=f"秒杀坚果 {NEEDS_REVIEW}")
    assert r.status_code == 202, r.text
    sale = r.json()
    assert (sale["status"], sale["remaining"]) == ("pending_review", 3)
    (a,) = add_members(hot_api, 1)
    for _ in range(2):
        assert code(buy(hot_api, sale["id"], a)) == (409, "flash_sale_pending_review")
    got = hot_api.get(f"/api/v1/flash-sales/{sale['id']}").json()
    assert (got["status"], got["sold"], got["buyers"]) == ("pending_review", 0, 0)
    (review,) = queue(hot_api)
    assert (review["source"], review["source_id"], review["field"]) == (
        "flash_sale", sale["id"], "name")
    operator = keyed(hot_client, hot_runtime, hot_api, "operator")
    assert decide(operator, review["id"], approve=True).status_code == 403
    legal = keyed(hot_client, hot_runtime, hot_api, "legal")
    r = decide(legal, review["id"], approve=True)
    assert r.status_code == 200, r.text
    assert r.json()["result"]["status"] == "active"
    bought = buy(hot_api, sale["id"], a)
    assert bought.status_code == 200, bought.text
    order = hot_api.get(f"/api/v1/orders/{bought.json()['order_id']}").json()
    assert order["total"] == "9.90"
    got = hot_api.get(f"/api/v1/flash-sales/{sale['id']}").json()
    assert (got["status"], got["sold"]) == ("active", 1)


def test_a_rejected_sale_never_sells_and_its_stock_goes_back(hot_api, hot_client,
                                                             hot_runtime, now):
    add_product(hot_api)
    sale = create(hot_api, name="坚果秒杀 详询 13812345678", stock=4).json()
    assert sale["status"] == "pending_review" and product_stock(hot_api) == 6
    legal = keyed(hot_client, hot_runtime, hot_api, "legal")
    (review,) = queue(legal)
    assert decide(legal, review["id"], approve=False).status_code == 200
    (a,) = add_members(hot_api, 1)
    assert code(buy(hot_api, sale["id"], a)) == (410, "flash_sale_rejected")
    assert hot_api.get(f"/api/v1/flash-sales/{sale['id']}").json()["status"] == "rejected"
    r = hot_api.post(f"/api/v1/flash-sales/{sale['id']}/return-round", json={
        "starts_at": "2026-01-21T10:00:00+08:00", "ends_at": "2026-01-21T11:00:00+08:00"})
    assert code(r) == (410, "flash_sale_rejected")
    assert decide(legal, review["id"], approve=True).status_code == 409
    # Rejected, it ended at once: settlement after the unpaid window returns the stock.
    with hot_runtime.sessions.begin() as s:
        settled = tasks.settle_ended(s, hot_runtime.hot, now=now + timedelta(hours=1),
                                     merchant_id=hot_api.merchant_id)
    assert settled == {sale["id"]: 4}
    assert product_stock(hot_api) == 10
    assert code(buy(hot_api, sale["id"], a)) == (410, "flash_sale_rejected")


def test_a_day_of_sessions_with_a_held_name_is_held_session_by_session(hot_api, hot_client,
                                                                       hot_runtime):
    r = hot_api.post("/api/v1/flash-sales/sessions", json={
        "sku": "NUT-2", "price": "9.90", "stock": 2, "date": "2026-01-20",
        "times": ["12:00", "20:00"], "name": f"坚果 {NEEDS_REVIEW}"})
    assert r.status_code == 202, r.text
    sales = r.json()
    assert [s["status"] for s in sales] == ["pending_review", "pending_review"]
    reviews = queue(hot_api, source="flash_sale")
    assert sorted(x["source_id"] for x in reviews) == sorted(s["id"] for s in sales)
    legal = keyed(hot_client, hot_runtime, hot_api, "legal")
    (first,) = [x for x in reviews if x["source_id"] == sales[0]["id"]]
    assert decide(legal, first["id"], approve=True).status_code == 200
    (a,) = add_members(hot_api, 1)
    assert buy(hot_api, sales[0]["id"], a).status_code == 200
    assert code(buy(hot_api, sales[1]["id"], a)) == (409, "flash_sale_pending_review")
