"""Every query of flash sales, scoped to one merchant (the jobs' scans across merchants
say so)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from siyu.db.scope import require_scoped, scoped
from siyu.flashsale.models import FlashOrder, FlashSale


def require(session: Session, merchant_id: int, sale_id: int, *,
            for_update: bool = False) -> FlashSale:
    return require_scoped(session, FlashSale, merchant_id, sale_id, "flash_sale",
                          for_update=for_update)


def return_round_of(session: Session, merchant_id: int, sale_id: int) -> FlashSale | None:
    stmt = scoped(FlashSale, merchant_id).where(FlashSale.parent_id == sale_id)
    return session.scalars(stmt).one_or_none()


def seqs_with_orders(session: Session, sale_id: int) -> set[int]:
    stmt = select(FlashOrder.seq).where(FlashOrder.flash_sale_id == sale_id)
    return set(session.scalars(stmt))


def order_for_take(session: Session, sale_id: int, seq: int) -> FlashOrder | None:
    stmt = select(FlashOrder).where(FlashOrder.flash_sale_id == sale_id, FlashOrder.seq == seq)
    return session.scalars(stmt).one_or_none()


def orders_of(session: Session, merchant_id: int, sale_id: int) -> list[FlashOrder]:
    stmt = scoped(FlashOrder, merchant_id).where(FlashOrder.flash_sale_id == sale_id)
    return list(session.scalars(stmt.order_by(FlashOrder.seq)))


def pending_count(session: Session, sale_id: int) -> int:
    stmt = select(func.count()).select_from(FlashOrder).where(
        FlashOrder.flash_sale_id == sale_id, FlashOrder.status == "pending")
    return session.scalar(stmt) or 0


def due_unpaid(session: Session, now: datetime, limit: int = 500, *,
               merchant_id: int | None = None) -> list[FlashOrder]:
    """Winners' orders past their payment deadline, of every merchant unless one is given."""
    stmt = select(FlashOrder).where(FlashOrder.status == "pending", FlashOrder.pay_by <= now)
    if merchant_id is not None:
        stmt = stmt.where(FlashOrder.merchant_id == merchant_id)
    return list(session.scalars(stmt.order_by(FlashOrder.pay_by, FlashOrder.id).limit(limit)))


def settle_order(session: Session, flash_order_id: int, status: str, now: datetime) -> bool:
    """pending → paid / released, once: False when another run got there first."""
    result = session.execute(
        update(FlashOrder).where(FlashOrder.id == flash_order_id,
                                 FlashOrder.status == "pending")
        .values(status=status, settled_at=now).execution_options(synchronize_session=False))
    return result.rowcount == 1


def pay_order(session: Session, merchant_id: int, order_id: int, now: datetime,
              ) -> FlashOrder | None:
    """The winner pays: pending → paid while the payment window is open, once. Returns
    the flash order after the attempt (None: the order is not a flash-sale order); its
    status says who won against a concurrent release."""
    session.execute(
        update(FlashOrder).where(FlashOrder.merchant_id == merchant_id,
                                 FlashOrder.order_id == order_id,
                                 FlashOrder.status == "pending", FlashOrder.pay_by > now)
        .values(status="paid", settled_at=now).execution_options(synchronize_session=False))
    return session.scalars(scoped(FlashOrder, merchant_id).where(
        FlashOrder.order_id == order_id).execution_options(populate_existing=True)
    ).one_or_none()


def due_to_settle(session: Session, now: datetime, limit: int = 200, *,
                  merchant_id: int | None = None) -> list[FlashSale]:
    """Ended sales whose leftovers have not gone back to the catalog (every merchant
    unless one is given); the caller also waits for the unpaid window after the end."""
    stmt = select(FlashSale).where(FlashSale.settled_at.is_(None), FlashSale.ends_at <= now)
    if merchant_id is not None:
        stmt = stmt.where(FlashSale.merchant_id == merchant_id)
    return list(session.scalars(stmt.order_by(FlashSale.ends_at, FlashSale.id).limit(limit)))


def mark_settled(session: Session, sale_id: int, units: int, now: datetime) -> bool:
    result = session.execute(
        update(FlashSale).where(FlashSale.id == sale_id, FlashSale.settled_at.is_(None))
        .values(settled_at=now, returned_units=units)
        .execution_options(synchronize_session=False))
    return result.rowcount == 1
