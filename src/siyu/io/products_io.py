"""Products in and out of files: `sku, name, category, price, cost, daily_price, stock,
tags` (money in yuan, tags separated by |).

Import upserts by SKU, all rows or none. For an SKU that already exists an empty cell
keeps the stored value (so a price list with only `sku,price` reprices without touching
stock); a new SKU needs `name` and `price`. Names go through the copy scanner while the
file is checked: a name that blocks is a row error; one that needs the legal review is
imported off sale and queued (`held_for_review`, see catalog.copy_review).
"""

from __future__ import annotations

from collections.abc import Iterator

from pydantic import ValidationError
from sqlalchemy.orm import Session

from siyu.catalog import repository as catalog_repo
from siyu.catalog import service as catalog
from siyu.catalog.schemas import ProductIn
from siyu.core.money import fmt_yuan
from siyu.db.base import utcnow
from siyu.db.scope import scoped
from siyu.io.progress import NullProgress, Progress
from siyu.io.readers import RowError, RowErrors, Table, row_errors
from siyu.io.writers import INTEGER, MONEY
from siyu.risk import service as copy_risk
from siyu.risk.errors import CopyBlocked

COLUMNS = ("sku", "name", "category", "price", "cost", "daily_price", "stock", "tags")
REQUIRED = ("sku",)
KINDS = {"price": MONEY, "cost": MONEY, "daily_price": MONEY, "stock": INTEGER}
ALIASES = {"商品编码": "sku", "货号": "sku", "商品名称": "name", "名称": "name",
           "类目": "category", "分类": "category", "售价": "price", "价格": "price",
           "成本": "cost", "成本价": "cost", "日常价": "daily_price", "库存": "stock",
           "标签": "tags"}
NOTES = {
    "sku": "商品编码 (必填, 唯一; 再次导入同一编码会更新该商品)",
    "name": "商品名称 (新商品必填)",
    "category": "类目",
    "price": "售价, 元, 最多两位小数 (新商品必填)",
    "cost": "成本价, 元 (用于毛利红线)",
    "daily_price": "日常价, 元 (不填则等于售价)",
    "stock": "库存, 整数",
    "tags": "标签, 多个用 | 分隔",
}
BATCH = 500


def _merged(cells: dict, product) -> dict:
    """The row as ProductIn input: empty cells fall back to the stored product."""
    data = {k: v for k, v in cells.items() if v is not None}
    if "tags" in data:
        data["tags"] = [t.strip() for t in data["tags"].split("|") if t.strip()]
    if product is not None:
        stored = {"name": product.name, "category": product.category,
                  "price": fmt_yuan(product.price_fen), "cost": fmt_yuan(product.cost_fen),
                  "daily_price": fmt_yuan(product.daily_price_fen), "stock": product.stock,
                  "tags": list(product.tags or []), "active": product.active}
        data = {**stored, **data}
    return data


def import_products(session: Session, merchant_id: int, table: Table, *, actor: str,
                    progress: Progress | None = None) -> dict:
    """Upsert every row by SKU, all or none; returns {"imported", "created", "updated"}."""
    progress = progress or NullProgress()
    table.require(*REQUIRED)
    stored = catalog_repo.by_skus(session, merchant_id,
                                  [c["sku"] for _, c in table.rows if c.get("sku")])
    errors: list[RowError] = list(table.problems)
    good: list[ProductIn] = []
    first_seen: dict[str, int] = {}
    progress.phase("校验", len(table.rows))
    for row_no, cells in table.rows:
        progress.advance()
        sku = cells.get("sku")
        if not sku:
            errors.append(RowError(row_no, "sku", "必填, 不能为空"))
            continue
        if sku in first_seen:
            errors.append(RowError(row_no, "sku", f"与第 {first_seen[sku]} 行重复"))
            continue
        first_seen[sku] = row_no
        try:
            data = ProductIn.model_validate(_merged(cells, stored.get(sku)))
            copy_risk.check_copy(session, merchant_id, {"name": data.name})
            good.append(data)
        except ValidationError as e:
            errors.extend(row_errors(row_no, e))
        except CopyBlocked as e:  # "name: 文案含违规内容: ..." -> the row's reason
            errors.append(RowError(row_no, e.field, e.message.split(": ", 1)[-1]))
    if errors:
        raise RowErrors(errors)
    created = updated = held = 0
    progress.phase("写入", len(good))
    repriced = []
    for data in good:
        before = stored.get(data.sku)
        snapshot = None if before is None else catalog.to_out(before)
        product, is_new, review = catalog.upsert(session, merchant_id, data, actor=actor,
                                                 recheck=False)
        held += bool(review)
        if is_new:
            created += 1
        elif catalog.to_out(product) != snapshot:
            updated += 1
            if any(getattr(snapshot, k.removesuffix("_fen")) != getattr(product, k)
                   for k in catalog.PRICING):
                repriced.append(product.sku)
        progress.advance()
    catalog.recheck_red_lines(session, merchant_id, repriced, actor=actor, now=utcnow())
    return {"imported": len(good), "created": created, "updated": updated,
            "unchanged": len(good) - created - updated, "held_for_review": held}


def export_rows(session: Session, merchant_id: int, *,
                progress: Progress | None = None) -> Iterator[list]:
    from siyu.catalog.models import Product

    progress = progress or NullProgress()
    progress.phase("导出", None)
    last = 0
    while True:
        stmt = scoped(Product, merchant_id).where(Product.id > last).order_by(Product.id)
        batch = list(session.scalars(stmt.limit(BATCH)))
        if not batch:
            return
        for p in batch:
            yield [p.sku, p.name, p.category, fmt_yuan(p.price_fen), fmt_yuan(p.cost_fen),
                   fmt_yuan(p.daily_price_fen), p.stock, "|".join(p.tags or [])]
        progress.advance(len(batch))
        last = batch[-1].id
