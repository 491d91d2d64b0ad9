"""Reading the segmentation input files (orders, members, events) into plain values.

CSV with a header row (UTF-8, UTF-8 with BOM or GBK); other columns are ignored,
blank lines skipped. Row numbers count the header as row 1, as a spreadsheet shows
them. The first bad cell stops the read with one line naming the file, the row and the
column: `orders.csv row 7: paid_at: 无法解析的日期时间 'xx'` (an `InvalidInput`, exit 2).
A file with no rows at all (not even a header) is an empty input, not an error.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TypeVar

from siyu.core.clock import parse_datetime
from siyu.core.errors import InvalidInput, SiyuError
from siyu.core.money import parse_yuan

ORDER_COLUMNS = ("member_id", "order_id", "paid_at", "amount")
MEMBER_COLUMNS = ("member_id", "registered_at")
EVENT_COLUMNS = ("member_id", "kind", "at")
EVENT_KINDS = frozenset(
    {"view", "message", "share", "check_in", "like", "comment", "add_to_cart", "grab", "invite"}
)

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Order:
    member_id: str
    order_id: str
    paid_at: datetime  # aware, UTC
    amount: int  # fen


@dataclass(frozen=True, slots=True)
class Member:
    member_id: str
    registered_at: datetime  # aware, UTC


@dataclass(frozen=True, slots=True)
class Event:
    member_id: str
    kind: str
    at: datetime  # aware, UTC


def _decode(data: bytes, name: str) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise InvalidInput(f"{name}: 无法识别文件编码 (需要 UTF-8 或 GBK)", field="file")


def _rows(path: Path, columns: tuple[str, ...]) -> Iterator[tuple[int, dict[str, str]]]:
    """(row number, {column: stripped text}) for every non-blank data row."""
    name = path.name
    try:
        data = path.read_bytes()
    except OSError as e:
        raise InvalidInput(f"{name}: 无法读取文件: {e.strerror or e}", field="file") from None
    reader = csv.reader(io.StringIO(_decode(data, name), newline=""))
    try:
        header = next(reader, None)
        while header is not None and not any(c.strip() for c in header):
            header = next(reader, None)
        if header is None:
            return
        names = [c.strip().lstrip("\ufeff").strip().lower() for c in header]
        for column in columns:
            if column not in names:
                raise InvalidInput(
                    f"{name} row 1: {column}: 缺少必需的列 (表头须包含 {','.join(columns)})",
                    field=column,
                )
        positions = {column: names.index(column) for column in columns}
        for row_no, cells in enumerate(reader, start=2):
            if not any(c.strip() for c in cells):
                continue
            extra = [j for j in range(len(names), len(cells)) if cells[j].strip()]
            if extra:  # e.g. an unquoted 1,000.00: never read half of it
                raise InvalidInput(f"{name} row {row_no}: 第 {extra[0] + 1} 列: 有数据, 但表头没有"
                                   "列名 (含逗号的值须加引号)", field="file")
            yield row_no, {
                column: (cells[i].strip() if i < len(cells) else "")
                for column, i in positions.items()
            }
    except csv.Error as e:
        raise InvalidInput(f"{name}: CSV 格式错误: {e}", field="file") from None


def _read(path: Path, columns: tuple[str, ...], make: Callable[[dict[str, str]], T]) -> list[T]:
    out: list[T] = []
    for row_no, row in _rows(path, columns):
        try:
            for column in columns:
                if not row[column]:
                    raise InvalidInput(f"{column}: 不能为空", field=column)
            out.append(make(row))
        except SiyuError as e:
            raise InvalidInput(f"{path.name} row {row_no}: {e.message}", field=e.field) from None
    return out


def _check_member(member_id: str, known: set[str] | None) -> None:
    if known is not None and member_id not in known:
        raise InvalidInput(f"member_id: 会员不在会员文件中 {member_id!r}", field="member_id")


def read_orders(path: str | Path, known_members: set[str] | None = None) -> list[Order]:
    """Orders `member_id,order_id,paid_at,amount`; an order id seen twice is an error, and
    so is a member outside `known_members` when it is given."""
    seen: set[str] = set()

    def make(row: dict[str, str]) -> Order:
        _check_member(row["member_id"], known_members)
        order_id = row["order_id"]
        if order_id in seen:
            raise InvalidInput(f"order_id: 订单号重复 {order_id!r}", field="order_id")
        seen.add(order_id)
        return Order(row["member_id"], order_id, parse_datetime(row["paid_at"], "paid_at"),
                     parse_yuan(row["amount"], "amount"))

    return _read(Path(path), ORDER_COLUMNS, make)


def read_members(path: str | Path) -> list[Member]:
    """Members `member_id,registered_at`; a member id seen twice is an error."""
    seen: set[str] = set()

    def make(row: dict[str, str]) -> Member:
        member_id = row["member_id"]
        if member_id in seen:
            raise InvalidInput(f"member_id: 会员重复 {member_id!r}", field="member_id")
        seen.add(member_id)
        return Member(member_id, parse_datetime(row["registered_at"], "registered_at"))

    return _read(Path(path), MEMBER_COLUMNS, make)


def read_events(path: str | Path, known_members: set[str] | None = None,
                kinds: frozenset[str] = EVENT_KINDS) -> list[Event]:
    """Events `member_id,kind,at`; `kind` must be one of the contract's interaction kinds,
    the member one of `known_members` when it is given."""

    def make(row: dict[str, str]) -> Event:
        _check_member(row["member_id"], known_members)
        kind = row["kind"].lower()
        if kind not in kinds:
            raise InvalidInput(f"kind: 未知的事件类型 {row['kind']!r} (可选: "
                               f"{', '.join(sorted(kinds))})", field="kind")
        return Event(row["member_id"], kind, parse_datetime(row["at"], "at"))

    return _read(Path(path), EVENT_COLUMNS, make)
