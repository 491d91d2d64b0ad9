"""返场 (return round): what a session did not sell, on sale again in a later window.

Once per session, any time after it ended:
- before settlement, the units still in the session's pool move into the new sale
  (the pool is closed; the catalog is not touched);
- after settlement (the usual "next day" 返场), what settlement gave back to the
  catalog product (`returned_units`) is reserved from it again with the same
  conditional decrement a new sale uses (409 out_of_stock naming `stock` when the
  catalog no longer has them).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from siyu.catalog import repository as catalog
from siyu.core.errors import Conflict
from siyu.flashsale import repository as repo
from siyu.flashsale.models import FlashSale
from siyu.flashsale.schemas import ReturnRoundIn
from siyu.flashsale.service import SoldOut, check_window, insert_sale, require_open
from siyu.hot import Hot


def return_round(session: Session, hot: Hot, merchant_id: int, sale_id: int,
                 data: ReturnRoundIn, *, now: datetime, actor: str,
                 ) -> tuple[FlashSale, bool]:
    """The sale's return round and whether this call made it (False: it existed)."""
    # The row lock orders this against settlement and a second return-round call.
    sale = repo.require(session, merchant_id, sale_id, for_update=True)
    existing = repo.return_round_of(session, merchant_id, sale.id)
    if existing is not None:
        return existing, False
    require_open(sale)  # a held or rejected name is not sold again either
    if sale.round != 1:
        raise Conflict("flash_sale_id: 返场不能再返场", field="flash_sale_id",
                       code="not_allowed")
    if now < sale.ends_at:
        raise Conflict(f"flash_sale_id: 秒杀 {sale_id} 尚未结束", field="flash_sale_id",
                       code="not_ended")
    check_window(data.starts_at, data.ends_at, now=now)
    if sale.settled_at is None:
        units, product_id = _from_pool(session, hot, sale, now=now), sale.product_id
    else:
        units, product_id = _from_catalog(session, sale)
    child = FlashSale(merchant_id=merchant_id, sku=sale.sku, name=sale.name,
                      price_fen=sale.price_fen if data.price is None else data.price,
                      stock=units, per_member_limit=sale.per_member_limit,
                      starts_at=data.starts_at, ends_at=data.ends_at, label="返场", round=2,
                      parent_id=sale.id, unpaid_minutes=sale.unpaid_minutes,
                      product_id=product_id, created_at=now)
    return insert_sale(session, hot, child, now=now, actor=actor), True


def _from_pool(session: Session, hot: Hot, sale: FlashSale, *, now: datetime) -> int:
    """Not settled yet: close the session's pool and move what is left."""
    closed = hot.close(session, sale.pool_key, idem_key="return-round", now=now)
    if closed.units == 0:
        raise SoldOut(f"秒杀 {sale.id} 没有余量可返场", field="flash_sale_id")
    return closed.units


def _from_catalog(session: Session, sale: FlashSale) -> tuple[int, int | None]:
    """Settled: reserve again what settlement gave back to the catalog product; a SKU
    outside the catalog (none was given back anywhere) sells the same count again."""
    units = sale.returned_units or 0
    if units == 0:
        raise SoldOut(f"秒杀 {sale.id} 没有余量可返场", field="flash_sale_id")
    product_id = sale.product_id
    if product_id is None:  # never in the catalog, or the product was deleted since
        product = catalog.by_sku(session, sale.merchant_id, sale.sku)
        product_id = product.id if product is not None else None
    if product_id is not None and not catalog.take_stock(session, sale.merchant_id,
                                                         product_id, units):
        raise Conflict(f"stock: 商品 {sale.sku} 库存不足 {units} 件, 无法返场", field="stock",
                       code="out_of_stock")
    return units, product_id
