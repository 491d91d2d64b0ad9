"""Pricing a member's cart with the merchant's stored promotions and the member's
wallet; placing the priced order (budgets charged, coupons used, what was used
recorded); cancelling it (all of that given back).

The cart: products, prices, categories and tags come from the catalog (a SKU that is
missing or inactive is bad input naming `items[i].sku`). The member: tier from the
member, segments = the member's tags (segments are saved as tags). The promotions: the
merchant's `active` ones (pending, rejected and disabled never apply), without those
whose budget, total uses or this member's uses are used up. The coupons: the
member's unused, valid wallet coupons (`coupons` in the request narrows them to the
listed codes). Top-up hints suggest in-stock active products.

Budgets: when a promotion's budget cannot cover the discount the best plan gives it,
the promotion is not applied: the cart is quoted again without it (the order is never
failed for it). The same holds for a coupon another order has just used.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy.orm import Session

from siyu.catalog import repository as catalog
from siyu.catalog.models import Product
from siyu.core.errors import InvalidInput
from siyu.core.money import fmt_yuan
from siyu.db.scope import scoped
from siyu.members import repository as members_repo
from siyu.members import service as members
from siyu.orders import service as orders
from siyu.orders.models import Order
from siyu.orders.schemas import OrderIn
from siyu.promo import repository as repo
from siyu.promo import wallet
from siyu.promo.api_schemas import PricedOrderIn, QuoteIn
from siyu.promo.budgets import Budgets, Charge, release
from siyu.promo.engine import Quote, quote, quote_document
from siyu.promo.models import PromotionUse, StoredPromotion
from siyu.promo.schemas import Item, Member, Promotion, QuoteRequest, parse_promotion
from siyu.promo.service import engine_promotion

MAX_SUGGESTIBLE = 1000  # catalog products offered to 凑单 hints, cheapest first


@dataclass(frozen=True)
class CartLine:
    sku: str
    qty: int


@dataclass
class Cart:
    request: QuoteRequest
    member_id: int | None
    stored: dict[str, StoredPromotion]
    coupons: dict[str, wallet.WalletCoupon]

    def without(self, excluded: set[str]) -> QuoteRequest:
        return replace(self.request,
                       promotions=tuple(p for p in self.request.promotions
                                        if p.id not in excluded),
                       coupons=tuple(c for c in self.request.coupons if c.id not in excluded))


def _items(session: Session, merchant_id: int, lines: list[CartLine],
           store: str | None) -> tuple[Item, ...]:
    if not lines:
        raise InvalidInput("items: 购物车为空", field="items")
    products = catalog.by_skus(session, merchant_id, [ln.sku for ln in lines])
    items = []
    for i, ln in enumerate(lines):
        p = products.get(ln.sku)
        if p is None or not p.active:
            raise InvalidInput(f"items[{i}].sku: 商品 {ln.sku} 不存在或已下架",
                               field=f"items[{i}].sku")
        items.append(Item(p.sku, p.name, p.price_fen, ln.qty, p.category or None, store,
                          frozenset(p.tags or [])))
    return tuple(items)


def _suggestible(session: Session, merchant_id: int, store: str | None) -> tuple[Item, ...]:
    stmt = (scoped(Product, merchant_id).where(Product.active.is_(True), Product.stock > 0)
            .order_by(Product.price_fen, Product.id).limit(MAX_SUGGESTIBLE))
    return tuple(Item(p.sku, p.name, p.price_fen, 1, p.category or None, store,
                      frozenset(p.tags or [])) for p in session.scalars(stmt))


def _usable(row: StoredPromotion, member_uses: dict[int, int], member_id: int | None) -> bool:
    if row.budget_fen is not None and row.spent_fen >= row.budget_fen:
        return False
    if row.total_limit is not None and row.uses >= row.total_limit:
        return False
    if row.per_member_limit is not None:
        return member_id is not None and member_uses.get(row.id, 0) < row.per_member_limit
    return True


def build_cart(session: Session, merchant_id: int, *, member_id: int | None,
               lines: list[CartLine], now: datetime, coupon_codes: list[str] | None = None,
               store: str | None = None) -> Cart:
    member = None
    coupons: list[wallet.WalletCoupon] = []
    if member_id is not None:
        m = members.require_active(session, merchant_id, member_id)
        tags = members_repo.tags_of(session, merchant_id, [m.id])[m.id]
        member = Member(str(m.id), m.tier, frozenset(tags))
        coupons = wallet.unused(session, merchant_id, member_id, now=now)
        if coupon_codes is not None:
            held = {c.code for c in coupons}
            for i, code in enumerate(coupon_codes):
                if code not in held:
                    raise InvalidInput(f"coupons[{i}]: 会员没有可用的优惠券 {code}",
                                       field=f"coupons[{i}]")
            coupons = [c for c in coupons if c.code in set(coupon_codes)]
    elif coupon_codes:
        raise InvalidInput("coupons: 使用优惠券需要 member_id", field="coupons")
    rows = repo.active(session, merchant_id)
    used = repo.member_uses(session, merchant_id, member_id, [r.id for r in rows]) \
        if member_id is not None else {}
    rows = [r for r in rows if _usable(r, used, member_id)]
    promotions: list[Promotion] = [engine_promotion(r, i) for i, r in enumerate(rows)]
    coupon_promos = [parse_promotion(c.promotion_document(), f"coupons[{i}]", is_coupon=True,
                                     index=i) for i, c in enumerate(coupons)]
    request = QuoteRequest(items=_items(session, merchant_id, lines, store),
                           promotions=tuple(promotions), coupons=tuple(coupon_promos),
                           catalog=_suggestible(session, merchant_id, store), member=member,
                           now=now)
    return Cart(request, member_id, {r.code: r for r in rows},
                {c.quote_id: c for c in coupons})


def _over_budget(cart: Cart, q: Quote) -> str | None:
    """The first applied promotion whose budget left cannot cover its discount."""
    for a in q.applied:
        row = cart.stored.get(a.promotion.id)
        if row is not None and row.budget_fen is not None \
                and a.discount > row.budget_fen - row.spent_fen:
            return row.code
    return None


def price(cart: Cart, *, now: datetime) -> Quote:
    """The best quote the budgets left can pay for (a dry run: nothing is charged)."""
    excluded: set[str] = set()
    while True:
        q = quote(cart.without(excluded), now=now)
        over = _over_budget(cart, q)
        if over is None:
            return q
        excluded.add(over)


def _charges(cart: Cart, q: Quote) -> list[Charge]:
    return [Charge(a.promotion.id, a.discount, promotion=cart.stored.get(a.promotion.id),
                   coupon=cart.coupons.get(a.promotion.id)) for a in q.applied]


@dataclass
class PricedOrder:
    order: Order
    created: bool
    quote: Quote | None
    first_answer: dict | None = None  # a replay: the quote document first answered

    def quote_document(self) -> dict | None:
        return quote_document(self.quote) if self.quote is not None else self.first_answer


def place(session: Session, merchant_id: int, cart: Cart, order_fields: dict, *,
          now: datetime, idempotency_key: str | None, idem: str,
          hot=None) -> PricedOrder:
    """Charge the budgets of the best plan (re-quoting without what cannot be charged),
    then place the order with its per-line discounts and record what it used."""
    if idempotency_key:
        existing = orders.by_key(session, merchant_id, idempotency_key)
        if existing is not None:
            return PricedOrder(existing, False, None)
    budgets = Budgets(session, merchant_id, cart.member_id, now=now, idem=idem, hot=hot)
    excluded: set[str] = set()
    while True:
        q = quote(cart.without(excluded), now=now)
        failed = budgets.try_charge(_charges(cart, q))
        if failed is None:
            break
        excluded.add(failed)
    data = OrderIn(lines=[{"sku": ln.item.sku, "qty": ln.item.qty, "name": ln.item.name}
                          for ln in q.lines])
    # Values already in fen: set, not parsed again as yuan.
    data = data.model_copy(update={
        **order_fields, "member_id": cart.member_id, "discount": q.discount,
        "coupons": [cart.coupons[a.promotion.id].code for a in q.applied
                    if a.promotion.id in cart.coupons],
        "lines": [ln.model_copy(update={"price": line.item.price, "discount": line.discount})
                  for ln, line in zip(data.lines, q.lines, strict=True)]})
    order, _ = orders.place(session, merchant_id, data, now=now,
                            idempotency_key=idempotency_key)
    for c, a in zip(_charges(cart, q), q.applied, strict=True):
        session.add(PromotionUse(
            merchant_id=merchant_id, order_id=order.id, member_id=cart.member_id,
            source="coupon" if c.coupon is not None else "promotion", code=c.code,
            promotion_id=c.promotion.id if c.promotion is not None else None,
            coupon_id=c.coupon.id if c.coupon is not None else None,
            discount_fen=a.discount, charged_by=budgets.charged_by(c), created_at=now,
            lines=[{"line": ld.line, "sku": q.lines[ld.line].item.sku,
                    "discount": ld.discount} for ld in a.lines]))
    session.flush()
    return PricedOrder(order, True, q)


def cancel(session: Session, merchant_id: int, order_id: int, *, now: datetime,
           hot=None) -> tuple[Order, bool]:
    """Cancel an order; give back its promotions' budgets and uses and its coupons."""
    order, changed = orders.cancel(session, merchant_id, order_id, now=now)
    if not changed:
        return order, False
    for use in repo.uses_of_order(session, merchant_id, order.id):
        if use.released_at is not None:
            continue
        row = session.get(StoredPromotion, use.promotion_id) if use.promotion_id else None
        release(session, use, row, now=now, hot=hot)
        use.released_at = now
    session.flush()
    return order, True


