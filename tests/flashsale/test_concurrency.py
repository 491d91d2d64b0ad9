"""1,000 concurrent clients on one flash sale of 50 units, on every backend: exactly 50
winners with one order each, nobody over the limit, the product's stock taken once, and
the ledger reconciles."""

from __future__ import annotations

import random
from collections import Counter
from datetime import timedelta

from sqlalchemy import func, select

from siyu.catalog import repository as catalog
from siyu.catalog.schemas import ProductIn
from siyu.catalog.service import upsert as upsert_product
from siyu.flashsale import service
from siyu.flashsale.models import FlashOrder
from siyu.flashsale.schemas import FlashSaleIn
from siyu.orders.models import Order
from tests.hot.backends import hammer, make_members, make_merchant


def test_thousand_clients_one_flash_sale_of_fifty(hot_runtime, now):
    runtime, hot = hot_runtime, hot_runtime.hot
    merchant = make_merchant(runtime)
    members = make_members(runtime, merchant, 700, now=now)
    with runtime.sessions.begin() as s:
        upsert_product(s, merchant, ProductIn(sku="HOT", name="爆款", price="99.00", stock=80),
                       actor="test")
        sale = service.create(s, hot, merchant, FlashSaleIn(
            sku="HOT", price="9.90", stock=50, per_member_limit=1,
            starts_at=now - timedelta(minutes=1), ends_at=now + timedelta(hours=1)),
            now=now, actor="test")
        sale_id, key = sale.id, sale.pool_key
    rng = random.Random(9)
    requests = [(m, f"k{m}") for m in members]
    requests += [(m, f"k{m}" if rng.random() < 0.5 else f"again{m}")
                 for m in rng.sample(members, 300)]
    rng.shuffle(requests)
    results = hammer(runtime, [
        (lambda s, m=m, k=k: (m, service.buy(s, hot, merchant, sale_id, m, 1, idem_key=k,
                                             now=now)))
        for m, k in requests], workers=32)

    codes = Counter(r for r in results if isinstance(r, str))
    assert set(codes) <= {"sold_out", "limit_reached"}, codes
    orders = {order_id: m for m, order_id in (r for r in results if isinstance(r, tuple))}
    assert len(orders) == 50 and len(set(orders.values())) == 50
    with runtime.sessions.begin() as s:
        out = service.get(s, hot, merchant, sale_id, now=now)
        stored_orders = s.scalar(select(func.count()).select_from(Order).where(
            Order.merchant_id == merchant))
        flash_orders = s.scalar(select(func.count()).select_from(FlashOrder).where(
            FlashOrder.flash_sale_id == sale_id))
        product_stock = catalog.by_sku(s, merchant, "HOT").stock
        reconciled = hot.reconcile(s, key, now=now)
        holders = hot.holders(s, key)
    assert (out.stock, out.sold, out.remaining, out.buyers) == (50, 50, 0, 50)
    assert stored_orders == flash_orders == 50
    assert product_stock == 30  # 80 - the 50 reserved, never taken again
    assert set(holders) == set(orders.values()) and set(holders.values()) == {1}
    assert reconciled.agree, reconciled.problems
