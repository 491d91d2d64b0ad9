"""A client's Idempotency-Key on the hot paths (contract 9): a retry returns the first
answer, also after the flash-sale order it bought was released; the same key for another
member or another quantity is 422 idempotency_mismatch and takes nothing. The lists of
envelopes and flash sales show only the merchant's own. On SQLite, PostgreSQL and
PostgreSQL+Redis."""

from __future__ import annotations

from tests.flashsale.test_api import buy
from tests.flashsale.test_api import create as create_sale
from tests.hongbao.test_api import create as create_envelope
from tests.hongbao.test_api import grab
from tests.hot.backends import add_members


def mismatch(r) -> None:
    assert r.status_code == 422, r.text
    assert (r.json()["error"]["code"], r.json()["error"]["field"]) == (
        "idempotency_mismatch", "Idempotency-Key")


def test_a_grab_key_reused_for_another_member_is_refused(hot_api):
    envelope = create_envelope(hot_api)
    a, b = add_members(hot_api, 2)
    first = grab(hot_api, envelope["id"], a, key="g-1")
    assert first.status_code == 200, first.text
    assert grab(hot_api, envelope["id"], a, key="g-1").json() == first.json()
    mismatch(grab(hot_api, envelope["id"], b, key="g-1"))
    status = hot_api.get(f"/api/v1/envelopes/{envelope['id']}").json()
    assert status["remaining_count"] == envelope["count"] - 1
    assert grab(hot_api, envelope["id"], b, key="g-2").status_code == 200


def test_a_buy_key_reused_for_another_quantity_or_member_is_refused(hot_api):
    sale = create_sale(hot_api, per_member_limit=2, stock=5)
    a, b = add_members(hot_api, 2)
    first = buy(hot_api, sale["id"], a, qty=1, key="same-k")
    assert first.status_code == 200, first.text
    assert buy(hot_api, sale["id"], a, qty=1, key="same-k").json() == first.json()
    mismatch(buy(hot_api, sale["id"], a, qty=2, key="same-k"))
    mismatch(buy(hot_api, sale["id"], b, qty=1, key="same-k"))
    assert hot_api.get(f"/api/v1/flash-sales/{sale['id']}").json()["remaining"] == 4


def test_a_retry_after_the_unpaid_order_was_released_returns_the_first_order(
        hot_api, hot_runtime, clock):
    from siyu.flashsale.tasks import release_unpaid

    sale = create_sale(hot_api, unpaid_minutes=5)
    (a,) = add_members(hot_api, 1)
    first = buy(hot_api, sale["id"], a, key="late").json()["order_id"]
    clock.advance(minutes=6)
    with hot_runtime.sessions.begin() as s:
        assert release_unpaid(s, hot_runtime.hot, now=clock.now())["released"] == 1
    assert hot_api.get(f"/api/v1/orders/{first}").json()["status"] == "cancelled"
    again = buy(hot_api, sale["id"], a, key="late")
    assert (again.status_code, again.json()["order_id"]) == (200, first)
    assert hot_api.get(f"/api/v1/flash-sales/{sale['id']}").json()["remaining"] == 3


def test_lists_of_envelopes_and_flash_sales_are_the_merchants_own(hot_api, hot_other_api):
    envelope, sale = create_envelope(hot_api), create_sale(hot_api)
    mine = hot_api.get("/api/v1/envelopes").json()
    assert (mine["total"], mine["items"][0]["id"]) == (1, envelope["id"])
    assert mine["items"][0]["starts_at"].endswith("+08:00")
    sales = hot_api.get("/api/v1/flash-sales", params={"limit": 10}).json()
    assert (sales["total"], [s["id"] for s in sales["items"]]) == (1, [sale["id"]])
    for path in ("/api/v1/envelopes", "/api/v1/flash-sales"):
        assert hot_other_api.get(path).json()["total"] == 0
    assert hot_api.get("/api/v1/envelopes", params={"limit": 0}).status_code == 422
