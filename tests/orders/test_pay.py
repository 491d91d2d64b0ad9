"""Paying an order: pending → paid once, a retry with the same Idempotency-Key answers
the paid order, anything else that is not pending is 409 order_not_payable; another
merchant's order is 404 and stays unpaid. On SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy import func, select

from siyu.events.models import Event
from siyu.orders import service
from siyu.orders.schemas import OrderIn
from tests.hot.backends import hammer


def _pending(api) -> int:
    api.post("/api/v1/products", json={"sku": "P", "name": "坚果", "price": "9.90",
                                       "stock": 10})
    r = api.post("/api/v1/orders", json={"lines": [{"sku": "P", "qty": 2}],
                                         "status": "pending"})
    assert r.status_code == 201 and r.json()["status"] == "pending"
    return r.json()["id"]


def _pay_events(runtime, merchant_id: int) -> int:
    with runtime.sessions() as s:
        return s.scalar(select(func.count()).select_from(Event).where(
            Event.merchant_id == merchant_id, Event.kind == "pay"))


def test_pay_once_and_replay_with_the_same_key(api, runtime):
    order = _pending(api)
    paid = api.post(f"/api/v1/orders/{order}/pay", headers={"Idempotency-Key": "pay-1"})
    assert paid.status_code == 200, paid.text
    assert paid.json()["status"] == "paid" and paid.json()["paid_at"] is not None
    again = api.post(f"/api/v1/orders/{order}/pay", headers={"Idempotency-Key": "pay-1"})
    assert again.status_code == 200 and again.json() == paid.json()
    other_key = api.post(f"/api/v1/orders/{order}/pay", headers={"Idempotency-Key": "pay-2"})
    no_key = api.post(f"/api/v1/orders/{order}/pay")
    for r in (other_key, no_key):
        assert r.status_code == 409
        assert r.json()["error"]["code"] == "order_not_payable"
        assert r.json()["error"]["field"] == "status"
    assert _pay_events(runtime, api.merchant_id) == 1


def test_cancelled_order_cannot_be_paid(api):
    order = _pending(api)
    assert api.post(f"/api/v1/orders/{order}/cancel").status_code == 200
    r = api.post(f"/api/v1/orders/{order}/pay", headers={"Idempotency-Key": "k"})
    assert r.status_code == 409 and r.json()["error"]["code"] == "order_not_payable"
    assert api.get(f"/api/v1/orders/{order}").json()["status"] == "cancelled"


def test_other_merchant_cannot_pay(api, other_api):
    order = _pending(api)
    r = other_api.post(f"/api/v1/orders/{order}/pay", headers={"Idempotency-Key": "k"})
    assert r.status_code == 404 and r.json()["error"]["code"] == "order_not_found"
    assert api.get(f"/api/v1/orders/{order}").json()["status"] == "pending"
    assert other_api.post("/api/v1/orders/999999999/pay").status_code == 404


def test_concurrent_pays_change_the_order_once(runtime, now):
    from siyu.merchants.service import create_merchant

    with runtime.sessions.begin() as s:
        merchant = create_merchant(s, "并发支付")[0].id
        order = service.place(s, merchant, OrderIn(
            lines=[{"sku": "X", "qty": 1, "price": "5.00"}], status="pending"), now=now)[0].id
    results = hammer(runtime, [
        lambda s, k=k: service.pay(s, merchant, order, now=now, idempotency_key=k)[1]
        for k in ["same"] * 6 + ["other"] * 2], workers=8)
    assert results.count(True) == 1, results
    with runtime.sessions() as s:
        stored = s.scalar(select(Event.payload).where(
            Event.merchant_id == merchant, Event.idempotency_key == f"pay:{order}"))
    winner = stored["idempotency_key"]
    # The winner's key replays (False); the other key is refused.
    for k, r in zip(["same"] * 6 + ["other"] * 2, results, strict=True):
        assert r in (True, False) if k == winner else r == "order_not_payable", (k, r)
    assert _pay_events(runtime, merchant) == 1
