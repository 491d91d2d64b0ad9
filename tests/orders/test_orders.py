"""Orders: priced from the catalog, stock-safe, idempotent, allocated to the fen."""

import pytest

from siyu.catalog.schemas import ProductIn
from siyu.catalog.service import upsert as upsert_product
from siyu.core.errors import Conflict, InvalidInput
from siyu.events.service import list_events
from siyu.orders import service
from siyu.orders.schemas import OrderIn


def product(session, merchant, sku="A", price="10.00", stock=5):
    return upsert_product(session, merchant, ProductIn(sku=sku, name=sku, price=price,
                                                       stock=stock), actor="t")[0]


def test_order_priced_from_catalog_with_discount_allocated(session, merchant, now):
    product(session, merchant, "A", "10.00")
    product(session, merchant, "B", "20.00")
    order, created = service.place(session, merchant, OrderIn(
        lines=[{"sku": "A", "qty": 1}, {"sku": "B", "qty": 1}], discount="0.10"), now=now)
    out = service.get(session, merchant, order.id)
    assert created and out.subtotal == 3000 and out.total == 2990
    assert [ln.discount for ln in out.lines] == [4, 6]
    assert sum(ln.total for ln in out.lines) == out.total


def test_same_idempotency_key_returns_first_order(session, merchant, now):
    product(session, merchant)
    data = OrderIn(lines=[{"sku": "A", "qty": 1}])
    first, _ = service.place(session, merchant, data, now=now, idempotency_key="k1")
    again, created = service.place(session, merchant, data, now=now, idempotency_key="k1")
    assert again.id == first.id and not created


def test_out_of_stock_is_conflict_and_stock_kept(session, merchant, now):
    p = product(session, merchant, stock=1)
    with pytest.raises(Conflict) as e:
        service.place(session, merchant, OrderIn(lines=[{"sku": "A", "qty": 2}]), now=now)
    assert e.value.code == "out_of_stock"
    session.refresh(p)
    assert p.stock == 1


def test_unknown_sku_without_price_names_line(session, merchant, now):
    with pytest.raises(InvalidInput) as e:
        service.place(session, merchant, OrderIn(lines=[{"sku": "ZZ", "qty": 1}]), now=now)
    assert e.value.field == "lines[0].sku"


def test_paid_order_emits_order_and_pay_events(session, merchant, now):
    product(session, merchant)
    service.place(session, merchant, OrderIn(lines=[{"sku": "A", "qty": 1}]), now=now)
    assert sorted(e.kind for e in list_events(session, merchant)) == ["order", "pay"]


def test_api_order_roundtrip_and_tenant_crossing(api, other_api):
    api.post("/api/v1/products", json={"sku": "A", "name": "坚果", "price": "9.90",
                                       "stock": 10})
    r = api.post("/api/v1/orders", json={"lines": [{"sku": "A", "qty": 3}]},
                 headers={"Idempotency-Key": "o-1"})
    assert r.status_code == 201 and r.json()["total"] == "29.70"
    again = api.post("/api/v1/orders", json={"lines": [{"sku": "A", "qty": 3}]},
                     headers={"Idempotency-Key": "o-1"})
    assert again.status_code == 200 and again.json()["id"] == r.json()["id"]
    assert other_api.get(f"/api/v1/orders/{r.json()['id']}").status_code == 404
    assert other_api.get("/api/v1/orders").json()["total"] == 0
    bad = api.post("/api/v1/orders", json={"lines": [{"sku": "A", "qty": 1,
                                                      "price": "1.001"}]})
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "lines[0].price"
