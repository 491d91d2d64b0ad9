"""Use cases of orders: place (idempotent, stock-safe), pay, list, anonymize on erasure."""

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


def _line_discounts(data: OrderIn, priced: list[tuple[str, str, int, int]]) -> list[int]:
    given = [ln.discount for ln in data.lines]
    if all(d is None for d in given):
        return allocate(data.discount, [q * p for _, _, q, p in priced])
    for i, (d, (_, _, qty, price)) in enumerate(zip(given, priced, strict=True)):
        if d is None or d > qty * price:
            raise InvalidInput(f"lines[{i}].discount: 每行都须给出优惠, 且不超过该行金额",
                               field=f"lines[{i}].discount")
    if sum(given) != data.discount:
        raise InvalidInput("discount: 须等于各行优惠之和", field="discount")
    return given


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
            raise InvalidInput(f"lines[{i}].sku: 商品 {ln.sku} 不存在, 且未给出价格",
                               field=f"lines[{i}].sku")
        price = ln.price if ln.price is not None else product.price_fen
        name = ln.name or (product.name if product else ln.sku)
        priced.append((ln.sku, name, ln.qty, price))
    subtotal = sum(q * p for _, _, q, p in priced)
    if data.discount > subtotal:
        raise InvalidInput("discount: 优惠不能超过商品金额", field="discount")
    line_discounts = _line_discounts(data, priced)
    if take_stock:
        for i, (sku, _, qty, _) in enumerate(priced):
            product = products.get(sku)
            if product is not None and not catalog.take_stock(session, merchant_id,
                                                              product.id, qty):
                raise Conflict(f"lines[{i}].qty: 商品 {sku} 库存不足", field=f"lines[{i}].qty",
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


CANCELLABLE = ("pending", "paid", "held")


def cancel(session: Session, merchant_id: int, order_id: int, *, now: datetime,
           restock: bool = True) -> tuple[Order, bool]:
    """Cancel an order not yet shipped; its stock goes back to the catalog unless
    `restock` is False (a flash-sale order: its units go back to the sale's pool, see
    flashsale.tasks). Returns (order, changed): cancelling a cancelled order again
    changes nothing."""
    order = require_scoped(session, Order, merchant_id, order_id, "order", for_update=True)
    if order.status == "cancelled":
        return order, False
    if order.status not in CANCELLABLE:
        raise Conflict(f"status: 订单状态为 {order.status}, 不能取消", field="status",
                       code="order_not_cancellable")
    order.status = "cancelled"
    if restock:
        _restock(session, merchant_id, order)
    session.flush()
    if order.paid_at is not None:
        _emit_refund(session, merchant_id, order, now)
    return order, True


def _restock(session: Session, merchant_id: int, order: Order) -> None:
    """The order's units go back to stock (cancelled, or refunded before shipping)."""
    lines = lines_of(session, merchant_id, [order.id])[order.id]
    products = catalog.by_skus(session, merchant_id, [ln.sku for ln in lines])
    for ln in lines:
        if ln.sku in products:
            catalog.return_stock(session, merchant_id, products[ln.sku].id, ln.qty)


def _emit_refund(session: Session, merchant_id: int, order: Order, now: datetime) -> None:
    events.emit(session, merchant_id, "refund", at=now, member_id=order.member_id,
                group_id=order.group_id, key=f"refund:{order.id}",
                payload={"order_id": order.id, "total_fen": order.total_fen})


def _paid_with(session: Session, merchant_id: int, order_id: int) -> str | None:
    """The idempotency key the order was paid with (kept on its "pay" event)."""
    from siyu.events.models import Event

    event = session.scalars(scoped(Event, merchant_id).where(
        Event.idempotency_key == f"pay:{order_id}")).one_or_none()
    return None if event is None else (event.payload or {}).get("idempotency_key")


def pay(session: Session, merchant_id: int, order_id: int, *, now: datetime,
        idempotency_key: str | None = None) -> tuple[Order, bool]:
    """The member paid a pending order: pending → paid, once. Returns (order, changed).

    A retry with the key of the payment that succeeded returns the paid order
    (changed False); paying an order that is not pending otherwise is 409
    order_not_payable — already paid, cancelled, or a flash-sale order released or past
    its payment window (`flashsale.service.before_pay`, which claims the flash order
    first, so a pay racing the unpaid-release job: exactly one of them wins)."""
    from siyu.flashsale import service as flashsale

    def not_payable(order: Order) -> tuple[Order, bool]:
        if (idempotency_key and order.paid_at is not None
                and _paid_with(session, merchant_id, order.id) == idempotency_key):
            return order, False
        raise Conflict(f"status: 订单状态为 {order.status}, 不能支付", field="status",
                       code="order_not_payable")

    order = require_scoped(session, Order, merchant_id, order_id, "order")
    if order.status != "pending":
        return not_payable(order)
    flashsale.before_pay(session, merchant_id, order.id, now=now)
    session.refresh(order, with_for_update=True)  # locked and read again: a racing pay
    if order.status != "pending":
        return not_payable(order)
    order.status, order.paid_at = "paid", now
    session.flush()
    events.emit(session, merchant_id, "pay", at=now, member_id=order.member_id,
                group_id=order.group_id, key=f"pay:{order.id}",
                payload={"order_id": order.id, "total_fen": order.total_fen,
                         "idempotency_key": idempotency_key})
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


# ---- risk actions and facts (used by the risk domain) -------------------------------

HOLDABLE = ("pending", "paid")
REFUNDABLE = ("paid", "held", "shipped", "completed")
TRADED = ("paid", "shipped", "completed")


def hold(session: Session, merchant_id: int, order_id: int) -> tuple[Order, str, bool]:
    """Hold an order for a risk review (冻结/暂停发货). Returns (order, status before,
    changed); holding a held order changes nothing."""
    order = require_scoped(session, Order, merchant_id, order_id, "order", for_update=True)
    before = order.status
    if before == "held":
        return order, before, False
    if before not in HOLDABLE:
        raise Conflict(f"status: 订单状态为 {before}, 不能冻结", field="status",
                       code="order_not_holdable")
    order.status = "held"
    session.flush()
    return order, before, True


def release(session: Session, merchant_id: int, order_id: int) -> tuple[Order, str]:
    """A held order goes back to paid (or pending when it was never paid)."""
    order = require_scoped(session, Order, merchant_id, order_id, "order", for_update=True)
    if order.status != "held":
        raise Conflict(f"status: 订单状态为 {order.status}, 不是冻结状态", field="status",
                       code="order_not_held")
    order.status = "paid" if order.paid_at is not None else "pending"
    session.flush()
    return order, "held"


def refund(session: Session, merchant_id: int, order_id: int, *, now: datetime,
           ) -> tuple[Order, str, bool]:
    """Refund a paid order in full (退款). Units not yet shipped go back to stock.
    Returns (order, status before, changed); refunding twice changes nothing."""
    order = require_scoped(session, Order, merchant_id, order_id, "order", for_update=True)
    before = order.status
    if before == "refunded":
        return order, before, False
    if before not in REFUNDABLE or order.paid_at is None:
        raise Conflict(f"status: 订单状态为 {before}, 不能退款", field="status",
                       code="order_not_refundable")
    order.status = "refunded"
    if before in ("paid", "held"):
        _restock(session, merchant_id, order)
    session.flush()
    _emit_refund(session, merchant_id, order, now)
    return order, before, True


def placed_between(session: Session, merchant_id: int, *, since: datetime | None,
                   until: datetime | None, batch: int = 1000):
    """Orders placed in [since, until), oldest first, with their lines: yields
    (order, lines) in batches so a long sweep does not hold everything twice."""
    last = 0
    while True:
        stmt = scoped(Order, merchant_id).where(Order.id > last)
        if since is not None:
            stmt = stmt.where(Order.placed_at >= since)
        if until is not None:
            stmt = stmt.where(Order.placed_at < until)
        rows = list(session.scalars(stmt.order_by(Order.id).limit(batch)))
        if not rows:
            return
        lines = lines_of(session, merchant_id, [o.id for o in rows])
        for o in rows:
            yield o, lines[o.id]
        last = rows[-1].id


def _unit_prices(merchant_id: int, sku: str):
    unit = (OrderLine.total_fen // OrderLine.qty).label("unit")
    return (select(unit, Order.paid_at).join(Order, Order.id == OrderLine.order_id)
            .where(OrderLine.merchant_id == merchant_id, Order.merchant_id == merchant_id,
                   OrderLine.sku == sku, Order.status.in_(TRADED),
                   Order.paid_at.is_not(None)))


def lowest_unit_price(session: Session, merchant_id: int, sku: str, *, since: datetime,
                      until: datetime) -> int | None:
    """The lowest price paid for one unit of `sku` (discounts included, rounded down)
    by orders paid in [since, until) that were not cancelled or refunded."""
    sub = _unit_prices(merchant_id, sku).where(Order.paid_at >= since,
                                               Order.paid_at < until).subquery()
    return session.scalar(select(func.min(sub.c.unit)))


def last_unit_price(session: Session, merchant_id: int, sku: str, *, before: datetime,
                    ) -> int | None:
    """The unit price of the last such transaction before `before`."""
    stmt = (_unit_prices(merchant_id, sku).where(Order.paid_at < before)
            .order_by(Order.paid_at.desc(), OrderLine.id.desc()).limit(1))
    row = session.execute(stmt).first()
    return None if row is None else row[0]
