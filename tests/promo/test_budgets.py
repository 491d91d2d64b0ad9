"""Budgets and use limits under concurrent orders: real threads, one transaction each,
against the real database (and the hot backend on Redis). Never a fen over budget, and
every discount an order records was charged."""

from __future__ import annotations

import threading
import uuid
from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from siyu.core.errors import SiyuError
from siyu.db.engine import transaction
from siyu.orders.models import Order
from siyu.promo import budgets, checkout, service
from siyu.promo import repository as repo
from siyu.promo.api_schemas import PricedOrderIn
from siyu.promo.models import PromotionMemberUse, PromotionUse
from tests.conftest import new_merchant
from tests.promo.store_factories import make_member, make_product, make_promotion


def race(runtime, n: int, work) -> Counter:
    """Run `work(session, i)` in n threads at once, each in its own transaction."""
    barrier = threading.Barrier(n)
    results: list[str] = []
    lock = threading.Lock()

    def run(i: int) -> None:
        barrier.wait()
        try:
            with transaction(runtime.sessions) as session:
                result = work(session, i)
        except SiyuError as e:
            result = e.code
        except Exception as e:  # noqa: BLE001 - a crash must fail the test, not vanish
            result = f"crash:{type(e).__name__}:{e}"
        with lock:
            results.append(result)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert len(results) == n, "a thread did not finish"
    return Counter(results)


def _setup(runtime, now, body: dict, members: int = 1):
    merchant, _ = new_merchant(runtime, "预算商户")
    with runtime.sessions.begin() as s:
        make_product(s, merchant, "BOX", "97.00", stock=100_000)
        ids = [make_member(s, merchant, now=now) for _ in range(members)]
        make_promotion(s, merchant, body, now=now)
    return merchant, ids


def _order(merchant, member, qty, now, hot=None, refused: list | None = None):
    def work(session, i):
        placed = checkout.place_priced(session, merchant, PricedOrderIn(
            member_id=member(i), items=[{"sku": "BOX", "qty": qty(i)}]), now=now, hot=hot)
        if placed.quote.discount:
            return "discounted"
        if refused is not None:
            refused.append(qty(i))
        return "full_price"
    return work


def _books(runtime, merchant, code):
    """(promotion counters, ledger of uses, discounts the orders recorded)."""
    with runtime.sessions() as s:
        row = service.get(s, merchant, code)
        ledger = s.execute(select(func.coalesce(func.sum(PromotionUse.discount_fen), 0),
                                  func.count()).where(PromotionUse.merchant_id == merchant)).one()
        recorded = s.scalar(select(func.coalesce(func.sum(Order.discount_fen), 0)).where(
            Order.merchant_id == merchant))
        return (row.spent_fen, row.uses), tuple(ledger), recorded


def test_concurrent_orders_never_overspend_the_budget(runtime, now):
    # 10% off: each order's discount is 9.70 × qty; 5.00 yuan less than 4 orders of 3.
    body = {"id": "pct", "name": "九折", "kind": "percent", "percent": "10", "budget": "111.40"}
    merchant, [member] = _setup(runtime, now, body)
    qtys = [1, 2, 3, 4, 5, 1, 2, 3, 4, 5, 1, 2, 3, 4, 5, 1]
    refused: list[int] = []
    outcomes = race(runtime, 16, _order(merchant, lambda i: member, lambda i: qtys[i], now,
                                        refused=refused))
    assert set(outcomes) <= {"discounted", "full_price"}, outcomes
    (spent, uses), ledger, recorded = _books(runtime, merchant, "pct")
    assert spent <= 11140
    assert ledger == (spent, uses) and recorded == spent
    assert uses == outcomes["discounted"] and uses >= 2
    # Whatever is left is less than the smallest discount a refused order asked (9.70 × qty).
    assert not refused or 11140 - spent < 970 * min(refused)


def test_concurrent_orders_respect_the_total_use_limit(runtime, now):
    body = {"id": "fix", "name": "立减", "kind": "fixed", "off": "5.00", "total_limit": 5}
    merchant, members = _setup(runtime, now, body, members=12)
    outcomes = race(runtime, 12, _order(merchant, lambda i: members[i], lambda i: 1, now))
    assert outcomes == Counter({"discounted": 5, "full_price": 7})
    (spent, uses), ledger, recorded = _books(runtime, merchant, "fix")
    assert (spent, uses) == (2500, 5) and ledger == (2500, 5) and recorded == 2500


def test_one_member_racing_gets_the_per_member_limit_exactly(runtime, now):
    body = {"id": "once", "name": "限用两次", "kind": "fixed", "off": "8.00",
            "per_member_limit": 2}
    merchant, [member] = _setup(runtime, now, body)
    outcomes = race(runtime, 8, _order(merchant, lambda i: member, lambda i: 1, now))
    assert outcomes == Counter({"discounted": 2, "full_price": 6})
    assert _books(runtime, merchant, "once")[1] == (1600, 2)


