"""The copy scanner on product names (商品文案), and their legal review (risk.reviews
HANDLERS "product").

A product's name is copy buyers read. Every create or update scans it: a name that
blocks is refused (422 copy_blocked naming `name`; in an import `row N: name: …`, and
nothing is imported). A name that needs a review holds the product when it would go on
sale with copy nobody has cleared — a new product, a renamed one, or an inactive one
put on sale: it is taken off sale (`active` false) and queued for the legal role;
approval puts it on sale, rejection keeps it off. A product already on sale under an
unchanged name is not held again (a stock or price update of a product legal
approved, or one sold before the word was listed). A rename to a clean name withdraws
what was waiting for the product.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from siyu.audit import service as audit
from siyu.catalog.models import Product
from siyu.db.scope import require_scoped

SOURCE = "product"


def settle(session: Session, product: Product, review: dict[str, tuple],
           before: dict | None, *, actor: str, now: datetime) -> bool:
    """After an upsert (`before`: the product's snapshot before it, None when new):
    hold and queue it when its name needs a review and it would go on sale with copy
    not cleared; True when held."""
    from siyu.risk import reviews as copy_reviews  # risk sits above the catalog

    renamed = before is None or before["name"] != product.name
    if review and product.active and (renamed or not before["active"]):
        product.active = False
        session.flush()
        copy_reviews.submit(session, product.merchant_id, source=SOURCE, source_id=product.id,
                            texts={"name": product.name}, findings=review, actor=actor,
                            now=now)
        return True
    if not review and before is not None and renamed:
        copy_reviews.withdraw(session, product.merchant_id, source=SOURCE,
                              source_id=product.id, actor=actor, now=now)
    return False


def _decide(session: Session, merchant_id: int, product_id: int, *, approve: bool,
            actor: str) -> dict:
    product = require_scoped(session, Product, merchant_id, product_id, "product")
    if product.active or not approve:  # put on sale meanwhile, or kept off by rejection
        return {"product": product.sku, "active": product.active, "changed": False}
    product.active = True
    session.flush()
    audit.record(session, merchant_id, actor=actor, action="approve_copy", entity="product",
                 entity_id=product.id, before={"active": False}, after={"active": True})
    return {"product": product.sku, "active": True, "changed": True}


def release_reviewed(session: Session, merchant_id: int, product_id: int, *, now: datetime,
                     actor: str) -> dict:
    """Legal approved the name: the product goes on sale."""
    return _decide(session, merchant_id, product_id, approve=True, actor=actor)


def reject_reviewed(session: Session, merchant_id: int, product_id: int, *, now: datetime,
                    actor: str) -> None:
    """Legal rejected the name: the product stays off sale until renamed."""
    _decide(session, merchant_id, product_id, approve=False, actor=actor)
