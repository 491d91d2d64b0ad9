"""Price protection (价格保护): a price drop in the catalog owes earlier buyers within the
window the difference to what they actually paid after discounts, once per drop."""

from datetime import timedelta

import pytest
from sqlalchemy.exc import IntegrityError

from siyu.orders import service as orders
from siyu.orders.schemas import OrderIn
from siyu.promo import checkout, price_protection
from siyu.promo import repository as promo_repo
from siyu.promo.api_schemas import PricedOrderIn
from siyu.promo.models import PriceProtectionRefund
from siyu.promo.service import update_settings
from tests.promo.store_factories import make_member, make_product, make_promotion


def _buy(session, merchant, now, qty=1, days_ago=1, discount="0.00", member=None):
    order, _ = orders.place(session, merchant, OrderIn(
        member_id=member, lines=[{"sku": "NUT", "qty": qty}], discount=discount,
        placed_at=now - timedelta(days=days_ago)), now=now)
    return order


def _reprice(session, merchant, now, price):
    return make_product(session, merchant, "NUT", price, now=now)


def _refunds(session, merchant):
    return {r["order_id"]: r["refund"]
            for r in price_protection.report(session, merchant, "NUT")["refunds"]}


def test_drop_in_the_catalog_records_refunds_for_buyers_in_the_window(session, merchant, now):
    make_product(session, merchant, "NUT", "128.00")
    recent = _buy(session, merchant, now, qty=2, days_ago=3)
    old = _buy(session, merchant, now, days_ago=31)
    _reprice(session, merchant, now, "99.00")
    assert _refunds(session, merchant) == {recent.id: "58.00"}
    assert old.id not in _refunds(session, merchant)


def test_refund_compares_the_price_paid_after_discounts(session, merchant, now):
    make_product(session, merchant, "NUT", "128.00")
    member = make_member(session, merchant, now=now)
    make_promotion(session, merchant, {"id": "m", "name": "立减", "kind": "fixed",
                                       "off": "20.00"}, now=now)
    placed = checkout.place_priced(session, merchant, PricedOrderIn(
        member_id=member, items=[{"sku": "NUT", "qty": 2}], placed_at=now - timedelta(days=2)),
        now=now - timedelta(days=2))
    assert placed.order.total_fen == 23600  # 118.00 a unit
    _reprice(session, merchant, now, "110.00")
    assert _refunds(session, merchant) == {placed.order.id: "16.00"}
    _reprice(session, merchant, now, "125.00")  # a rise owes nothing
    _reprice(session, merchant, now, "119.00")  # above what was paid: nothing
    assert _refunds(session, merchant) == {placed.order.id: "16.00"}


def test_second_drop_pays_only_the_further_difference(session, merchant, now):
    make_product(session, merchant, "NUT", "100.00")
    order = _buy(session, merchant, now, qty=3)
    _reprice(session, merchant, now, "90.00")
    _reprice(session, merchant, now, "80.00")
    doc = price_protection.report(session, merchant, "NUT")
    assert [r["refund"] for r in doc["refunds"]] == ["30.00", "30.00"]
    assert doc["total_refund"] == "60.00" and doc["drops"] == 2
    assert {r["order_id"] for r in doc["refunds"]} == {order.id}


def test_never_twice_for_the_same_order_and_drop(session, merchant, now):
    make_product(session, merchant, "NUT", "100.00")
    _buy(session, merchant, now)
    _reprice(session, merchant, now, "90.00")
    # A run at the same price finds nothing more owed and records nothing.
    assert price_protection.run(session, merchant, "NUT", now=now) is None
    [(refund, _drop)] = promo_repo.refunds(session, merchant, sku="NUT")
    with pytest.raises(IntegrityError), session.begin_nested():
        session.add(PriceProtectionRefund(
            merchant_id=merchant, price_drop_id=refund.price_drop_id, order_id=refund.order_id,
            sku="NUT", qty=1, paid_fen=1, new_price_fen=1, refund_fen=1, created_at=now))
        session.flush()


def test_cancelled_orders_and_other_skus_are_owed_nothing(session, merchant, now):
    make_product(session, merchant, "NUT", "100.00")
    make_product(session, merchant, "TEA", "100.00")
    cancelled = _buy(session, merchant, now)
    orders.cancel(session, merchant, cancelled.id, now=now)
    orders.place(session, merchant, OrderIn(lines=[{"sku": "TEA", "qty": 1}],
                                            placed_at=now - timedelta(days=1)), now=now)
    _reprice(session, merchant, now, "50.00")
    assert _refunds(session, merchant) == {}


def test_window_is_a_merchant_setting(session, merchant, now):
    make_product(session, merchant, "NUT", "100.00")
    update_settings(session, merchant, {"price_protection_days": 7}, actor="owner")
    _buy(session, merchant, now, days_ago=8)
    _reprice(session, merchant, now, "90.00")
    assert _refunds(session, merchant) == {}


def test_report_as_csv(session, merchant, now):
    make_product(session, merchant, "NUT", "100.00")
    order = _buy(session, merchant, now, qty=2)
    _reprice(session, merchant, now, "95.00")
    text = price_protection.report_csv(price_protection.report(session, merchant, "NUT"))
    header, row = text.splitlines()
    assert header == ",".join(price_protection.COLUMNS)
    assert row.split(",")[3:] == [str(order.id), order.order_no, "", "2", "200.00", "100.00",
                                  "95.00", "10.00", "owed"]
