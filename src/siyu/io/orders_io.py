"""Historical orders in and out of files: one row per order line,
`order_no, member_external_id, sku, qty, price, paid_at, status, ip, device, address,
channel, store`; rows with the same order_no form one order.

Import rules: the member must exist (`member_external_id` empty = a guest order); a line
without `price` takes the product's current price, and then the SKU must exist; stock
is not touched (these orders already happened). The order-level columns must agree
between the rows of one order. An order_no already stored is skipped, never changed,
so re-importing the same file is harmless. All rows or none.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from sqlalchemy import select
from sqlalchemy.orm import Session

from siyu.catalog import repository as catalog_repo
from siyu.core.clock import parse_datetime, to_beijing
from siyu.core.errors import SiyuError
from siyu.core.fields import IpAddress, Yuan
from siyu.core.money import fmt_yuan
from siyu.db.scope import scoped
from siyu.events import service as events
from siyu.io.progress import NullProgress, Progress
from siyu.io.readers import RowError, RowErrors, Table, row_errors
from siyu.io.writers import INTEGER, MONEY
from siyu.members import service as members
from siyu.orders import service as orders
from siyu.orders.models import ORDER_STATUSES, Order
from siyu.orders.schemas import OrderIn, OrderLineIn

COLUMNS = ("order_no", "member_external_id", "sku", "qty", "price", "paid_at", "status",
           "ip", "device", "address", "channel", "store")
REQUIRED = ("order_no", "sku", "qty")
ORDER_LEVEL = ("member_external_id", "paid_at", "status", "ip", "device", "address",
               "channel", "store")
KINDS = {"qty": INTEGER, "price": MONEY}
PAID_STATUSES = ("paid", "shipped", "completed", "refunded")
ALIASES = {"订单号": "order_no", "会员编号": "member_external_id", "商品编码": "sku",
           "数量": "qty", "单价": "price", "支付时间": "paid_at", "状态": "status",
           "设备": "device", "收货地址": "address", "地址": "address", "渠道": "channel",
           "门店": "store"}
NOTES = {
    "order_no": "订单号 (必填; 同一订单号的多行是同一订单的多个商品; 已存在的订单号跳过)",
    "member_external_id": "会员编号 (须已导入; 留空为游客订单)",
    "sku": "商品编码 (必填)",
    "qty": "数量, 正整数 (必填)",
    "price": "成交单价, 元 (不填则取商品当前售价, 此时商品须存在)",
    "paid_at": "支付时间, ISO 8601, 不带时区按北京时间 (已支付的订单必填)",
    "status": f"状态: {' / '.join(ORDER_STATUSES)} (不填: 有支付时间为 paid, 否则 pending)",
    "ip": "下单 IP", "device": "下单设备", "address": "收货地址",
    "channel": "渠道", "store": "门店编码",
}
BATCH = 500


class OrderRow(BaseModel):
    """One line of an order file."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    order_no: str = Field(min_length=1, max_length=64)
    member_external_id: str | None = Field(default=None, max_length=100)
    sku: str = Field(min_length=1, max_length=64)
    qty: int = Field(ge=1, le=10_000)
    price: Yuan | None = None
    paid_at: datetime | None = None
    status: str | None = None
    ip: IpAddress | None = None
    device: str | None = Field(default=None, max_length=100)
    address: str | None = Field(default=None, max_length=300)
    channel: str | None = Field(default=None, max_length=50)
    store: str | None = Field(default=None, max_length=64)

    @field_validator("paid_at", mode="before")
    @classmethod
    def _paid_at(cls, v):
        if v is None:
            return None
        try:
            return parse_datetime(v, "paid_at")
        except SiyuError as e:
            raise ValueError("无法解析的时间, 需要 ISO 8601 (如 2026-01-20T20:00:00)") from e

    @field_validator("status")
    @classmethod
    def _status(cls, v):
        if v is not None and v.lower() not in ORDER_STATUSES:
            raise ValueError(f"须为 {' / '.join(ORDER_STATUSES)}")
        return None if v is None else v.lower()


def _existing_order_nos(session: Session, merchant_id: int, order_nos: list[str]) -> set[str]:
    found: set[str] = set()
    for i in range(0, len(order_nos), BATCH):
        stmt = select(Order.order_no).where(Order.merchant_id == merchant_id,
                                            Order.order_no.in_(order_nos[i : i + BATCH]))
        found.update(session.scalars(stmt))
    return found


def _group(table: Table, errors: list[RowError]) -> dict[str, list[tuple[int, OrderRow]]]:
    groups: dict[str, list[tuple[int, OrderRow]]] = {}
    for row_no, cells in table.rows:
        try:
            row = OrderRow.model_validate(cells)
        except ValidationError as e:
            errors.extend(row_errors(row_no, e))
            continue
        lines = groups.setdefault(row.order_no, [])
        for column in ORDER_LEVEL:
            mine = getattr(row, column)
            other = next(((n, getattr(r, column)) for n, r in lines
                          if getattr(r, column) is not None), None)
            if mine is not None and other is not None and other[1] != mine:
                errors.append(RowError(row_no, column, f"与同一订单第 {other[0]} 行不一致"))
        lines.append((row_no, row))
    return groups


