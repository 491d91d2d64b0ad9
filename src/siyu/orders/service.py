"""Use cases of orders: place (idempotent, stock-safe), list, anonymize on erasure."""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from siyu.catalog import repository as catalog
from siyu.core.clock import to_beijing
from siyu.core.errors import Conflict, InvalidInput
from siyu.core.money import allocate
from siyu.db.scope import require_scoped, scoped
from siyu.events import service as events
from siyu.members import service as members
from siyu.orders.models import Order, OrderLine
from siyu.orders.schemas import OrderIn, OrderLineOut, OrderOut


def new_order_no(now: datetime) -> str:
    return to_beijing(now).strftime("SY%Y%m%d%H%M%S") + secrets.token_hex(3).upper()


def by_key(session: Session, merchant_id: int, key: str) -> Order | None:
    stmt = scoped(Order, merchant_id).where(Order.idempotency_key == key)
    return session.scalars(stmt).one_or_none()


def place(session: Session, merchant_id: int, data: OrderIn, *, now: datetime,
          idempotency_key: str | None = None, take_stock: bool = True,
          emit_events: bool = True) -> tuple[Order, bool]:
    """Create an order; returns (order, created). A retried key returns the first order."""
    if idempotency_key:
        existing = by_key(session, merchant_id, idempotency_key)
        if existing is not None:
            return existing, False
    if data.member_id is not None:
        members.require_active(session, merchant_id, data.member_id)
    if data.order_no:
        dup = session.scalars(scoped(Order, merchant_id).where(
            Order.order_no == data.order_no)).one_or_none()
        if dup is not None:
            raise Conflict(f"order_no: 订单号 {data.order_no} 已存在", field="order_no",
                           code="duplicate_order_no")
    products = catalog.by_skus(session, merchant_id, [ln.sku for ln in data.lines])
    priced: list[tuple[str, str, int, int]] = []
    for i, ln in enumerate(data.lines):
        product = products.get(ln.sku)
        if ln.price is None and product is None:
            raise InvalidInput(f"lines.{i}.sku: 商品 {ln.sku} 不存在, 且未给出价格",
                               field=f"lines.{i}.sku")
        price = ln.price if ln.price is not None else product.price_fen
        name = ln.name or (product.name if product else ln.sku)
        priced.append((ln.sku, name, ln.qty, price))
    subtotal = sum(q * p for _, _, q, p in priced)
    if data.discount > subtotal:
        raise InvalidInput("discount: 优惠不能超过商品金额", field="discount")
    line_discounts = allocate(data.discount, [q * p for _, _, q, p in priced])
    if take_stock:
        for i, (sku, _, qty, _) in enumerate(priced):
            product = products.get(sku)
            if product is not None and not catalog.take_stock(session, merchant_id,
                                                              product.id, qty):
                raise Conflict(f"lines.{i}.qty: 商品 {sku} 库存不足", field=f"lines.{i}.qty",
                               code="out_of_stock")
    placed_at = data.placed_at or now
    order = Order(
        merchant_id=merchant_id, order_no=data.order_no or new_order_no(now),
        member_id=data.member_id, group_id=data.group_id, store_code=data.store,
        status=data.status, subtotal_fen=subtotal, discount_fen=data.discount,
        shipping_fen=data.shipping, total_fen=subtotal - data.discount + data.shipping,
        coupons=data.coupons, ip=data.ip, device=data.device, address=data.address,
        channel=data.channel, placed_at=placed_at,
        paid_at=placed_at if data.status == "paid" else None, idempotency_key=idempotency_key)
    session.add(order)
    session.flush()
    for (sku, name, qty, price), disc in zip(priced, line_discounts, strict=True):
        session.add(OrderLine(merchant_id=merchant_id, order_id=order.id, sku=sku, name=name,
                              qty=qty, unit_price_fen=price, discount_fen=disc,
                              total_fen=qty * price - disc))
    session.flush()
    if emit_events:
        payload = {"order_id": order.id, "total_fen": order.total_fen}
        events.emit(session, merchant_id, "order", at=placed_at, member_id=order.member_id,
                    group_id=order.group_id, payload=payload, key=f"order:{order.id}")
        if order.paid_at:
            events.emit(session, merchant_id, "pay", at=placed_at, member_id=order.member_id,
                        group_id=order.group_id, payload=payload, key=f"pay:{order.id}")
    return order, True


def lines_of(session: Session, merchant_id: int, order_ids: list[int]) -> dict[int, list]:
    out: dict[int, list] = {i: [] for i in order_ids}
    if not order_ids:
        return out
    stmt = scoped(OrderLine, merchant_id).where(OrderLine.order_id.in_(order_ids)).order_by(
        OrderLine.id)
    for ln in session.scalars(stmt):
        out[ln.order_id].append(ln)
    return out


def to_out(session: Session, merchant_id: int, orders: list[Order]) -> list[OrderOut]:
    lines = lines_of(session, merchant_id, [o.id for o in orders])
    return [OrderOut(
        id=o.id, order_no=o.order_no, member_id=o.member_id, status=o.status,
        subtotal=o.subtotal_fen, discount=o.discount_fen, shipping=o.shipping_fen,
        total=o.total_fen, placed_at=o.placed_at, paid_at=o.paid_at,
        lines=[OrderLineOut(sku=ln.sku, name=ln.name, qty=ln.qty, unit_price=ln.unit_price_fen,
                            discount=ln.discount_fen, total=ln.total_fen)
               for ln in lines[o.id]]) for o in orders]


def get(session: Session, merchant_id: int, order_id: int) -> OrderOut:
    return to_out(session, merchant_id, [require_scoped(session, Order, merchant_id, order_id,
                                                        "order")])[0]


def search(session: Session, merchant_id: int, *, member_id: int | None = None,
           status: str | None = None, since: datetime | None = None,
           until: datetime | None = None, limit: int = 50, offset: int = 0,
           ) -> tuple[list[Order], int]:
    stmt = scoped(Order, merchant_id)
    if member_id is not None:
        stmt = stmt.where(Order.member_id == member_id)
    if status:
        stmt = stmt.where(Order.status == status)
    if since is not None:
        stmt = stmt.where(Order.placed_at >= since)
    if until is not None:
        stmt = stmt.where(Order.placed_at < until)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = list(session.scalars(stmt.order_by(Order.placed_at.desc(), Order.id.desc())
                                .limit(limit).offset(offset)))
    return rows, total


def anonymize_member(session: Session, merchant_id: int, member_id: int) -> None:
    """PIPL erasure: orders keep their amounts (the books balance) but lose the address,
    IP and device that identify the person."""
    for order in session.scalars(scoped(Order, merchant_id).where(Order.member_id == member_id)):
        order.address = None
        order.ip = None
        order.device = None
