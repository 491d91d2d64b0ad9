"""Unpaid orders go back to stock after the timeout, once; ended sales give what did not
sell back to the catalog, once; takes a crashed worker left without an order go back."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import update

from siyu.catalog import repository as catalog
from siyu.catalog.schemas import ProductIn
from siyu.catalog.service import upsert as upsert_product
from siyu.flashsale import service, tasks
from siyu.flashsale.schemas import FlashSaleIn
from siyu.orders.models import Order
from tests.hot.backends import hammer, make_members, make_merchant


def _setup(runtime, now, *, stock=3, product_stock=10):
    merchant = make_merchant(runtime)
    members = make_members(runtime, merchant, 4, now=now)
    with runtime.sessions.begin() as s:
        upsert_product(s, merchant, ProductIn(sku="GIFT", name="礼盒", price="88.00",
                                              stock=product_stock), actor="test")
        sale = service.create(s, runtime.hot, merchant, FlashSaleIn(
            sku="GIFT", price="8.80", stock=stock, starts_at=now - timedelta(minutes=5),
            ends_at=now + timedelta(minutes=30), unpaid_minutes=15), now=now, actor="test")
    return merchant, members, sale.id


def _buy(runtime, merchant, sale_id, member, now, key="k"):
    with runtime.sessions.begin() as s:
        return service.buy(s, runtime.hot, merchant, sale_id, member, 1, idem_key=key, now=now)


def _state(runtime, merchant, sale_id, now):
    with runtime.sessions() as s:
        out = service.get(s, runtime.hot, merchant, sale_id, now=now)
        stock = catalog.by_sku(s, merchant, "GIFT").stock
    return out, stock


def test_unpaid_orders_are_released_once_and_paid_ones_kept(hot_runtime, now):
    runtime = hot_runtime
    merchant, members, sale_id = _setup(runtime, now)
    orders = [_buy(runtime, merchant, sale_id, m, now) for m in members[:3]]
    with runtime.sessions.begin() as s:  # the first winner pays
        s.execute(update(Order).where(Order.id == orders[0]).values(status="paid", paid_at=now))
    later = now + timedelta(minutes=16)
    runs = hammer(runtime, [lambda s: tasks.release_unpaid(
        s, runtime.hot, now=later, merchant_id=merchant) for _ in range(4)], workers=4)
    assert not [r for r in runs if isinstance(r, str)], runs
    assert sum(r["released"] for r in runs) == 2 and sum(r["paid"] for r in runs) == 1
    out, product_stock = _state(runtime, merchant, sale_id, later)
    assert (out.sold, out.remaining, out.buyers) == (1, 2, 1)
    assert product_stock == 7  # still reserved for the sale
    with runtime.sessions() as s:
        statuses = [s.get(Order, o).status for o in orders]
    assert statuses == ["paid", "cancelled", "cancelled"]
    # a released unit can be bought again
    assert _buy(runtime, merchant, sale_id, members[3], later)


def test_ended_sale_gives_what_did_not_sell_back_once(hot_runtime, now):
    runtime = hot_runtime
    merchant, members, sale_id = _setup(runtime, now, stock=5)
    _buy(runtime, merchant, sale_id, members[0], now)
    with runtime.sessions.begin() as s:
        assert tasks.settle_ended(s, runtime.hot, now=now + timedelta(minutes=31),
                                  merchant_id=merchant) == {}  # the unpaid window is open
    after = now + timedelta(minutes=46)
    with runtime.sessions.begin() as s:
        tasks.release_unpaid(s, runtime.hot, now=after, merchant_id=merchant)
        first = tasks.settle_ended(s, runtime.hot, now=after, merchant_id=merchant)
    with runtime.sessions.begin() as s:
        second = tasks.settle_ended(s, runtime.hot, now=after, merchant_id=merchant)
    assert (first, second) == ({sale_id: 5}, {})
    _, product_stock = _state(runtime, merchant, sale_id, after)
    assert product_stock == 10


@pytest.mark.parametrize("hot_runtime", ["postgresql+redis"], indirect=True)
def test_a_take_without_an_order_goes_back_after_the_timeout(hot_runtime, now):
    """A worker took in Redis and died before its order committed."""
    runtime = hot_runtime
    merchant, members, sale_id = _setup(runtime, now, stock=2)
    key = service.pool_key(sale_id)
    with runtime.sessions() as s:
        runtime.hot.take(s, key, members[0], 1, idem_key="lost", now=now)
        s.rollback()  # the order transaction never committed
    with runtime.sessions.begin() as s:
        assert runtime.hot.reconcile(s, key, now=now).repaired == [1]
    out, _ = _state(runtime, merchant, sale_id, now)
    assert out.remaining == 1
    later = now + timedelta(minutes=46)
    with runtime.sessions.begin() as s:
        settled = tasks.settle_ended(s, runtime.hot, now=later, merchant_id=merchant)
    assert settled == {sale_id: 2}
    _, product_stock = _state(runtime, merchant, sale_id, later)
    assert product_stock == 10