def test_budget_too_small_for_the_discount_is_left_out_not_failed(session, merchant, now):
    make_product(session, merchant, "BOX", "97.00")
    member = make_member(session, merchant, now=now)
    make_promotion(session, merchant, {"id": "big", "name": "满减", "kind": "fixed",
                                       "off": "30.00", "budget": "50.00"}, now=now)
    make_promotion(session, merchant, {"id": "small", "name": "小券", "kind": "fixed",
                                       "off": "3.00", "stack_group": "big"}, now=now)
    data = PricedOrderIn(member_id=member, items=[{"sku": "BOX"}])
    first = checkout.place_priced(session, merchant, data, now=now)
    assert [a.promotion.id for a in first.quote.applied] == ["big"]
    # 20.00 left cannot cover 30.00: the next best plan is priced and placed instead.
    second = checkout.place_priced(session, merchant, data, now=now)
    assert [a.promotion.id for a in second.quote.applied] == ["small"]
    assert second.order.discount_fen == 300 and second.order.status == "paid"
    assert (service.get(session, merchant, "big").spent_fen) == 3000


@pytest.fixture
def redis_hot(runtime):
    """The hot backend on Redis (a fresh key prefix), for budgets through Redis."""
    from siyu.hot import Hot
    from tests.conftest import REDIS_URL, need_server

    try:
        import redis

        redis.Redis.from_url(REDIS_URL).ping()
    except Exception as e:  # noqa: BLE001
        need_server("Redis", e)
    hot = Hot(runtime.sessions, redis_url=REDIS_URL, prefix=f"test:{uuid.uuid4().hex[:8]}:")
    yield hot
    hot.flush()
    hot.shutdown()


def test_concurrent_orders_through_redis_never_overspend(runtime, now, redis_hot):
    body = {"id": "hot", "name": "九折", "kind": "percent", "percent": "10", "budget": "111.40",
            "per_member_limit": 3}
    merchant, members = _setup(runtime, now, body, members=4)
    qtys = [1, 2, 3, 4, 5, 1, 2, 3, 4, 5, 1, 2, 3, 4, 5, 1]
    outcomes = race(runtime, 16, _order(merchant, lambda i: members[i % 4],
                                        lambda i: qtys[i], now, hot=redis_hot))
    assert set(outcomes) <= {"discounted", "full_price"}, outcomes
    _, (spent, uses), recorded = _books(runtime, merchant, "hot")
    assert spent <= 11140 and recorded == spent and uses == outcomes["discounted"]
    with runtime.sessions() as s:
        row = service.get(s, merchant, "hot")
        fen_key, uses_key = budgets._pool_keys(row)
        assert redis_hot.state(s, fen_key).taken_units == spent
        assert redis_hot.state(s, uses_key).taken_units == uses
        per_member = dict(s.execute(select(PromotionMemberUse.member_id, PromotionMemberUse.uses)
                                    .where(PromotionMemberUse.promotion_id == row.id)).all())
        by_order = Counter(s.scalars(select(PromotionUse.member_id).where(
            PromotionUse.promotion_id == row.id)))
        assert {m: n for m, n in per_member.items() if n} == dict(by_order)
        assert max(per_member.values()) <= 3


def test_redis_budgets_survive_an_edit_of_the_limits(runtime, now, redis_hot):
    """An edit starts new hot pools seeded from the ledger: the per-member limit still
    counts the uses before the edit, and cancelling an order from before the edit gives
    its fen and its use back to the new pools exactly."""
    body = {"id": "ed", "name": "立减", "kind": "fixed", "off": "8.00", "budget": "50.00",
            "per_member_limit": 2, "total_limit": 5}
    merchant, [a, b] = _setup(runtime, now, body, members=2)
    placed = []
    with runtime.sessions.begin() as s:
        for member in (a, a, b):
            placed.append(checkout.place_priced(s, merchant, PricedOrderIn(
                member_id=member, items=[{"sku": "BOX"}]), now=now, hot=redis_hot))
    assert [p.quote.discount for p in placed] == [800, 800, 800]
    later = now + timedelta(minutes=5)
    with runtime.sessions.begin() as s:
        service.edit(s, merchant, "ed", {**body, "budget": "40.00"}, actor="test", now=later)
    with runtime.sessions.begin() as s:
        # a third order of member a: over its limit of 2, priced without the promotion
        third = checkout.place_priced(s, merchant, PricedOrderIn(
            member_id=a, items=[{"sku": "BOX"}]), now=later, hot=redis_hot)
        assert third.quote.discount == 0
        checkout.cancel(s, merchant, placed[0].order.id, now=later, hot=redis_hot)
        again = checkout.place_priced(s, merchant, PricedOrderIn(
            member_id=a, items=[{"sku": "BOX"}]), now=later, hot=redis_hot)
        assert again.quote.discount == 800
    with runtime.sessions() as s:
        row = service.get(s, merchant, "ed")
        fen_key, uses_key = budgets._pool_keys(row)
        spent, uses = repo.spent_by_uses(s, merchant, row.id)
        assert (spent, uses) == (1600 + 800, 3)
        assert redis_hot.state(s, fen_key).remaining == 4000 - spent
        assert redis_hot.state(s, uses_key).remaining == 5 - uses