def _first(lines: list[tuple[int, OrderRow]], column: str):
    return next((getattr(r, column) for _, r in lines if getattr(r, column) is not None), None)


def import_orders(session: Session, merchant_id: int, table: Table, *, now: datetime,
                  progress: Progress | None = None) -> dict:
    """Create the file's orders, all or none; returns {"imported", "created", "skipped",
    "lines"}. `imported` counts the orders in the file."""
    progress = progress or NullProgress()
    table.require(*REQUIRED)
    errors: list[RowError] = list(table.problems)
    progress.phase("校验", len(table.rows))
    groups = _group(table, errors)
    progress.advance(len(table.rows))
    member_ids = members.ids_by_external_id(
        session, merchant_id, [ext for lines in groups.values() for _, r in lines
                               if (ext := r.member_external_id)])
    products = catalog_repo.by_skus(session, merchant_id,
                                    [r.sku for lines in groups.values() for _, r in lines])
    stored = _existing_order_nos(session, merchant_id, list(groups))
    for lines in groups.values():
        status, paid_at = _first(lines, "status"), _first(lines, "paid_at")
        if len(lines) > 200:
            errors.append(RowError(lines[200][0], "order_no", "一个订单最多 200 行"))
        for row_no, r in lines:
            if r.member_external_id and r.member_external_id not in member_ids:
                errors.append(RowError(row_no, "member_external_id",
                                       f"会员 {r.member_external_id} 不存在"))
            if r.price is None and r.sku not in products:
                errors.append(RowError(row_no, "sku", f"商品 {r.sku} 不存在, 且未给出 price"))
        if status in PAID_STATUSES and paid_at is None:
            errors.append(RowError(lines[0][0], "paid_at", f"状态为 {status} 的订单需要支付时间"))
        elif status == "pending" and paid_at is not None:
            errors.append(RowError(lines[0][0], "status", "有支付时间的订单不能是 pending"))
    if errors:
        raise RowErrors(errors)
    created = 0
    progress.phase("写入", len(groups))
    for order_no, lines in groups.items():
        progress.advance()
        if order_no in stored:
            continue
        _place(session, merchant_id, order_no, lines, member_ids, now=now)
        created += 1
    return {"imported": len(groups), "created": created, "skipped": len(groups) - created,
            "lines": len(table.rows)}


def _place(session: Session, merchant_id: int, order_no: str,
           lines: list[tuple[int, OrderRow]], member_ids: dict[str, int], *,
           now: datetime) -> None:
    paid_at = _first(lines, "paid_at")
    ext = _first(lines, "member_external_id")
    status = _first(lines, "status") or ("paid" if paid_at else "pending")
    try:
        data = OrderIn(
            order_no=order_no, member_id=member_ids[ext] if ext else None,
            store=_first(lines, "store"), status="paid" if paid_at else "pending",
            ip=_first(lines, "ip"), device=_first(lines, "device"),
            address=_first(lines, "address"), channel=_first(lines, "channel"),
            placed_at=paid_at or now,
            lines=[OrderLineIn(sku=r.sku, qty=r.qty,
                               price=None if r.price is None else fmt_yuan(r.price))
                   for _, r in lines])
    except ValidationError as e:
        raise RowErrors(row_errors(lines[0][0], e, default_column="order_no")) from e
    order, _ = orders.place(session, merchant_id, data, now=now, take_stock=False)
    if order.status != status:
        order.status = status
        if status == "refunded":
            events.emit(session, merchant_id, "refund", at=order.paid_at or now,
                        member_id=order.member_id, key=f"refund:{order.id}",
                        payload={"order_id": order.id, "total_fen": order.total_fen})


def export_rows(session: Session, merchant_id: int, *,
                progress: Progress | None = None) -> Iterator[list]:
    """One row per order line, oldest order first."""
    progress = progress or NullProgress()
    progress.phase("导出", None)
    last = 0
    while True:
        stmt = scoped(Order, merchant_id).where(Order.id > last).order_by(Order.id)
        batch = list(session.scalars(stmt.limit(BATCH)))
        if not batch:
            return
        lines = orders.lines_of(session, merchant_id, [o.id for o in batch])
        ext = members.external_ids_by_id(session, merchant_id,
                                         [o.member_id for o in batch if o.member_id])
        for o in batch:
            paid = to_beijing(o.paid_at).isoformat() if o.paid_at else None
            for ln in lines[o.id]:
                yield [o.order_no, ext.get(o.member_id) if o.member_id else None, ln.sku,
                       ln.qty, fmt_yuan(ln.unit_price_fen), paid, o.status, o.ip, o.device,
                       o.address, o.channel, o.store_code]
        progress.advance(len(batch))
        last = batch[-1].id
