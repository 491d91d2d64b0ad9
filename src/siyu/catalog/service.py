"""Use cases of the catalog: upsert a product by SKU (price changes audited), list."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from siyu.audit import service as audit
from siyu.catalog import repository as repo
from siyu.catalog.models import Product
from siyu.catalog.schemas import ProductIn, ProductOut
from siyu.db.base import utcnow
from siyu.risk import service as copy_risk


def _snapshot(p: Product) -> dict:
    return {"sku": p.sku, "name": p.name, "price_fen": p.price_fen, "cost_fen": p.cost_fen,
            "daily_price_fen": p.daily_price_fen, "stock": p.stock, "active": p.active}


def upsert(session: Session, merchant_id: int, data: ProductIn, *, actor: str,
           now: datetime | None = None) -> tuple[Product, bool]:
    # Product names are copy buyers read: a name that blocks is refused (422 copy_blocked).
    copy_risk.check_copy(session, merchant_id, {"name": data.name})
    product = repo.by_sku(session, merchant_id, data.sku)
    created = product is None
    before = None if created else _snapshot(product)
    if created:
        product = Product(merchant_id=merchant_id, sku=data.sku)
        session.add(product)
    product.name = data.name
    product.category = data.category
    product.price_fen = data.price
    product.cost_fen = data.cost
    product.daily_price_fen = data.daily_price if data.daily_price is not None else data.price
    product.stock = data.stock
    product.tags = data.tags
    product.active = data.active
    session.flush()
    after = _snapshot(product)
    if before != after:
        audit.record(session, merchant_id, actor=actor, action="create" if created else "update",
                     entity="product", entity_id=product.id, before=before, after=after)
    if before is not None and product.price_fen < before["price_fen"]:
        _price_dropped(session, merchant_id, product, before["price_fen"], now or utcnow())
    return product, created


def _price_dropped(session: Session, merchant_id: int, product: Product, old_price_fen: int,
                   now: datetime) -> None:
    """价格保护: earlier buyers are owed the difference; the promo domain records it."""
    from siyu.promo import price_protection  # promo sits above the catalog: import late

    price_protection.on_price_drop(session, merchant_id, product, old_price_fen, now=now)


def to_out(p: Product) -> ProductOut:
    return ProductOut(id=p.id, sku=p.sku, name=p.name, category=p.category, price=p.price_fen,
                      cost=p.cost_fen, daily_price=p.daily_price_fen, stock=p.stock,
                      tags=list(p.tags or []), active=p.active)
