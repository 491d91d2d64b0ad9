"""Scheduled work of flash sales; every step is safe to run twice or in two workers.

- `release_unpaid`: a winner's order still unpaid after the sale's timeout is
  cancelled and its units go back to the sale's stock (once: pending → released is a
  conditional UPDATE, the give-back has a fixed idempotency key).
- `release_orphans`: units a crashed worker took in Redis without creating the order
  (the take is in the ledger, no order) go back after the same timeout.
- `settle_ended`: when a sale has ended and its unpaid window has passed, what did not
  sell goes back to the catalog product it was reserved from (once per sale), recorded
  as the sale's `returned_units`; a later return round reserves them again (`rounds`).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from siyu.audit import service as audit
from siyu.catalog import repository as catalog
from siyu.flashsale import repository as repo
from siyu.flashsale.models import FlashOrder, FlashSale
from siyu.hot import Hot
from siyu.jobs.steps import each_in_savepoint

log = logging.getLogger("siyu.flashsale")


def release(session: Session, hot: Hot, flash_order: FlashOrder, *, now: datetime) -> str:
    """Settle one due order: "paid" when it was paid, "released" when not, "" if done."""
    from siyu.orders import service as orders

    sale = session.get(FlashSale, flash_order.flash_sale_id)
    order = orders.get(session, sale.merchant_id, flash_order.order_id)
    if order.status != "pending":
        outcome = "paid" if order.status != "cancelled" else "released"
        return outcome if repo.settle_order(session, flash_order.id, outcome, now) else ""
    if not repo.settle_order(session, flash_order.id, "released", now):
        return ""
    # The units stay reserved for the sale (not the catalog): they go back to its pool.
    orders.cancel(session, sale.merchant_id, flash_order.order_id, now=now, restock=False)
    hot.give_back(session, sale.pool_key, flash_order.member_id, flash_order.qty,
                  idem_key=f"release:{flash_order.id}", now=now)
    return "released"


def release_unpaid(session: Session, hot: Hot, *, now: datetime, limit: int = 500,
                   merchant_id: int | None = None) -> dict[str, int]:
    counts = {"paid": 0, "released": 0}
    due = repo.due_unpaid(session, now, limit, merchant_id=merchant_id)
    for _, outcome in each_in_savepoint(
            session, due, lambda fo: release(session, hot, fo, now=now), "flash order", log):
        if outcome:
            counts[outcome] += 1
    return counts


def release_orphans(session: Session, hot: Hot, sale: FlashSale, *, now: datetime) -> int:
    """Give back takes older than the unpaid window that never got an order."""
    with_orders = repo.seqs_with_orders(session, sale.id)
    cutoff = now - timedelta(minutes=sale.unpaid_minutes)
    released = 0
    for entry in hot.log(session, sale.pool_key):
        if entry.kind == "take" and entry.seq not in with_orders and entry.at <= cutoff:
            given = hot.give_back(session, sale.pool_key, entry.member_id, entry.units,
                                  idem_key=f"orphan:{entry.seq}", now=now)
            released += 0 if given.replayed else entry.units
    return released


def settle(session: Session, hot: Hot, sale: FlashSale, *, now: datetime) -> int | None:
    """Return what did not sell to the catalog; None when not due or already settled."""
    if now < sale.ends_at + timedelta(minutes=sale.unpaid_minutes):
        return None
    if repo.pending_count(session, sale.id):
        return None
    # The row lock orders this against a return round moving the same units.
    sale = repo.require(session, sale.merchant_id, sale.id, for_update=True)
    if sale.settled_at is not None:
        return None
    release_orphans(session, hot, sale, now=now)
    before = hot.state(session, sale.pool_key)
    closed = hot.close(session, sale.pool_key, idem_key="settle", now=now)
    # A pool closed earlier (return round) holds only units released after that close.
    units = before.remaining if closed.replayed else closed.units
    if not repo.mark_settled(session, sale.id, units, now):
        return None
    if sale.product_id is not None and units:
        catalog.return_stock(session, sale.merchant_id, sale.product_id, units)
    audit.record(session, sale.merchant_id, actor="system", action="settle",
                 entity="flash_sale", entity_id=sale.id, after={"returned_units": units})
    return units


def settle_ended(session: Session, hot: Hot, *, now: datetime, limit: int = 200,
                 merchant_id: int | None = None) -> dict[int, int]:
    done: dict[int, int] = {}
    due = repo.due_to_settle(session, now, limit, merchant_id=merchant_id)
    for sale, units in each_in_savepoint(
            session, due, lambda s: settle(session, hot, s, now=now), "flash sale", log):
        if units is not None:
            done[sale.id] = units
    return done
