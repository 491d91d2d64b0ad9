"""Winners pay their flash-sale orders: while the payment window is open only; a
released order cannot be paid (409); the unpaid-release job releases only unpaid
orders; a pay racing the release: exactly one wins, and the stock adds up.
On SQLite, PostgreSQL and PostgreSQL+Redis."""

from __future__ import annotations

from datetime import timedelta

from siyu.flashsale import service, tasks
from siyu.flashsale.models import FlashOrder
from siyu.flashsale.schemas import FlashSaleIn
from siyu.orders import service as orders
from siyu.orders.models import Order
from tests.hot.backends import hammer, make_members, make_merchant

UNPAID = timedelta(minutes=15)


def _sale(runtime, now, members=3, stock=3):
    merchant = make_merchant(runtime)
    ids = make_members(runtime, merchant, members, now=now)
    with runtime.sessions.begin() as s:
        sale = service.create(s, runtime.hot, merchant, FlashSaleIn(
            sku="TEA", price="9.90", stock=stock, starts_at=now - timedelta(minutes=1),
            ends_at=now + timedelta(hours=1), unpaid_minutes=15), now=now, actor="test")
    orders_ = []
    for m in ids:
        with runtime.sessions.begin() as s:
            orders_.append(service.buy(s, runtime.hot, merchant, sale.id, m, 1,
                                       idem_key="b", now=now))
    return merchant, sale.id, orders_


def _pay(runtime, merchant, order, now, key="pay"):
    with runtime.sessions.begin() as s:
        return orders.pay(s, merchant, order, now=now, idempotency_key=key)[1]


def _statuses(runtime, orders_):
    with runtime.sessions() as s:
        return ([s.get(Order, o).status for o in orders_],
                [s.query(FlashOrder).filter_by(order_id=o).one().status for o in orders_])


def test_paid_orders_are_kept_and_unpaid_released(hot_runtime, now):
    runtime = hot_runtime
    merchant, sale_id, orders_ = _sale(runtime, now)
    assert _pay(runtime, merchant, orders_[0], now + timedelta(minutes=5)) is True
    with runtime.sessions.begin() as s:
        counts = tasks.release_unpaid(s, runtime.hot, now=now + UNPAID, merchant_id=merchant)
    assert counts == {"paid": 0, "released": 2}  # the paid one was settled at payment
    assert _statuses(runtime, orders_) == (["paid", "cancelled", "cancelled"],
                                           ["paid", "released", "released"])
    with runtime.sessions() as s:
        out = service.get(s, runtime.hot, merchant, sale_id, now=now + UNPAID)
    assert (out.sold, out.remaining, out.buyers) == (1, 2, 1)


def test_no_payment_after_the_window_or_the_release(hot_runtime, now):
    runtime = hot_runtime
    merchant, _sale_id, orders_ = _sale(runtime, now, members=1, stock=1)
    order = orders_[0]
    late = _try_pay(runtime, merchant, order, now + UNPAID)  # due, not yet released
    assert late == "order_not_payable"
    with runtime.sessions.begin() as s:
        assert tasks.release_unpaid(s, runtime.hot, now=now + UNPAID,
                                    merchant_id=merchant)["released"] == 1
    with runtime.sessions.begin() as s:
        try:
            orders.pay(s, merchant, order, now=now + timedelta(minutes=1), idempotency_key="x")
        except Exception as e:  # noqa: BLE001 - the error itself is the assertion
            error = e
    assert error.code == "order_not_payable" and error.status == 409
    assert "释放" in error.message or "不能支付" in error.message
    assert _statuses(runtime, [order]) == (["cancelled"], ["released"])


def _try_pay(runtime, merchant, order, at):
    from siyu.core.errors import SiyuError

    try:
        return _pay(runtime, merchant, order, at)
    except SiyuError as e:
        return e.code


def test_pay_racing_release_exactly_one_wins(hot_runtime, now):
    """A payment sent in the last second of the window meets the release job that
    already sees the order due: for every order exactly one of them wins."""
    runtime = hot_runtime
    merchant, sale_id, orders_ = _sale(runtime, now, members=6, stock=6)
    pay_at, release_at = now + UNPAID - timedelta(seconds=1), now + UNPAID
    calls = [lambda s, o=o: orders.pay(s, merchant, o, now=pay_at, idempotency_key="p")[1]
             for o in orders_]
    calls += [lambda s: tasks.release_unpaid(s, runtime.hot, now=release_at,
                                             merchant_id=merchant)] * 3
    results = hammer(runtime, calls, workers=9)
    pays, releases = results[:6], results[6:]
    assert all(r in (True, "order_not_payable") for r in pays), pays
    assert all(isinstance(r, dict) for r in releases), releases
    order_status, flash_status = _statuses(runtime, orders_)
    for paid, o, f in zip(pays, order_status, flash_status, strict=True):
        assert (o, f) == (("paid", "paid") if paid is True else ("cancelled", "released"))
    released = sum(r["released"] for r in releases)
    assert released == pays.count("order_not_payable")
    with runtime.sessions() as s:
        out = service.get(s, runtime.hot, merchant, sale_id, now=release_at)
    assert out.sold == pays.count(True) and out.sold + out.remaining == 6
