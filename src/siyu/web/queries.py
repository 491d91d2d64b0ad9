"""Read-only lookups the console's pages need beyond what the domain services offer,
every statement scoped by merchant: filter options, coupon use counts, price drops and
the refunds they owe, the pages of flash sales and envelopes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from siyu.coupons.models import MemberCoupon
from siyu.db.scope import newest_first, scoped
from siyu.flashsale.models import FlashSale
from siyu.hongbao.models import Envelope
from siyu.members.models import Member, Tag
from siyu.orders.models import Order
from siyu.promo.models import PriceDrop, PriceProtectionRefund
from siyu.risk.models import CopyReview


def tag_names(session: Session, merchant_id: int) -> list[str]:
    stmt = select(Tag.name).where(Tag.merchant_id == merchant_id).order_by(Tag.id)
    return list(session.scalars(stmt))


def channels(session: Session, merchant_id: int) -> list[str]:
    stmt = (select(Member.channel).where(Member.merchant_id == merchant_id,
                                         Member.channel.is_not(None))
            .group_by(Member.channel).order_by(Member.channel))
    return list(session.scalars(stmt))


def flash_sales(session: Session, merchant_id: int, *, limit: int,
                offset: int) -> tuple[list[FlashSale], int]:
    """秒杀 sessions (return rounds too), newest first, and how many there are."""
    return newest_first(session, scoped(FlashSale, merchant_id), FlashSale, limit=limit,
                        offset=offset)


def envelopes(session: Session, merchant_id: int, *, limit: int,
              offset: int) -> tuple[list[Envelope], int]:
    """红包 (a rain's envelopes too), newest first, and how many there are."""
    return newest_first(session, scoped(Envelope, merchant_id), Envelope, limit=limit,
                        offset=offset)


def review_counts(session: Session, merchant_id: int) -> dict[str, int]:
    """法务复核 records per status (pending, approved, ...)."""
    stmt = (select(CopyReview.status, func.count()).where(CopyReview.merchant_id == merchant_id)
            .group_by(CopyReview.status))
    return {status: int(n) for status, n in session.execute(stmt)}


# -- coupons (优惠券) ------------------------------------------------------------------------

def coupons_used(session: Session, merchant_id: int, template_ids: list[int]) -> dict[int, int]:
    """Coupons used on an order, per template."""
    if not template_ids:
        return {}
    c = MemberCoupon
    stmt = (select(c.template_id, func.count()).where(
        c.merchant_id == merchant_id, c.template_id.in_(template_ids), c.status == "used")
        .group_by(c.template_id))
    return {tid: int(n) for tid, n in session.execute(stmt)}


# -- price protection (价保) -----------------------------------------------------------------

@dataclass(frozen=True)
class DropSummary:
    drop: PriceDrop
    orders: int
    refund_fen: int


@dataclass(frozen=True)
class RefundRow:
    refund: PriceProtectionRefund
    dropped_at: datetime
    order_no: str
    member: str | None


def protected_skus(session: Session, merchant_id: int) -> list[str]:
    stmt = (select(PriceDrop.sku).where(PriceDrop.merchant_id == merchant_id)
            .group_by(PriceDrop.sku).order_by(PriceDrop.sku))
    return list(session.scalars(stmt))


def price_drops(session: Session, merchant_id: int, sku: str | None) -> list[DropSummary]:
    """Every drop, newest first, with the orders it owes and their refunds."""
    r = PriceProtectionRefund
    owed = (select(r.price_drop_id, func.count().label("n"),
                   func.sum(r.refund_fen).label("fen"))
            .where(r.merchant_id == merchant_id).group_by(r.price_drop_id).subquery())
    stmt = (select(PriceDrop, owed.c.n, owed.c.fen)
            .outerjoin(owed, owed.c.price_drop_id == PriceDrop.id)
            .where(PriceDrop.merchant_id == merchant_id))
    if sku:
        stmt = stmt.where(PriceDrop.sku == sku)
    stmt = stmt.order_by(PriceDrop.dropped_at.desc(), PriceDrop.id.desc())
    return [DropSummary(d, int(n or 0), int(fen or 0)) for d, n, fen in session.execute(stmt)]


def refund_totals(session: Session, merchant_id: int, sku: str | None) -> dict[str, int]:
    """{"orders", "refund_fen", "owed_fen"} over every refund recorded."""
    r = PriceProtectionRefund
    stmt = select(func.count(func.distinct(r.order_id)), func.coalesce(func.sum(r.refund_fen), 0)
                  ).where(r.merchant_id == merchant_id)
    owed_stmt = select(func.coalesce(func.sum(r.refund_fen), 0)).where(
        r.merchant_id == merchant_id, r.status == "owed")
    if sku:
        stmt, owed_stmt = stmt.where(r.sku == sku), owed_stmt.where(r.sku == sku)
    orders, total = session.execute(stmt).one()
    return {"orders": int(orders), "refund_fen": int(total),
            "owed_fen": int(session.scalar(owed_stmt) or 0)}


def refunds(session: Session, merchant_id: int, sku: str | None, *, limit: int,
            offset: int) -> tuple[list[RefundRow], int]:
    """Refund records per order, newest drop first, with the order number and member."""
    r = PriceProtectionRefund
    stmt = (select(r, PriceDrop.dropped_at, Order.order_no, Member.nickname,
                   Member.external_id)
            .join(PriceDrop, (PriceDrop.id == r.price_drop_id)
                  & (PriceDrop.merchant_id == merchant_id))
            .join(Order, (Order.id == r.order_id) & (Order.merchant_id == merchant_id))
            .outerjoin(Member, (Member.id == r.member_id) & (Member.merchant_id == merchant_id))
            .where(r.merchant_id == merchant_id))
    count = select(func.count()).select_from(r).where(r.merchant_id == merchant_id)
    if sku:
        stmt, count = stmt.where(r.sku == sku), count.where(r.sku == sku)
    stmt = stmt.order_by(PriceDrop.dropped_at.desc(), r.id).limit(limit).offset(offset)
    rows = [RefundRow(ref, at, no, nick or ext) for ref, at, no, nick, ext in session.execute(stmt)]
    return rows, int(session.scalar(count) or 0)
