"""Every query of stored promotions, scoped to one merchant; budget counters move only by
conditional UPDATE (atomic on SQLite and PostgreSQL, inside the caller's transaction)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from siyu.core.errors import NotFound
from siyu.db.scope import scoped
from siyu.promo.models import (
    PROMOTION_STATUSES,
    PriceDrop,
    PriceProtectionRefund,
    PromotionMemberUse,
    PromotionUse,
    StoredPromotion,
)


def by_code(session: Session, merchant_id: int, code: str) -> StoredPromotion | None:
    stmt = scoped(StoredPromotion, merchant_id).where(StoredPromotion.code == code)
    return session.scalars(stmt).one_or_none()


def require(session: Session, merchant_id: int, code: str) -> StoredPromotion:
    row = by_code(session, merchant_id, code)
    if row is None:
        raise NotFound(f"促销 {code} 不存在", field="id", code="promotion_not_found")
    return row


def search(session: Session, merchant_id: int, *, status: str | None = None,
           limit: int = 50, offset: int = 0) -> tuple[list[StoredPromotion], int]:
    stmt = scoped(StoredPromotion, merchant_id)
    if status:
        stmt = stmt.where(StoredPromotion.status == status)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = session.scalars(stmt.order_by(StoredPromotion.id).limit(limit).offset(offset))
    return list(rows), total


def status_counts(session: Session, merchant_id: int) -> dict[str, int]:
    """How many promotions the merchant has in each status (0 for a status it has none in),
    in one grouped query."""
    stmt = (scoped(StoredPromotion, merchant_id)
            .with_only_columns(StoredPromotion.status, func.count())
            .group_by(StoredPromotion.status))
    counts = dict.fromkeys(PROMOTION_STATUSES, 0)
    counts.update({status: int(n) for status, n in session.execute(stmt)})
    return counts


def active(session: Session, merchant_id: int) -> list[StoredPromotion]:
    stmt = scoped(StoredPromotion, merchant_id).where(StoredPromotion.status == "active")
    return list(session.scalars(stmt.order_by(StoredPromotion.id)))


def member_uses(session: Session, merchant_id: int, member_id: int,
                promotion_ids: Iterable[int]) -> dict[int, int]:
    ids = list(promotion_ids)
    if not ids:
        return {}
    stmt = select(PromotionMemberUse.promotion_id, PromotionMemberUse.uses).where(
        PromotionMemberUse.merchant_id == merchant_id, PromotionMemberUse.member_id == member_id,
        PromotionMemberUse.promotion_id.in_(ids))
    return dict(session.execute(stmt).all())


# -- budgets: conditional updates ----------------------------------------------------------

def charge(session: Session, merchant_id: int, promotion_id: int, discount: int) -> bool:
    """Spend `discount` fen and one use, if the budget and the total limit allow."""
    p = StoredPromotion
    result = session.execute(
        update(p).where(
            p.id == promotion_id, p.merchant_id == merchant_id,
            (p.budget_fen.is_(None)) | (p.spent_fen + discount <= p.budget_fen),
            (p.total_limit.is_(None)) | (p.uses + 1 <= p.total_limit),
        ).values(spent_fen=p.spent_fen + discount, uses=p.uses + 1)
        .execution_options(synchronize_session=False))
    return result.rowcount == 1


def uncharge(session: Session, merchant_id: int, promotion_id: int, discount: int) -> None:
    p = StoredPromotion
    session.execute(
        update(p).where(p.id == promotion_id, p.merchant_id == merchant_id)
        .values(spent_fen=p.spent_fen - discount, uses=p.uses - 1)
        .execution_options(synchronize_session=False))


def take_member_use(session: Session, merchant_id: int, promotion_id: int, member_id: int,
                    limit: int, *, now: datetime) -> bool:
    """One more use for a member, if under `limit`: a conditional upsert, so two first
    uses at once cannot both pass."""
    m = PromotionMemberUse
    dialect = session.get_bind().dialect.name
    ins = (pg_insert if dialect == "postgresql" else sqlite_insert)(m).values(
        merchant_id=merchant_id, promotion_id=promotion_id, member_id=member_id, uses=1,
        created_at=now)
    stmt = ins.on_conflict_do_update(
        index_elements=[m.promotion_id, m.member_id], set_={"uses": m.uses + 1},
        where=m.uses + 1 <= limit,
    ).returning(m.uses)
    return session.execute(stmt).first() is not None


def give_member_use(session: Session, merchant_id: int, promotion_id: int,
                    member_id: int) -> None:
    m = PromotionMemberUse
    session.execute(update(m).where(
        m.merchant_id == merchant_id, m.promotion_id == promotion_id, m.member_id == member_id,
        m.uses > 0).values(uses=m.uses - 1).execution_options(synchronize_session=False))


# -- what orders used ----------------------------------------------------------------------

def uses_of_order(session: Session, merchant_id: int, order_id: int) -> list[PromotionUse]:
    stmt = scoped(PromotionUse, merchant_id).where(PromotionUse.order_id == order_id)
    return list(session.scalars(stmt.order_by(PromotionUse.id)))


def uses_of_orders(session: Session, merchant_id: int,
                   order_ids: Iterable[int]) -> dict[int, list[PromotionUse]]:
    ids = list(order_ids)
    out: dict[int, list[PromotionUse]] = {i: [] for i in ids}
    if ids:
        stmt = scoped(PromotionUse, merchant_id).where(PromotionUse.order_id.in_(ids))
        for use in session.scalars(stmt.order_by(PromotionUse.id)):
            out[use.order_id].append(use)
    return out


def spent_by_uses(session: Session, merchant_id: int, promotion_id: int) -> tuple[int, int]:
    """(discount, orders) recorded on unreleased uses of a promotion: the ledger side."""
    stmt = select(func.coalesce(func.sum(PromotionUse.discount_fen), 0), func.count()).where(
        PromotionUse.merchant_id == merchant_id, PromotionUse.promotion_id == promotion_id,
        PromotionUse.released_at.is_(None))
    spent, count = session.execute(stmt).one()
    return int(spent), int(count)


# -- price protection ----------------------------------------------------------------------

def refunded_by_order(session: Session, merchant_id: int, sku: str,
                      order_ids: Iterable[int]) -> dict[int, int]:
    ids = list(order_ids)
    if not ids:
        return {}
    r = PriceProtectionRefund
    stmt = select(r.order_id, func.sum(r.refund_fen)).where(
        r.merchant_id == merchant_id, r.sku == sku, r.order_id.in_(ids)).group_by(r.order_id)
    return {order_id: int(total) for order_id, total in session.execute(stmt)}


def refunds(session: Session, merchant_id: int, *, sku: str | None = None,
            drop_id: int | None = None) -> list[tuple[PriceProtectionRefund, PriceDrop]]:
    r = PriceProtectionRefund
    stmt = (select(r, PriceDrop).join(PriceDrop, PriceDrop.id == r.price_drop_id)
            .where(r.merchant_id == merchant_id))
    if sku is not None:
        stmt = stmt.where(r.sku == sku)
    if drop_id is not None:
        stmt = stmt.where(r.price_drop_id == drop_id)
    return [(a, b) for a, b in session.execute(stmt.order_by(r.id))]


def drops(session: Session, merchant_id: int, sku: str) -> list[PriceDrop]:
    stmt = scoped(PriceDrop, merchant_id).where(PriceDrop.sku == sku)
    return list(session.scalars(stmt.order_by(PriceDrop.id)))


def usage(session: Session, merchant_id: int,
          promotion_ids: Iterable[int]) -> dict[int, tuple[int, int]]:
    """(discount given, orders) per promotion from the uses not released: the ledger,
    right whichever backend enforced the budget."""
    ids = list(promotion_ids)
    if not ids:
        return {}
    u = PromotionUse
    stmt = (select(u.promotion_id, func.sum(u.discount_fen), func.count())
            .where(u.merchant_id == merchant_id, u.promotion_id.in_(ids),
                   u.released_at.is_(None)).group_by(u.promotion_id))
    return {pid: (int(spent), int(n)) for pid, spent, n in session.execute(stmt)}
