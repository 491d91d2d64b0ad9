"""Use cases of the catalog: upsert a product by SKU (price changes audited), list."""

from __future__ import annotations

from sqlalchemy.orm import Session

from siyu.audit import service as audit
from siyu.catalog import repository as repo
from siyu.catalog.models import Product
from siyu.catalog.schemas import ProductIn, ProductOut


def _snapshot(p: Product) -> dict:
    return {"sku": p.sku, "name": p.name, "price_fen": p.price_fen, "cost_fen": p.cost_fen,
            "daily_price_fen": p.daily_price_fen, "stock": p.stock, "active": p.active}


def upsert(session: Session, merchant_id: int, data: ProductIn, *, actor: str,
           ) -> tuple[Product, bool]:
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
    return product, created


def to_out(p: Product) -> ProductOut:
    return ProductOut(id=p.id, sku=p.sku, name=p.name, category=p.category, price=p.price_fen,
                      cost=p.cost_fen, daily_price=p.daily_price_fen, stock=p.stock,
                      tags=list(p.tags or []), active=p.active)
