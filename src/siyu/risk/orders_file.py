"""Orders and claims files for `siyu risk orders --orders FILE.csv` (CSV or XLSX).

Orders: one row per order line, like the orders import, with a few risk columns:

    order_no,member_external_id,paid_at,ip,device,address,phone,registered_at,
    sku,qty,price,cost,channel,flash_sale

Required: `order_no`, `paid_at`. Rows with the same order_no are the lines of one
order; its order-level columns (member_external_id, paid_at, ip, device, address,
phone, registered_at, channel) must agree between them. `price` is the unit price
paid (yuan, discounts included), `cost` the unit cost; a line below cost, a
`flash_sale` line (1/true/是) or channel `flash_sale` is a loss-leader. `ip` is an
IPv4 or IPv6 address. `phone` is a mainland mobile, compared as given and printed
masked only. `registered_at` (the account's registration) lets the new-account rule
judge; without it the rule is skipped for that account.

Claims (`--claims`): `member_external_id,at,kind` with kind grab, redeem or
coupon_claim — the coupon-claim velocity rule (羊毛党).

Any bad cell stops the sweep before anything is scanned: every bad cell is listed, one
line each (`row N: column: reason`, the header is row 1), then `共 N 行有问题 (M 处),
未扫描` (exit 2); nothing is printed on stdout.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from siyu.core.clock import parse_datetime
from siyu.core.errors import SiyuError
from siyu.core.fields import IpAddress, Yuan
from siyu.core.pii import mask_phone, normalize_phone
from siyu.io.readers import RowError, RowErrors, read_path, row_errors
from siyu.risk.orders_engine import ClaimFact, Line, OrderFact

COLUMNS = ("order_no", "member_external_id", "paid_at", "ip", "device", "address", "phone",
           "registered_at", "sku", "qty", "price", "cost", "channel", "flash_sale")
ORDER_LEVEL = ("member_external_id", "paid_at", "ip", "device", "address", "phone",
               "registered_at", "channel")
CLAIM_COLUMNS = ("member_external_id", "at", "kind")
ALIASES = {"订单号": "order_no", "会员编号": "member_external_id", "支付时间": "paid_at",
           "设备": "device", "收货地址": "address", "地址": "address", "手机号": "phone",
           "注册时间": "registered_at", "商品编码": "sku", "数量": "qty", "单价": "price",
           "成本": "cost", "渠道": "channel", "秒杀": "flash_sale", "时间": "at", "类型": "kind"}
_TRUE = ("1", "true", "yes", "y", "是")
_FALSE = ("0", "false", "no", "n", "否", "")


class ScanRowErrors(RowErrors):
    """Bad rows of a file to sweep: every one listed, one a line, then how many rows
    were bad — and that nothing was scanned (the importers' wording says imported)."""

    def __init__(self, errors: list[RowError]) -> None:
        super().__init__(errors)
        lines = [str(e) for e in self.errors]
        lines.append(f"共 {self.bad_rows} 行有问题 ({len(self.errors)} 处), 未扫描")
        self.message = "\n".join(lines)
        self.args = (self.message,)


def _when(v, field: str):
    if v is None:
        return None
    try:
        return parse_datetime(v, field)
    except SiyuError as e:
        raise ValueError("无法解析的时间, 需要 ISO 8601 (如 2026-01-20T20:00:00)") from e


class OrderLineRow(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    order_no: str = Field(min_length=1, max_length=64)
    member_external_id: str | None = Field(default=None, max_length=100)
    paid_at: datetime
    ip: IpAddress | None = None
    device: str | None = Field(default=None, max_length=100)
    address: str | None = Field(default=None, max_length=300)
    phone: str | None = None
    registered_at: datetime | None = None
    sku: str | None = Field(default=None, max_length=64)
    qty: int = Field(default=1, ge=1, le=10_000)
    price: Yuan | None = None
    cost: Yuan | None = None
    channel: str | None = Field(default=None, max_length=50)
    flash_sale: bool = False

    @field_validator("paid_at", "registered_at", mode="before")
    @classmethod
    def _times(cls, v, info):
        return _when(v, info.field_name)

    @field_validator("phone", mode="before")
    @classmethod
    def _phone(cls, v):
        if v is None:
            return None
        try:
            return normalize_phone(str(v))
        except SiyuError as e:
            raise ValueError("不是有效的大陆手机号 (11 位, 1 开头)") from e

    @field_validator("flash_sale", mode="before")
    @classmethod
    def _flag(cls, v):
        text = str(v if v is not None else "").strip().lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        raise ValueError("须为 1/0, true/false 或 是/否")


class ClaimRow(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    member_external_id: str = Field(min_length=1, max_length=100)
    at: datetime
    kind: str = Field(pattern="^(grab|redeem|coupon_claim)$")

    @field_validator("at", mode="before")
    @classmethod
    def _at(cls, v):
        return _when(v, "at")


def read_orders(path: str) -> list[OrderFact]:
    table = read_path(path, known=COLUMNS, aliases=ALIASES)
    table.require("order_no", "paid_at")
    errors: list[RowError] = list(table.problems)
    groups: dict[str, list[tuple[int, OrderLineRow]]] = {}
    for row_no, cells in table.rows:
        try:
            row = OrderLineRow.model_validate(cells)
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
        if row.sku is None and (row.price is not None or row.cost is not None):
            errors.append(RowError(row_no, "sku", "给出了 price/cost 却没有 sku"))
        lines.append((row_no, row))
    if errors:
        raise ScanRowErrors(errors)
    return [_fact(order_no, [r for _, r in rows]) for order_no, rows in groups.items()]


def _first(rows: list[OrderLineRow], column: str):
    return next((getattr(r, column) for r in rows if getattr(r, column) is not None), None)


def _fact(order_no: str, rows: list[OrderLineRow]) -> OrderFact:
    phone = _first(rows, "phone")
    # Without a price a line's price is unknown: it can be a flash-sale line, never
    # "below cost".
    lines = tuple(Line(r.sku, r.qty, r.price or 0, r.cost if r.price is not None else None,
                       r.flash_sale) for r in rows if r.sku is not None)
    return OrderFact(
        order_no=order_no, at=_first(rows, "paid_at"), member=_first(rows, "member_external_id"),
        ip=_first(rows, "ip"), device=_first(rows, "device"), address=_first(rows, "address"),
        phone_key=phone, phone_shown=mask_phone(phone) if phone else None,
        registered_at=_first(rows, "registered_at"), channel=_first(rows, "channel"),
        lines=lines)


def read_claims(path: str) -> list[ClaimFact]:
    table = read_path(path, known=CLAIM_COLUMNS, aliases=ALIASES)
    table.require(*CLAIM_COLUMNS)
    errors: list[RowError] = list(table.problems)
    out: list[ClaimFact] = []
    for row_no, cells in table.rows:
        try:
            row = ClaimRow.model_validate(cells)
        except ValidationError as e:
            errors.extend(row_errors(row_no, e))
            continue
        out.append(ClaimFact(row.member_external_id, row.at, row.kind))
    if errors:
        raise ScanRowErrors(errors)
    return out
