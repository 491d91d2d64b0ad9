"""Use cases of flash sales (秒杀): create sessions, buy, read progress, return rounds.

Stock: when the SKU is a catalog product, the sale's stock is reserved from the
product when the sale is created (never oversold across channels) and what did not
sell goes back when the sale is settled (`tasks`). A buy is one atomic take from the
sale's hot pool, then the winner's order through `orders.service.place` at the flash
price with `take_stock=False` — the stock was taken once, by the reservation.

A sale's name and label pass the copy scanner at creation: copy that blocks is refused
(422 copy_blocked naming the field, nothing stored or reserved); copy that needs a
review makes a `pending_review` sale queued for the legal role: no one can buy (409
flash_sale_pending_review) until approved (→ `active`); rejected (→ `rejected`, 410
flash_sale_rejected) it ends at once and settlement returns its stock.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from sqlalchemy.orm import Session

from siyu.audit import service as audit
from siyu.catalog import repository as catalog
from siyu.core.clock import BEIJING, as_utc, fmt_beijing, to_beijing
from siyu.core.errors import Conflict, Gone, InvalidInput
from siyu.core.money import fmt_yuan
from siyu.flashsale import repository as repo
from siyu.flashsale.models import FlashOrder, FlashSale
from siyu.flashsale.rules import Rules, rules_for
from siyu.flashsale.schemas import FlashSaleIn, FlashSaleOut, ReturnRoundIn, SessionsIn
from siyu.hot import Hot, LimitReached, PoolEmpty, Taken
from siyu.risk import reviews as copy_reviews
from siyu.risk import service as copy_risk


class SoldOut(Gone):
    code = "sold_out"


class BuyLimitReached(Conflict):
    code = "limit_reached"


class NotActive(Conflict):
    code = "not_active"


class PendingReview(Conflict):
    code = "flash_sale_pending_review"


class Rejected(Gone):
    code = "flash_sale_rejected"


def require_open(sale: FlashSale) -> None:
    """Only an `active` sale sells (its copy passed the scanner or was approved)."""
    if sale.status == "pending_review":
        raise PendingReview(f"flash_sale_id: 秒杀 {sale.id} 的文案待法务复核, 尚不可购买",
                            field="flash_sale_id")
    if sale.status == "rejected":
        raise Rejected(f"flash_sale_id: 秒杀 {sale.id} 的文案未通过法务复核, 不可购买",
                       field="flash_sale_id")


def pool_key(sale_id: int) -> str:
    return f"flashsale:{sale_id}"


def _check_window(starts_at: datetime, ends_at: datetime) -> None:
    if ends_at <= starts_at:
        raise InvalidInput("ends_at: 须晚于 starts_at", field="ends_at")


def _insert(session: Session, hot: Hot, sale: FlashSale, *, now: datetime, actor: str,
            ) -> FlashSale:
    session.add(sale)
    session.flush()
    sale.pool_key = pool_key(sale.id)
    hot.create_pool(session, sale.pool_key, merchant_id=sale.merchant_id, units=sale.stock,
                    per_member_limit=sale.per_member_limit, now=now)
    audit.record(session, sale.merchant_id, actor=actor, action="create", entity="flash_sale",
                 entity_id=sale.id,
                 after={"sku": sale.sku, "price": fmt_yuan(sale.price_fen), "stock": sale.stock,
                        "round": sale.round, "starts_at": sale.starts_at.isoformat()})
    session.flush()
    return sale


def create(session: Session, hot: Hot, merchant_id: int, data: FlashSaleIn, *, now: datetime,
           actor: str, rules: Rules | None = None) -> FlashSale:
    """A new sale with its stock reserved from the catalog product (when the SKU is
    one); `rules`, the merchant's flash-sale rules when the caller already read them."""
    _check_window(data.starts_at, data.ends_at)
    if data.price <= 0:
        raise InvalidInput("price: 秒杀价必须大于 0", field="price")
    texts = {"name": data.name, "label": data.label}
    review = copy_risk.check_copy(session, merchant_id, texts)
    rules = rules or rules_for(session, merchant_id)
    product = catalog.by_sku(session, merchant_id, data.sku)
    if product is not None and not catalog.take_stock(session, merchant_id, product.id,
                                                      data.stock):
        raise Conflict(f"stock: 商品 {data.sku} 库存不足 {data.stock}", field="stock",
                       code="out_of_stock")
    label = data.label or to_beijing(data.starts_at).strftime("%H:%M场")
    sale = FlashSale(merchant_id=merchant_id, sku=data.sku,
                     name=data.name or (product.name if product else data.sku),
                     price_fen=data.price, stock=data.stock,
                     per_member_limit=data.per_member_limit, starts_at=data.starts_at,
                     ends_at=data.ends_at, label=label, round=1,
                     unpaid_minutes=data.unpaid_minutes or rules.unpaid_minutes,
                     product_id=product.id if product else None,
                     status="pending_review" if review else "active", created_at=now)
    _insert(session, hot, sale, now=now, actor=actor)
    if review:
        copy_reviews.submit(session, merchant_id, source="flash_sale", source_id=sale.id,
                            texts=texts, findings=review, actor=actor, now=now)
    return sale


