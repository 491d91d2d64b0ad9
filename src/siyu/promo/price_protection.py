"""Price protection (价格保护, 保价): when a SKU's price drops within N days of a purchase
(merchant setting `price_protection_days`, default 30), the earlier buyer is owed the
difference.

Reading: per order, the units of the SKU paid `paid` in all after that order's
discounts (its lines' totals: promotions and coupons already taken off pro rata), so
the unit price actually paid is paid / qty, and the refund is
max(0, paid - new price × qty) — exact in fen, no rounding. Refunds already recorded
for the same order and SKU (an earlier drop) are subtracted, so two drops in a row
never pay the first difference twice. Buyers: orders paid (status paid, shipped or
completed) in [drop − N days, drop]. A cancelled or refunded order is owed nothing.

A drop is recorded when the catalog changes a price downwards (`on_price_drop`, called
by `siyu.catalog.service.upsert`), or on demand (`run`: the current price against the
last N days; it records a drop only when something is owed). A refund row is unique per
(drop, order): never twice for the same order and drop.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from siyu.catalog import repository as catalog
from siyu.catalog.models import Product
from siyu.core.clock import fmt_beijing, to_beijing
from siyu.core.errors import NotFound
from siyu.core.money import fmt_yuan
from siyu.orders.models import Order, OrderLine
from siyu.promo import repository as repo
from siyu.promo.models import PriceDrop, PriceProtectionRefund
from siyu.promo.service import settings_of

PROTECTED_STATUSES = ("paid", "shipped", "completed")


@dataclass(frozen=True)
class Owed:
    order: Order
    qty: int
    paid: int
    refund: int


def owed(session: Session, merchant_id: int, sku: str, new_price: int, *, at: datetime,
         days: int) -> list[Owed]:
    """What each order paid in the window is owed at `new_price`, net of refunds already
    recorded for it."""
    stmt = (select(Order, OrderLine.qty, OrderLine.total_fen)
            .join(OrderLine, OrderLine.order_id == Order.id)
            .where(Order.merchant_id == merchant_id, OrderLine.merchant_id == merchant_id,
                   OrderLine.sku == sku, Order.status.in_(PROTECTED_STATUSES),
                   Order.paid_at >= at - timedelta(days=days), Order.paid_at <= at)
            .order_by(Order.paid_at, Order.id))
    per_order: dict[int, list] = {}
    for order, qty, total in session.execute(stmt):
        entry = per_order.setdefault(order.id, [order, 0, 0])
        entry[1] += qty
        entry[2] += total
    done = repo.refunded_by_order(session, merchant_id, sku, per_order)
    out = []
    for order, qty, paid in per_order.values():
        refund = max(0, paid - new_price * qty) - done.get(order.id, 0)
        if refund > 0:
            out.append(Owed(order, qty, paid, refund))
    return out


def _record(session: Session, merchant_id: int, product: Product, old_price: int | None,
            *, at: datetime, source: str, only_if_owed: bool) -> PriceDrop | None:
    days = settings_of(session, merchant_id)["price_protection_days"]
    found = owed(session, merchant_id, product.sku, product.price_fen, at=at, days=days)
    if only_if_owed and not found:
        return None
    drop = PriceDrop(merchant_id=merchant_id, product_id=product.id, sku=product.sku,
                     old_price_fen=old_price, new_price_fen=product.price_fen, dropped_at=at,
                     window_days=days, source=source, created_at=at)
    session.add(drop)
    session.flush()
    for o in found:
        session.add(PriceProtectionRefund(
            merchant_id=merchant_id, price_drop_id=drop.id, order_id=o.order.id,
            member_id=o.order.member_id, sku=product.sku, qty=o.qty, paid_fen=o.paid,
            new_price_fen=product.price_fen, refund_fen=o.refund, created_at=at))
    session.flush()
    return drop


def on_price_drop(session: Session, merchant_id: int, product: Product, old_price: int, *,
                  now: datetime) -> PriceDrop | None:
    """The catalog lowered a price: record the drop and the refunds it owes."""
    return _record(session, merchant_id, product, old_price, at=now, source="catalog",
                   only_if_owed=False)


def run(session: Session, merchant_id: int, sku: str, *, now: datetime) -> PriceDrop | None:
    """On demand: record what earlier buyers are still owed at the SKU's current price."""
    product = catalog.by_sku(session, merchant_id, sku)
    if product is None:
        raise NotFound(f"sku: 商品 {sku} 不存在", field="sku", code="product_not_found")
    return _record(session, merchant_id, product, None, at=now, source="manual",
                   only_if_owed=True)


COLUMNS = ["drop_id", "dropped_at", "sku", "order_id", "order_no", "member_id", "qty",
           "paid", "unit_paid", "new_price", "refund", "status"]


def report(session: Session, merchant_id: int, sku: str) -> dict:
    """Every refund recorded for the SKU, drop by drop."""
    if catalog.by_sku(session, merchant_id, sku) is None:
        raise NotFound(f"sku: 商品 {sku} 不存在", field="sku", code="product_not_found")
    rows = []
    orders = {}
    pairs = repo.refunds(session, merchant_id, sku=sku)
    if pairs:
        ids = [r.order_id for r, _ in pairs]
        orders = {o.id: o for o in session.scalars(
            select(Order).where(Order.merchant_id == merchant_id, Order.id.in_(ids)))}
    for r, drop in pairs:
        rows.append({"drop_id": drop.id,
                     "dropped_at": to_beijing(drop.dropped_at).isoformat(timespec="seconds"),
                     "sku": r.sku, "order_id": r.order_id,
                     "order_no": orders[r.order_id].order_no, "member_id": r.member_id,
                     "qty": r.qty, "paid": fmt_yuan(r.paid_fen),
                     "unit_paid": fmt_yuan(r.paid_fen // r.qty),
                     "new_price": fmt_yuan(r.new_price_fen), "refund": fmt_yuan(r.refund_fen),
                     "status": r.status})
    return {"sku": sku, "window_days": settings_of(session, merchant_id)["price_protection_days"],
            "drops": len(repo.drops(session, merchant_id, sku)),
            "total_refund": fmt_yuan(sum(r.refund_fen for r, _ in pairs)), "refunds": rows}


def report_csv(doc: dict) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for row in doc["refunds"]:
        # Excel reads "2026-01-20 12:00" as a time; the JSON keeps ISO 8601 with +08:00.
        cells = {**row, "dropped_at": fmt_beijing(datetime.fromisoformat(row["dropped_at"]))}
        writer.writerow([cells[c] if cells[c] is not None else "" for c in COLUMNS])
    return out.getvalue()
