"""Price red lines over the database: the product's cost and daily price from the
catalog, the reference prices from the orders paid before the promotion starts."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from siyu.catalog import repository as catalog
from siyu.core.errors import NotFound
from siyu.core.money import fmt_yuan
from siyu.orders import service as orders
from siyu.risk.pricing import ReferencePrices, check_price, margin_floor, verdict
from siyu.risk.rules_service import get_rules


def reference_prices(session: Session, merchant_id: int, sku: str, *, starts_at: datetime,
                     days: int) -> ReferencePrices:
    since = starts_at - timedelta(days=days)
    lowest = orders.lowest_unit_price(session, merchant_id, sku, since=since, until=starts_at)
    last = None if lowest is not None else orders.last_unit_price(session, merchant_id, sku,
                                                                  before=since)
    return ReferencePrices(lowest, last, days)


def check_promotion_price(session: Session, merchant_id: int, *, sku: str, promo_price: int,
                          starts_at: datetime, claimed_original_price: int | None = None,
                          ) -> dict:
    """Findings for one SKU at `promo_price` from `starts_at` (a 404 for an SKU the
    merchant does not sell)."""
    product = catalog.by_sku(session, merchant_id, sku)
    if product is None:
        raise NotFound(f"sku: 商品 {sku} 不存在", field="sku", code="product_not_found")
    rules = get_rules(session, merchant_id).pricing
    reference = reference_prices(session, merchant_id, sku, starts_at=starts_at,
                                 days=rules.reference_days)
    findings = check_price(sku=sku, promo_price=promo_price, cost=product.cost_fen,
                           daily_price=product.daily_price_fen,
                           claimed_original_price=claimed_original_price, reference=reference,
                           rules=rules)
    def opt(fen: int | None) -> str | None:
        return None if fen is None else fmt_yuan(fen)

    return {
        "sku": sku, "promo_price": fmt_yuan(promo_price),
        "claimed_original_price": opt(claimed_original_price),
        "cost": fmt_yuan(product.cost_fen), "daily_price": fmt_yuan(product.daily_price_fen),
        "margin_floor": opt(margin_floor(product.cost_fen, rules.margin_floor_percent)
                            if product.cost_fen else None),
        "reference": {"days": reference.days, "since": starts_at - timedelta(days=reference.days),
                      "until": starts_at, "lowest_price": opt(reference.lowest_in_window),
                      "last_price_before": opt(reference.last_before)},
        "verdict": verdict(findings), "findings": [f.to_dict() for f in findings],
    }