def _cart_of(session: Session, merchant_id: int, data: QuoteIn, now: datetime) -> Cart:
    return build_cart(session, merchant_id, member_id=data.member_id, now=now,
                      lines=[CartLine(i.sku, i.qty) for i in data.items],
                      coupon_codes=data.coupons, store=data.store)


def quote_for(session: Session, merchant_id: int, data: QuoteIn, *, now: datetime) -> Quote:
    """`POST /quote`: the member's best price now, nothing charged or used."""
    return price(_cart_of(session, merchant_id, data, now), now=now)


def place_priced(session: Session, merchant_id: int, data: PricedOrderIn, *, now: datetime,
                 idempotency_key: str | None = None, hot=None) -> PricedOrder:
    """`POST /orders/priced`: quote, charge, place; a retried key returns the first order."""
    fingerprint = hashlib.sha256(json.dumps(data.model_dump(mode="json"), sort_keys=True,
                                            ensure_ascii=False).encode()).hexdigest()
    if idempotency_key:
        existing = orders.by_key(session, merchant_id, idempotency_key)
        if existing is not None:
            return _replayed(existing, fingerprint)
    cart = _cart_of(session, merchant_id, data, now)
    placed = place(session, merchant_id, cart, data.order_fields(), now=now,
                   idempotency_key=idempotency_key,
                   idem=idempotency_key or "order-" + secrets.token_hex(8), hot=hot)
    if placed.created and placed.quote is not None:
        placed.order.pricing = {"request": fingerprint, "quote": quote_document(placed.quote)}
        session.flush()
    elif not placed.created:
        return _replayed(placed.order, fingerprint)
    return placed


def _replayed(order: Order, fingerprint: str) -> PricedOrder:
    """A retried key: the first answer, unless the key now comes with another request."""
    pricing = order.pricing or {}
    if pricing.get("request") not in (None, fingerprint):
        raise InvalidInput("Idempotency-Key: 此键已用于另一个下单请求 (购物车或字段不同), "
                           "请换一个新键", field="Idempotency-Key", code="idempotency_mismatch")
    return PricedOrder(order, False, None, pricing.get("quote"))


def used_by_order(session: Session, merchant_id: int, order_id: int) -> list[dict]:
    """What an order used: each promotion and coupon, its discount line by line."""
    orders.get(session, merchant_id, order_id)  # 404 for another merchant's order
    return [{"id": u.code, "source": u.source, "discount": fmt_yuan(u.discount_fen),
             "lines": [{"sku": ln["sku"], "discount": fmt_yuan(ln["discount"])}
                       for ln in u.lines],
             "released": u.released_at is not None}
            for u in repo.uses_of_order(session, merchant_id, order_id)]
