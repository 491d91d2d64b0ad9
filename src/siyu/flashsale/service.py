"""Use cases of flash sales (秒杀): create sessions, buy, read progress (return rounds:
`rounds`).

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
from siyu.core.clock import BEIJING, as_utc, beijing_date, fmt_beijing, to_beijing
from siyu.core.errors import Conflict, Gone, InvalidInput, SiyuError
from siyu.core.money import fmt_yuan
from siyu.flashsale import repository as repo
from siyu.flashsale.models import FlashOrder, FlashSale
from siyu.flashsale.rules import Rules, rules_for
from siyu.flashsale.schemas import FlashSaleIn, FlashSaleOut, SessionsIn
from siyu.hot import Hot, LimitReached, PoolEmpty, PoolState, Taken
from siyu.risk import reviews as copy_reviews
from siyu.risk import service as copy_risk


class SoldOut(Gone):
    code = "sold_out"


class InsufficientStock(Conflict):
    code = "insufficient_stock"


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


def check_window(starts_at: datetime, ends_at: datetime, *, now: datetime) -> None:
    """A new sale's window: it ends after it starts, and not in the past."""
    if ends_at <= starts_at:
        raise InvalidInput("ends_at: 须晚于 starts_at", field="ends_at")
    if ends_at <= now:
        raise InvalidInput(f"ends_at: 结束时间 {fmt_beijing(ends_at)} (北京时间) 已过, "
                           "不能创建已结束的秒杀", field="ends_at")


def insert_sale(session: Session, hot: Hot, sale: FlashSale, *, now: datetime, actor: str,
                ) -> FlashSale:
    """Store a new sale (a session or a return round), its hot pool and its audit."""
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
    check_window(data.starts_at, data.ends_at, now=now)
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
    insert_sale(session, hot, sale, now=now, actor=actor)
    if review:
        copy_reviews.submit(session, merchant_id, source="flash_sale", source_id=sale.id,
                            texts=texts, findings=review, actor=actor, now=now)
    return sale


def create_sessions(session: Session, hot: Hot, merchant_id: int, data: SessionsIn, *,
                    now: datetime, actor: str) -> list[FlashSale]:
    """One sale per session time of the day (Beijing time), each with its own stock;
    every session is checked before the first is made (none ended, none overlapping)."""
    rules = rules_for(session, merchant_id)
    minutes = data.duration_minutes or rules.session_minutes
    times = list(data.times or rules.sessions)
    starts = [as_utc(datetime.combine(data.date, time(*(int(x) for x in hhmm.split(":"))),
                                      tzinfo=BEIJING)) for hhmm in times]
    _check_sessions(data, times, starts, timedelta(minutes=minutes), now=now)
    sales = []
    for hhmm, start in zip(times, starts, strict=True):
        one = FlashSaleIn(sku=data.sku, price=fmt_yuan(data.price), stock=data.stock,
                          per_member_limit=data.per_member_limit, starts_at=start,
                          ends_at=start + timedelta(minutes=minutes), name=data.name,
                          label=f"{hhmm}场")
        sales.append(create(session, hot, merchant_id, one, now=now, actor=actor,
                            rules=rules))
    return sales


def _check_sessions(data: SessionsIn, times: list[str], starts: list[datetime],
                    length: timedelta, *, now: datetime) -> None:
    """No session of the day already over, no two of them at once (same SKU)."""

    def field(i: int) -> str:
        # Default times come from the merchant's rules: name what the caller can change.
        if data.times:
            return f"times[{i}]"
        return "duration_minutes" if data.duration_minutes else "times"

    ended = [i for i, start in enumerate(starts) if start + length <= now]
    if ended and len(ended) == len(starts) and data.date < beijing_date(now):
        raise InvalidInput(f"date: {data.date} 已过去, 其场次都已结束", field="date")
    if ended:
        i = ended[0]
        f = f"times[{i}]" if data.times else "times"
        raise InvalidInput(f"{f}: {data.date} {times[i]}场 已于 "
                           f"{fmt_beijing(starts[i] + length, '%H:%M')} 结束, "
                           "请指定尚未结束的场次", field=f)
    order = sorted(range(len(starts)), key=lambda i: starts[i])
    for before, after in zip(order, order[1:], strict=False):
        if starts[after] < starts[before] + length:
            f = field(after)
            raise InvalidInput(f"{f}: {times[after]}场 与 {times[before]}场 时间重叠 "
                               f"(每场 {int(length.total_seconds() // 60)} 分钟)", field=f)


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
        raise refused(session, hot, sale, qty) from None
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


def refused(session: Session, hot: Hot, sale: FlashSale, qty: int) -> SiyuError:
    """Why a take of `qty` found too few units: sold out (410, contract 9) when none are
    left, else how many are (409), read after the refusal."""
    left = remaining_of(sale, hot.state(session, sale.pool_key))
    if left == 0:
        return SoldOut(f"秒杀 {sale.id} 已抢光", field="flash_sale_id")
    if left < qty:
        return InsufficientStock(f"qty: 库存不足, 仅剩 {left} 件", field="qty")
    # Units were released between the refusal and this read.
    return InsufficientStock(f"qty: 库存不足, 现剩 {left} 件, 请重试", field="qty")


def remaining_of(sale: FlashSale, state: PoolState) -> int:
    """Units still on sale: none once the pool is closed (return round, settlement)."""
    return 0 if state.closed else max(0, min(state.remaining, sale.stock))


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
    remaining = remaining_of(sale, state)
    sold = state.taken_units
    returned, moved = _gone_unsold(session, sale, state, sold)
    if now < sale.starts_at:
        countdown = (sale.starts_at - now).total_seconds()
    elif now < sale.ends_at:
        countdown = (sale.ends_at - now).total_seconds()
    else:
        countdown = 0
    return FlashSaleOut(
        id=sale.id, sku=sale.sku, name=sale.name, price=sale.price_fen, stock=sale.stock,
        sold=sold, remaining=remaining, returned=returned, moved_to_return_round=moved,
        buyers=state.takers,
        percent_sold=round(100 * sold / sale.stock, 1) if sale.stock else 0.0,
        status=status_of(sale, remaining, now=now), starts_at=sale.starts_at,
        ends_at=sale.ends_at, countdown_seconds=int(countdown),
        per_member_limit=sale.per_member_limit, label=sale.label, round=sale.round,
        parent_id=sale.parent_id)


def _gone_unsold(session: Session, sale: FlashSale, state: PoolState, sold: int,
                 ) -> tuple[int, int]:
    """(units returned to the catalog at settlement, units moved into the return round
    when its pool was closed before settlement)."""
    returned = sale.returned_units or 0
    if not state.closed or sale.round != 1:
        return returned, 0
    if sale.settled_at is not None:
        # Settled: every order is paid or released, so what is neither sold nor returned
        # left through the return round's close (none when the round came afterwards).
        return returned, max(0, sale.stock - sold - returned)
    child = repo.return_round_of(session, sale.merchant_id, sale.id)
    return returned, child.stock if child is not None else 0


def get(session: Session, hot: Hot, merchant_id: int, sale_id: int, *,
        now: datetime) -> FlashSaleOut:
    return to_out(session, hot, repo.require(session, merchant_id, sale_id), now=now)


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
