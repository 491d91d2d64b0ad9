"""Small plain builders for promotion-engine inputs (JSON-shaped dicts, as users write them)."""

from __future__ import annotations

from datetime import datetime

from siyu.core.clock import BEIJING
from siyu.promo.engine import quote, quote_document
from siyu.promo.schemas import QuoteRequest, parse_quote_request

NOW = datetime(2026, 1, 20, 20, 0, tzinfo=BEIJING)


def make_item(sku: str, price: str, qty: int = 1, **extra) -> dict:
    return {"sku": sku, "name": sku, "price": price, "qty": qty, **extra}


def make_promo(pid: str, kind: str, **extra) -> dict:
    return {"id": pid, "name": pid, "kind": kind, **extra}


def make_request(items: list[dict], promotions: list[dict] = (), coupons: list[dict] = (),
                 **extra) -> QuoteRequest:
    return parse_quote_request({"items": list(items), "promotions": list(promotions),
                                "coupons": list(coupons), **extra})


def run_quote(items: list[dict], promotions: list[dict] = (), coupons: list[dict] = (),
              **extra) -> dict:
    """The output document for a cart, at NOW unless the request says otherwise."""
    return quote_document(quote(make_request(items, promotions, coupons, **extra), now=NOW))
