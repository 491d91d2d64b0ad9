"""Flash sales through the HTTP API (contract 9) on SQLite, PostgreSQL and PostgreSQL+Redis."""

from __future__ import annotations

import pytest

from tests.hot.backends import add_members

# NOW in the tests is 2026-01-20 12:00 Beijing.
SALE = {"sku": "NUT-1", "price": "9.90", "stock": 3, "per_member_limit": 1,
        "starts_at": "2026-01-20T11:00:00+08:00", "ends_at": "2026-01-20T13:00:00+08:00"}


def create(api, **over):
    r = api.post("/api/v1/flash-sales", json=SALE | over)
    assert r.status_code == 201, r.text
    return r.json()


def buy(api, sale_id, member_id, qty=1, key=None):
    headers = {"Idempotency-Key": key} if key else {}
    return api.post(f"/api/v1/flash-sales/{sale_id}/buy", json={"member_id": member_id,
                                                               "qty": qty}, headers=headers)


def product(api, sku="NUT-1", stock=10, price="39.90"):
    r = api.post("/api/v1/products", json={"sku": sku, "name": "坚果礼盒", "price": price,
                                           "stock": stock})
    assert r.status_code in (200, 201), r.text
    return r.json()["id"]


def test_buy_until_sold_out_creates_orders_at_the_flash_price(hot_api):
    sale = create(hot_api)
    members = add_members(hot_api, 4)
    answers = [buy(hot_api, sale["id"], m, key=f"k{m}") for m in members]
    assert [r.status_code for r in answers] == [200, 200, 200, 410]
    assert answers[3].json()["error"]["code"] == "sold_out"
    for m, r in zip(members, answers[:3], strict=False):
        order = hot_api.get(f"/api/v1/orders/{r.json()['order_id']}").json()
        assert (order["member_id"], order["status"], order["total"]) == (m, "pending", "9.90")
        assert order["lines"][0]["sku"] == "NUT-1"
    body = hot_api.get(f"/api/v1/flash-sales/{sale['id']}").json()
    assert {k: body[k] for k in ("stock", "sold", "remaining", "buyers")} == {
        "stock": 3, "sold": 3, "remaining": 0, "buyers": 3}
    assert body["percent_sold"] == 100.0 and body["status"] == "sold_out"


def test_more_than_is_left_is_409_naming_qty_and_what_is_left(hot_api):
    sale = create(hot_api, stock=3, per_member_limit=2)
    a, b, c = add_members(hot_api, 3)
    assert buy(hot_api, sale["id"], a, qty=2, key="a").status_code == 200
    short = buy(hot_api, sale["id"], b, qty=2, key="b")
    assert short.status_code == 409, short.text
    assert short.json()["error"] == {"code": "insufficient_stock", "field": "qty",
                                     "message": "qty: 库存不足, 仅剩 1 件"}
    body = hot_api.get(f"/api/v1/flash-sales/{sale['id']}").json()
    assert (body["sold"], body["remaining"], body["buyers"]) == (2, 1, 1)  # nothing taken
    assert buy(hot_api, sale["id"], b, qty=1, key="b1").status_code == 200
    gone = buy(hot_api, sale["id"], c, qty=2, key="c")
    assert (gone.status_code, gone.json()["error"]["code"]) == (410, "sold_out")


def test_limit_409_retry_returns_the_first_order(hot_api):
    sale = create(hot_api, stock=10, per_member_limit=2)
    (m,) = add_members(hot_api, 1)
    first = buy(hot_api, sale["id"], m, qty=2, key="a")
    assert first.status_code == 200
    over = buy(hot_api, sale["id"], m, key="b")
    assert over.status_code == 409 and over.json()["error"]["code"] == "limit_reached"
    assert buy(hot_api, sale["id"], m, qty=2, key="a").json() == first.json()
    body = hot_api.get(f"/api/v1/flash-sales/{sale['id']}").json()
    assert (body["sold"], body["remaining"], body["buyers"]) == (2, 8, 1)


def test_not_started_and_ended_are_409_not_active(hot_api, clock):
    later = create(hot_api, starts_at="2026-01-20T15:00:00+08:00",
                   ends_at="2026-01-20T16:00:00+08:00")
    (m,) = add_members(hot_api, 1)
    r = buy(hot_api, later["id"], m)
    assert r.status_code == 409 and r.json()["error"]["code"] == "not_active"
    body = hot_api.get(f"/api/v1/flash-sales/{later['id']}").json()
    assert body["status"] == "upcoming" and body["countdown_seconds"] == 3 * 3600
    clock.advance(hours=5)
    assert buy(hot_api, later["id"], m).json()["error"]["code"] == "not_active"


