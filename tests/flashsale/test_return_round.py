"""返场 (return rounds) over the API on every hot backend: inside the window between a
session's end and its settlement the pool's leftovers move; after settlement (the next
day) what settlement gave back to the catalog is reserved from it again, once per
session. The settled session's figures add up for a progress bar."""

from __future__ import annotations

from datetime import timedelta

from siyu.flashsale import rounds, tasks
from siyu.flashsale.schemas import ReturnRoundIn
from tests.flashsale.test_api import buy, create, product
from tests.hot.backends import add_members, hammer

# NOW in the tests is 2026-01-20 12:00 Beijing; the sale runs 11:00-13:00 and is settled
# 15 minutes (its unpaid window) after the end.
NEXT_DAY = {"starts_at": "2026-01-21T10:00:00+08:00", "ends_at": "2026-01-21T12:00:00+08:00"}
FIGURES = ("stock", "sold", "remaining", "returned", "moved_to_return_round")


def settle(api, runtime):
    with runtime.sessions.begin() as s:
        return tasks.settle_ended(s, runtime.hot, now=runtime.clock.now(),
                                  merchant_id=api.merchant_id)


def return_round(api, sale_id, **over):
    return api.post(f"/api/v1/flash-sales/{sale_id}/return-round", json=NEXT_DAY | over)


def stock_of(api, pid):
    return api.get(f"/api/v1/products/{pid}").json()["stock"]


def figures(api, sale_id):
    body = api.get(f"/api/v1/flash-sales/{sale_id}").json()
    return {k: body[k] for k in FIGURES}


def pay(api, order_id):
    r = api.post(f"/api/v1/orders/{order_id}/pay", headers={"Idempotency-Key": f"p{order_id}"})
    assert r.status_code == 200, r.text


def test_next_day_return_round_reserves_what_settlement_returned(hot_api, hot_runtime, clock):
    pid = product(hot_api, stock=10)
    sale = create(hot_api, stock=5)
    a, b = add_members(hot_api, 2)
    pay(hot_api, buy(hot_api, sale["id"], a, key="a").json()["order_id"])
    clock.advance(hours=2)
    assert settle(hot_api, hot_runtime) == {sale["id"]: 4}
    assert stock_of(hot_api, pid) == 9
    body = hot_api.get(f"/api/v1/flash-sales/{sale['id']}").json()
    assert {k: body[k] for k in FIGURES} == {"stock": 5, "sold": 1, "remaining": 0,
                                              "returned": 4, "moved_to_return_round": 0}
    assert (body["percent_sold"], body["status"]) == (20.0, "ended")

    clock.advance(hours=20)  # 2026-01-21 10:00
    r = return_round(hot_api, sale["id"], price="12.90")
    assert r.status_code == 201, r.text
    child = r.json()
    assert (child["stock"], child["round"], child["parent_id"], child["label"], child["price"],
            child["status"]) == (4, 2, sale["id"], "返场", "12.90", "active")
    assert stock_of(hot_api, pid) == 5
    again = return_round(hot_api, sale["id"])
    assert (again.status_code, again.json()["id"]) == (200, child["id"])
    assert stock_of(hot_api, pid) == 5  # reserved once
    assert figures(hot_api, sale["id"])["returned"] == 4  # the session's own history

    pay(hot_api, buy(hot_api, child["id"], b, key="b").json()["order_id"])
    clock.advance(hours=3)
    assert settle(hot_api, hot_runtime) == {child["id"]: 3}
    assert stock_of(hot_api, pid) == 8  # 10 = 8 in the catalog + 2 sold
    assert figures(hot_api, child["id"]) == {"stock": 4, "sold": 1, "remaining": 0,
                                             "returned": 3, "moved_to_return_round": 0}


