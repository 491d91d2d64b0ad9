"""Use cases of the catalog: upsert a product by SKU (an update changes only the fields it
gives; price changes audited and passed on to price protection and red lines), list."""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from sqlalchemy.orm import Session

from siyu.audit import service as audit
from siyu.catalog import copy_review
from siyu.catalog import repository as repo
from siyu.catalog.models import Product
from siyu.catalog.schemas import ProductIn, ProductOut
from siyu.db.base import utcnow
from siyu.risk import service as copy_risk


def _snapshot(p: Product) -> dict:
    return {"sku": p.sku, "name": p.name, "price_fen": p.price_fen, "cost_fen": p.cost_fen,
            "daily_price_fen": p.daily_price_fen, "stock": p.stock, "active": p.active}


PRICING = ("price_fen", "cost_fen", "daily_price_fen")


class Upserted(NamedTuple):
    product: Product
    created: bool
    held: dict[str, tuple]  # {field: findings} when the name waits for the legal review


def upsert(session: Session, merchant_id: int, data: ProductIn, *, actor: str,
           now: datetime | None = None, recheck: bool = True) -> Upserted:
    """Create or update by SKU. `recheck`: pass a change of price or cost on to the
    promotions' red lines now (an importer passes False and rechecks once at the end).
    The name goes through the copy scanner first (`copy_review`: blocks raise 422, a
    name needing review may hold the product off sale)."""
    review = copy_risk.check_copy(session, merchant_id, {"name": data.name})
    product = repo.by_sku(session, merchant_id, data.sku)
    created = product is None
    before = None if created else _snapshot(product)
    if created:
        product = Product(merchant_id=merchant_id, sku=data.sku)
        session.add(product)
    # An update changes what it gives; what it leaves out keeps its value (a price
    # change must not zero the stock or the cost the red lines are measured against).
    given = data.model_fields_set
    product.name = data.name
    product.price_fen = data.price
    if created or "category" in given:
        product.category = data.category
    if created or "cost" in given:
        product.cost_fen = data.cost
    if data.daily_price is not None:
        product.daily_price_fen = data.daily_price
    elif created:
        product.daily_price_fen = data.price
    if created or "stock" in given:
        product.stock = data.stock
    if created or "tags" in given:
        product.tags = data.tags
    if created or "active" in given:
        product.active = data.active
    session.flush()
    held = copy_review.settle(session, product, review, before, actor=actor,
                              now=now or utcnow())
    after = _snapshot(product)
    if before != after:
        audit.record(session, merchant_id, actor=actor, action="create" if created else "update",
                     entity="product", entity_id=product.id, before=before, after=after)
    if before is not None and product.price_fen < before["price_fen"]:
        _price_dropped(session, merchant_id, product, before["price_fen"], now or utcnow())
    if recheck and before is not None and any(before[k] != after[k] for k in PRICING):
        recheck_red_lines(session, merchant_id, [product.sku], actor=actor, now=now or utcnow())
    return Upserted(product, created, review if held else {})


def recheck_red_lines(session: Session, merchant_id: int, skus: list[str], *, actor: str,
                      now: datetime) -> list[str]:
    """Promotions (codes) and coupon templates (`券#id`) held again because these SKUs'
    prices or costs changed (see promo and coupons.templates)."""
    from siyu.coupons import templates  # both sit above the catalog: import late
    from siyu.promo import service as promo

    held = promo.recheck_red_lines(session, merchant_id, skus, actor=actor, now=now)
    return held + [f"券#{i}" for i in templates.recheck_red_lines(
        session, merchant_id, skus, actor=actor, now=now)]


def _price_dropped(session: Session, merchant_id: int, product: Product, old_price_fen: int,
                   now: datetime) -> None:
    """价格保护: earlier buyers are owed the difference; the promo domain records it."""
    from siyu.promo import price_protection  # promo sits above the catalog: import late

    price_protection.on_price_drop(session, merchant_id, product, old_price_fen, now=now)


def to_out(p: Product, held: dict[str, tuple] | None = None) -> ProductOut:
    """`held`: the findings of an upsert that held the product for the copy review."""
    return ProductOut(id=p.id, sku=p.sku, name=p.name, category=p.category, price=p.price_fen,
                      cost=p.cost_fen, daily_price=p.daily_price_fen, stock=p.stock,
                      tags=list(p.tags or []), active=p.active,
                      copy_review=[{"field": f, **x.to_dict()} for f, found in held.items()
                                   for x in found] if held else None)
