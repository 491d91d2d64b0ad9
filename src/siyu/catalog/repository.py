"""Every query of the catalog, scoped to one merchant."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from siyu.catalog.models import Product
from siyu.db.scope import require_scoped, scoped


def require(session: Session, merchant_id: int, product_id: int) -> Product:
    return require_scoped(session, Product, merchant_id, product_id, "product")


def by_sku(session: Session, merchant_id: int, sku: str) -> Product | None:
    return session.scalars(scoped(Product, merchant_id).where(Product.sku == sku)).one_or_none()


def by_skus(session: Session, merchant_id: int, skus: Iterable[str]) -> dict[str, Product]:
    skus = list(set(skus))
    out: dict[str, Product] = {}
    for i in range(0, len(skus), 500):
        stmt = scoped(Product, merchant_id).where(Product.sku.in_(skus[i : i + 500]))
        out.update({p.sku: p for p in session.scalars(stmt)})
    return out


def search(session: Session, merchant_id: int, *, q: str | None = None,
           category: str | None = None, limit: int = 50, offset: int = 0,
           ) -> tuple[list[Product], int]:
    stmt = scoped(Product, merchant_id)
    if q:
        stmt = stmt.where(Product.name.like(f"%{q}%") | Product.sku.like(f"%{q}%"))
    if category:
        stmt = stmt.where(Product.category == category)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    return list(session.scalars(stmt.order_by(Product.id).limit(limit).offset(offset))), total


def take_stock(session: Session, merchant_id: int, product_id: int, qty: int) -> bool:
    """Atomic conditional decrement: never below zero, no lock held by the caller."""
    result = session.execute(
        update(Product)
        .where(Product.id == product_id, Product.merchant_id == merchant_id,
               Product.stock >= qty)
        .values(stock=Product.stock - qty)
    )
    return result.rowcount == 1


def return_stock(session: Session, merchant_id: int, product_id: int, qty: int) -> None:
    """Put units back (a cancelled order): an atomic increment."""
    session.execute(
        update(Product)
        .where(Product.id == product_id, Product.merchant_id == merchant_id)
        .values(stock=Product.stock + qty)
    )