def create_sessions(session: Session, hot: Hot, merchant_id: int, data: SessionsIn, *,
                    now: datetime, actor: str) -> list[FlashSale]:
    """One sale per session time of the day (Beijing time), each with its own stock."""
    rules = rules_for(session, merchant_id)
    minutes = data.duration_minutes or rules.session_minutes
    sales = []
    for hhmm in data.times or rules.sessions:
        h, m = (int(x) for x in hhmm.split(":"))
        starts = as_utc(datetime.combine(data.date, time(h, m), tzinfo=BEIJING))
        one = FlashSaleIn(sku=data.sku, price=fmt_yuan(data.price), stock=data.stock,
                          per_member_limit=data.per_member_limit, starts_at=starts,
                          ends_at=starts + timedelta(minutes=minutes), name=data.name,
                          label=f"{hhmm}场")
        sales.append(create(session, hot, merchant_id, one, now=now, actor=actor,
                            rules=rules))
    return sales


def buy(session: Session, hot: Hot, merchant_id: int, sale_id: int, member_id: int, qty: int,
        *, idem_key: str, now: datetime) -> int:
    """Take `qty` units and create the winner's order; returns the order id."""
    from siyu.members import service as members

    sale = repo.require(session, merchant_id, sale_id)
    require_open(sale)
    members.require_active(session, merchant_id, member_id)
    if not sale.starts_at <= now < sale.ends_at:
        stored = hot.find(session, sale.pool_key, member_id, idem_key)
        if stored is None:
            when = "尚未开始" if now < sale.starts_at else "已结束"
            raise NotActive(f"秒杀 {sale_id} {when}", field="flash_sale_id")
        return order_for(session, hot, sale, stored, now=now)
    try:
        taken = hot.take(session, sale.pool_key, member_id, qty, idem_key=idem_key, now=now,
                         amount=qty * sale.price_fen)
    except LimitReached:
        raise BuyLimitReached(f"已达每人限购 {sale.per_member_limit} 件",
                              field="qty") from None
    except PoolEmpty:
        raise SoldOut(f"秒杀 {sale_id} 已抢光", field="flash_sale_id") from None
    return order_for(session, hot, sale, taken, now=now)


def order_for(session: Session, hot: Hot, sale: FlashSale, taken: Taken, *,
              now: datetime) -> int:
    """The order of a take: created once (a retried take finds it)."""
    from siyu.orders import service as orders
    from siyu.orders.schemas import OrderIn, OrderLineIn

    existing = repo.order_for_take(session, sale.id, taken.seq)
    if existing is not None:
        return existing.order_id
    data = OrderIn(member_id=taken.member_id, status="pending", channel="flash_sale",
                   lines=[OrderLineIn(sku=sale.sku, qty=taken.units, name=sale.name,
                                      price=fmt_yuan(sale.price_fen))])
    try:
        order, _ = orders.place(session, sale.merchant_id, data, now=now, take_stock=False,
                                idempotency_key=f"flash:{sale.id}:{taken.seq}")
    except Exception:
        if hot.info(session, sale.pool_key).backend == "redis" and not taken.replayed:
            # The units left Redis outside this transaction: put them back.
            hot.give_back(session, sale.pool_key, taken.member_id, taken.units,
                          idem_key=f"undo:{taken.seq}", now=now)
        raise
    session.add(FlashOrder(merchant_id=sale.merchant_id, flash_sale_id=sale.id,
                           member_id=taken.member_id, order_id=order.id, qty=taken.units,
                           seq=taken.seq, status="pending",
                           pay_by=now + timedelta(minutes=sale.unpaid_minutes), created_at=now))
    session.flush()
    return order.id


def status_of(sale: FlashSale, remaining: int, *, now: datetime) -> str:
    if sale.status != "active":  # pending_review, rejected
        return sale.status
    if now < sale.starts_at:
        return "upcoming"
    if now >= sale.ends_at:
        return "ended"
    return "sold_out" if remaining == 0 else "active"


def to_out(session: Session, hot: Hot, sale: FlashSale, *, now: datetime) -> FlashSaleOut:
    state = hot.state(session, sale.pool_key)
    remaining = max(0, min(state.remaining, sale.stock)) if not state.closed else 0
    sold = state.taken_units
    if now < sale.starts_at:
        countdown = (sale.starts_at - now).total_seconds()
    elif now < sale.ends_at:
        countdown = (sale.ends_at - now).total_seconds()
    else:
        countdown = 0
    return FlashSaleOut(
        id=sale.id, sku=sale.sku, name=sale.name, price=sale.price_fen, stock=sale.stock,
        sold=sold, remaining=remaining, buyers=state.takers,
        percent_sold=round(100 * sold / sale.stock, 1) if sale.stock else 0.0,
        status=status_of(sale, remaining, now=now), starts_at=sale.starts_at,
        ends_at=sale.ends_at, countdown_seconds=int(countdown),
        per_member_limit=sale.per_member_limit, label=sale.label, round=sale.round,
        parent_id=sale.parent_id)