def test_sale_stock_is_reserved_from_the_product_once(hot_api):
    pid = product(hot_api, stock=10)
    sale = create(hot_api, stock=4)
    assert hot_api.get(f"/api/v1/products/{pid}").json()["stock"] == 6
    for m in add_members(hot_api, 2):
        assert buy(hot_api, sale["id"], m).status_code == 200
    assert hot_api.get(f"/api/v1/products/{pid}").json()["stock"] == 6  # no second take
    r = hot_api.post("/api/v1/flash-sales", json=SALE | {"stock": 7})
    assert r.status_code == 409 and r.json()["error"]["code"] == "out_of_stock"


def test_a_day_of_sessions_at_the_default_times(hot_api):
    r = hot_api.post("/api/v1/flash-sales/sessions", json={
        "sku": "NUT-2", "price": "19.90", "stock": 50, "date": "2026-01-21"})
    assert r.status_code == 201, r.text
    sales = r.json()
    assert [s["label"] for s in sales] == ["10:00场", "15:00场", "20:00场"]
    # the API shows times in Beijing time: the 10:00 / 15:00 / 20:00 sessions as such
    assert [s["starts_at"] for s in sales] == ["2026-01-21T10:00:00+08:00",
                                               "2026-01-21T15:00:00+08:00",
                                               "2026-01-21T20:00:00+08:00"]
    assert all(s["stock"] == 50 and s["status"] == "upcoming" for s in sales)


@pytest.mark.parametrize("hot_runtime", ["sqlite"], indirect=True)  # input only
@pytest.mark.parametrize("body, field", [
    ({"price": "9.999"}, "price"), ({"price": "0"}, "price"), ({"stock": 0}, "stock"),
    ({"ends_at": "2026-01-20T10:00:00+08:00"}, "ends_at"), ({"per_member_limit": 0},
                                                            "per_member_limit"),
    ({"starts_at": "tomorrow"}, "starts_at"),
])
def test_bad_sales_are_422_naming_the_field(hot_api, body, field):
    r = hot_api.post("/api/v1/flash-sales", json=SALE | body)
    assert r.status_code == 422, r.text
    assert r.json()["error"]["field"] == field


def test_another_merchants_sale_is_404(hot_api, hot_other_api):
    sale = create(hot_api, name="甲的秒杀")
    (b,) = add_members(hot_other_api, 1, "b")
    for method, url, body in [
        ("GET", f"/api/v1/flash-sales/{sale['id']}", None),
        ("POST", f"/api/v1/flash-sales/{sale['id']}/buy", {"member_id": b, "qty": 1}),
        ("POST", f"/api/v1/flash-sales/{sale['id']}/return-round",
         {"starts_at": "2026-01-21T10:00:00+08:00", "ends_at": "2026-01-21T11:00:00+08:00"}),
    ]:
        r = hot_other_api.request(method, url, json=body)
        assert r.status_code == 404 and "甲" not in r.text, (url, r.text)
    (a,) = add_members(hot_api, 1, "a")
    assert buy(hot_other_api, sale["id"], a).status_code == 404
    assert hot_api.get(f"/api/v1/flash-sales/{sale['id']}").json()["sold"] == 0


def test_return_round_sells_what_did_not_sell(hot_api, clock):
    sale = create(hot_api, stock=5)
    members = add_members(hot_api, 3)
    assert buy(hot_api, sale["id"], members[0]).status_code == 200
    early = hot_api.post(f"/api/v1/flash-sales/{sale['id']}/return-round", json={
        "starts_at": "2026-01-20T20:00:00+08:00", "ends_at": "2026-01-20T21:00:00+08:00"})
    assert early.status_code == 409 and early.json()["error"]["code"] == "not_ended"
    clock.advance(hours=2)
    r = hot_api.post(f"/api/v1/flash-sales/{sale['id']}/return-round", json={
        "starts_at": "2026-01-20T14:00:00+08:00", "ends_at": "2026-01-20T21:00:00+08:00",
        "price": "12.90"})
    assert r.status_code == 201, r.text
    child = r.json()
    assert (child["stock"], child["round"], child["parent_id"], child["label"],
            child["price"]) == (4, 2, sale["id"], "返场", "12.90")
    again = hot_api.post(f"/api/v1/flash-sales/{sale['id']}/return-round", json={
        "starts_at": "2026-01-20T14:00:00+08:00", "ends_at": "2026-01-20T21:00:00+08:00"})
    assert (again.status_code, again.json()["id"]) == (200, child["id"])
    assert buy(hot_api, child["id"], members[0]).status_code == 200
    parent = hot_api.get(f"/api/v1/flash-sales/{sale['id']}").json()
    assert (parent["sold"], parent["remaining"], parent["status"]) == (1, 0, "ended")