def test_after_settlement_too_few_in_the_catalog_is_409_out_of_stock(hot_api, hot_runtime,
                                                                      clock):
    pid = product(hot_api, stock=10)
    sale = create(hot_api, stock=5)
    clock.advance(hours=2)
    assert settle(hot_api, hot_runtime) == {sale["id"]: 5}
    assert figures(hot_api, sale["id"]) == {"stock": 5, "sold": 0, "remaining": 0,
                                            "returned": 5, "moved_to_return_round": 0}
    product(hot_api, stock=3)  # sold elsewhere since
    r = return_round(hot_api, sale["id"])
    assert r.status_code == 409, r.text
    assert (r.json()["error"]["code"], r.json()["error"]["field"]) == ("out_of_stock", "stock")
    assert stock_of(hot_api, pid) == 3
    product(hot_api, stock=6)
    r = return_round(hot_api, sale["id"])
    assert (r.status_code, r.json()["stock"]) == (201, 5)
    assert stock_of(hot_api, pid) == 1


def test_after_settlement_a_sku_outside_the_catalog_sells_its_leftovers_again(
        hot_api, hot_runtime, clock):
    sale = create(hot_api, sku="NOT-IN-CATALOG", stock=3)
    (a,) = add_members(hot_api, 1)
    pay(hot_api, buy(hot_api, sale["id"], a, key="a").json()["order_id"])
    clock.advance(hours=2)
    assert settle(hot_api, hot_runtime) == {sale["id"]: 2}
    r = return_round(hot_api, sale["id"])
    assert (r.status_code, r.json()["stock"]) == (201, 2)


def test_nothing_left_after_settlement_is_410_sold_out(hot_api, hot_runtime, clock):
    product(hot_api, stock=10)
    sale = create(hot_api, stock=1)
    (a,) = add_members(hot_api, 1)
    pay(hot_api, buy(hot_api, sale["id"], a, key="a").json()["order_id"])
    clock.advance(hours=2)
    assert settle(hot_api, hot_runtime) == {sale["id"]: 0}
    r = return_round(hot_api, sale["id"])
    assert (r.status_code, r.json()["error"]["code"]) == (410, "sold_out")


def test_before_settlement_the_leftovers_move_and_the_figures_add_up(hot_api, hot_runtime,
                                                                     clock):
    pid = product(hot_api, stock=10)
    sale = create(hot_api, stock=5)
    (a,) = add_members(hot_api, 1)
    pay(hot_api, buy(hot_api, sale["id"], a, key="a").json()["order_id"])
    clock.advance(hours=1, minutes=5)  # ended, not settled yet
    r = return_round(hot_api, sale["id"], starts_at="2026-01-20T20:00:00+08:00",
                     ends_at="2026-01-20T21:00:00+08:00")
    assert (r.status_code, r.json()["stock"]) == (201, 4)
    assert stock_of(hot_api, pid) == 5  # moved from the pool, the catalog untouched
    moved = {"stock": 5, "sold": 1, "remaining": 0, "returned": 0, "moved_to_return_round": 4}
    assert figures(hot_api, sale["id"]) == moved
    clock.advance(minutes=30)
    assert settle(hot_api, hot_runtime) == {sale["id"]: 0}
    assert figures(hot_api, sale["id"]) == moved


def test_two_return_rounds_at_once_after_settlement_make_one(hot_api, hot_runtime, clock):
    pid = product(hot_api, stock=10)
    sale = create(hot_api, stock=5)
    clock.advance(hours=2)
    settle(hot_api, hot_runtime)
    clock.advance(hours=20)
    now, merchant, hot = hot_runtime.clock.now(), hot_api.merchant_id, hot_runtime.hot
    data = ReturnRoundIn(starts_at=now, ends_at=now + timedelta(hours=2))
    results = hammer(hot_runtime, [
        lambda s: rounds.return_round(s, hot, merchant, sale["id"], data, now=now,
                                      actor="test")[0].id
        for _ in range(4)], workers=4)
    assert len(set(results)) == 1 and isinstance(results[0], int), results
    assert stock_of(hot_api, pid) == 5