def get(session: Session, hot: Hot, merchant_id: int, sale_id: int, *,
        now: datetime) -> FlashSaleOut:
    return to_out(session, hot, repo.require(session, merchant_id, sale_id), now=now)


def return_round(session: Session, hot: Hot, merchant_id: int, sale_id: int,
                 data: ReturnRoundIn, *, now: datetime, actor: str) -> FlashSale:
    """返场: move what did not sell into a new, later sale (once per sale)."""
    sale = repo.require(session, merchant_id, sale_id, for_update=True)
    existing = repo.return_round_of(session, merchant_id, sale.id)
    if existing is not None:
        return existing
    require_open(sale)  # a held or rejected name is not sold again either
    if sale.round != 1:
        raise Conflict("flash_sale_id: 返场不能再返场", field="flash_sale_id",
                       code="not_allowed")
    if now < sale.ends_at:
        raise Conflict(f"flash_sale_id: 秒杀 {sale_id} 尚未结束", field="flash_sale_id",
                       code="not_ended")
    if sale.settled_at is not None:
        raise Conflict(f"flash_sale_id: 秒杀 {sale_id} 已结算, 余量已退回库存",
                       field="flash_sale_id", code="settled")
    _check_window(data.starts_at, data.ends_at)
    closed = hot.close(session, sale.pool_key, idem_key="return-round", now=now)
    if closed.units == 0:
        raise SoldOut(f"秒杀 {sale_id} 没有余量可返场", field="flash_sale_id")
    child = FlashSale(merchant_id=merchant_id, sku=sale.sku, name=sale.name,
                      price_fen=sale.price_fen if data.price is None else data.price,
                      stock=closed.units, per_member_limit=sale.per_member_limit,
                      starts_at=data.starts_at, ends_at=data.ends_at, label="返场", round=2,
                      parent_id=sale.id, unpaid_minutes=sale.unpaid_minutes,
                      product_id=sale.product_id, created_at=now)
    return _insert(session, hot, child, now=now, actor=actor)


# ---- the legal review of held copy (risk.reviews HANDLERS "flash_sale") ---------------


def _held(session: Session, merchant_id: int, sale_id: int) -> FlashSale:
    sale = repo.require(session, merchant_id, sale_id, for_update=True)
    if sale.status != "pending_review":
        raise Conflict(f"status: 秒杀 {sale_id} 不在复核中 ({sale.status})", field="status",
                       code="flash_sale_not_in_review")
    return sale


def _decided(session: Session, sale: FlashSale, before: dict, *, approve: bool,
             actor: str) -> dict:
    session.flush()
    after = {"status": sale.status, "ends_at": sale.ends_at.isoformat()}
    audit.record(session, sale.merchant_id, actor=actor,
                 action="approve" if approve else "reject", entity="flash_sale",
                 entity_id=sale.id, before=before, after=after)
    return {"flash_sale_id": sale.id, **after}


def release_reviewed(session: Session, merchant_id: int, sale_id: int, *, now: datetime,
                     actor: str) -> dict:
    """Legal approved the name: the sale sells in its window."""
    sale = _held(session, merchant_id, sale_id)
    before = {"status": sale.status, "ends_at": sale.ends_at.isoformat()}
    sale.status = "active"
    return _decided(session, sale, before, approve=True, actor=actor)


def reject_reviewed(session: Session, merchant_id: int, sale_id: int, *, now: datetime,
                    actor: str) -> None:
    """Legal rejected the name: never on sale; it ends now, so settlement gives the
    reserved stock back to the product once the unpaid window has passed."""
    sale = _held(session, merchant_id, sale_id)
    before = {"status": sale.status, "ends_at": sale.ends_at.isoformat()}
    sale.status = "rejected"
    sale.starts_at, sale.ends_at = min(sale.starts_at, now), min(sale.ends_at, now)
    _decided(session, sale, before, approve=False, actor=actor)


class PaymentClosed(Conflict):
    code = "order_not_payable"


def before_pay(session: Session, merchant_id: int, order_id: int, *, now: datetime) -> None:
    """Called by `orders.service.pay` before it locks the order: a winner's order may be
    paid only while its window is open and it has not been released. The flash order
    row is claimed first (the release job claims the same row first too, so a pay and a
    release racing never deadlock and exactly one wins)."""
    flash_order = repo.pay_order(session, merchant_id, order_id, now)
    if flash_order is None or flash_order.status == "paid":
        return  # not a flash-sale order, or paid (now or before: orders decides replay)
    if flash_order.status == "released":
        raise PaymentClosed(f"order_id: 秒杀订单 {order_id} 超时未支付, 已释放, 不能再支付",
                            field="order_id")
    raise PaymentClosed(f"order_id: 秒杀订单 {order_id} 已过支付时限 "
                        f"({fmt_beijing(flash_order.pay_by)}), 不能再支付",
                        field="order_id")
