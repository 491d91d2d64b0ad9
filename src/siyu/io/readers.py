"""Reading a table from CSV or Excel into text cells, and reporting bad rows.

CSV: UTF-8, UTF-8 with BOM, and GBK/GB18030 (what Excel on a Chinese Windows saves).
XLSX: the first sheet, through openpyxl. Every cell becomes stripped text or None, so
the importers validate one shape whatever the file. Row numbers count the header as
row 1, as a spreadsheet shows them.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path

from pydantic import ValidationError

from siyu.core.errors import InvalidInput

FORMATS = ("csv", "xlsx")
# Cells an export escaped against spreadsheet formula injection (see writers).
_ESCAPED_RE = re.compile(r"^'[=+\-@\t\r]")


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    reason: str

    def __str__(self) -> str:
        return f"row {self.row}: {self.column}: {self.reason}"

    def to_dict(self) -> dict:
        return {"row": self.row, "column": self.column, "reason": self.reason}


class RowErrors(InvalidInput):
    """The file has bad rows: nothing was imported. Rendered with every row listed."""

    code = "invalid_rows"
    MAX_LISTED = 1000

    def __init__(self, errors: list[RowError]) -> None:
        errors = sorted(errors, key=lambda e: e.row)
        rows = len({e.row for e in errors})
        super().__init__(f"{errors[0]} (共 {rows} 行有问题, 未导入任何数据)",
                         field=errors[0].column)
        self.errors = errors
        self.bad_rows = rows

    def to_dict(self) -> dict:
        doc = super().to_dict()
        doc["error"]["rows"] = [e.to_dict() for e in self.errors[: self.MAX_LISTED]]
        doc["error"]["total"] = len(self.errors)
        return doc


@dataclass
class Table:
    """A header and its rows as (row number, {column: text or None})."""

    columns: list[str]
    rows: list[tuple[int, dict[str, str | None]]] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)
    # Problems found while reading (cells beyond the header), reported with the rest.
    problems: list[RowError] = field(default_factory=list)

    def require(self, *names: str) -> None:
        for name in names:
            if name not in self.columns:
                raise InvalidInput(f"{name}: 缺少必需的列 (表头须包含 {name})", field=name,
                                   code="missing_column")


def format_of(filename: str) -> str:
    suffix = Path(filename or "").suffix.lower().lstrip(".")
    if suffix not in FORMATS:
        raise InvalidInput(f"file: 只支持 .csv 和 .xlsx 文件 ({filename or '未命名'})",
                           field="file", code="unsupported_format")
    return suffix


def cell_text(value: object) -> str | None:
    """One cell as stripped text; empty is None. Excel numbers lose the float '.0'."""
    if value is None:
        return None
    if isinstance(value, str):
        text = value.strip()
        if _ESCAPED_RE.match(text):
            text = text[1:]
        return text or None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return str(value).strip() or None


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise InvalidInput("file: 无法识别文件编码 (需要 UTF-8 或 GBK)", field="file",
                       code="unreadable_file")


def _csv_rows(data: bytes) -> Iterable[list]:
    text = _decode(data)
    try:
        return list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as e:
        raise InvalidInput(f"file: CSV 格式错误: {e}", field="file",
                           code="unreadable_file") from e


def _xlsx_rows(data: bytes) -> Iterable[tuple]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as e:
        raise InvalidInput("file: 不是有效的 Excel (.xlsx) 文件", field="file",
                           code="unreadable_file") from e
    try:
        return list(book.worksheets[0].iter_rows(values_only=True))
    finally:
        book.close()


def normalize_header(name: object) -> str:
    return (cell_text(name) or "").lstrip("\ufeff").strip().lower()


def read_table(data: bytes, filename: str, *, known: Iterable[str],
               aliases: Mapping[str, str] | None = None) -> Table:
    """Parse CSV or XLSX bytes. Columns outside `known` (after `aliases`, e.g. 手机号 →
    phone) are ignored and listed in `Table.ignored`; completely empty rows are skipped."""
    kind = format_of(filename)
    raw = _csv_rows(data) if kind == "csv" else _xlsx_rows(data)
    it = iter(raw)
    header = next(it, None)
    while header is not None and not any(cell_text(c) for c in header):
        header = next(it, None)
    if header is None:
        raise InvalidInput("file: 文件是空的, 第 1 行须为表头", field="file", code="empty_file")
    known = set(known)
    aliases = aliases or {}
    positions: list[tuple[int, str]] = []
    table = Table(columns=[])
    for i, cell in enumerate(header):
        name = normalize_header(cell)
        name = aliases.get(name, name)
        if not name:
            continue
        if name in table.columns:
            raise InvalidInput(f"{name}: 表头中出现了两次", field=name, code="duplicate_column")
        if name in known:
            table.columns.append(name)
            positions.append((i, name))
        else:
            table.ignored.append(name)
    width = len(header)
    for row_no, cells in enumerate(it, start=2):
        values = [cell_text(c) for c in cells]
        if not any(values):
            continue
        row = {name: (values[i] if i < len(values) else None) for i, name in positions}
        extra = [j for j in range(width, len(values)) if values[j]]
        if extra:
            table.problems.append(RowError(row_no, f"第 {extra[0] + 1} 列",
                                           "有数据, 但表头没有列名"))
        table.rows.append((row_no, row))
    return table


def read_path(path: str | Path, *, known: Iterable[str],
              aliases: Mapping[str, str] | None = None) -> Table:
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as e:
        raise InvalidInput(f"file: 无法读取文件 {path}: {e.strerror or e}", field="file",
                           code="unreadable_file") from e
    return read_table(data, path.name, known=known, aliases=aliases)


_MESSAGES = {
    "missing": "必填, 不能为空",
    "string_too_short": "不能为空",
    "string_type": "需要文本",
    "int_parsing": "需要整数",
    "int_type": "需要整数",
    "int_from_float": "需要整数",
    "string_pattern_mismatch": "格式不正确",
    "extra_forbidden": "未知的列",
}


def reason_of(error: Mapping) -> str:
    """A pydantic error as a short Chinese reason."""
    kind, ctx = error.get("type", ""), error.get("ctx") or {}
    if kind == "value_error":
        text = str(ctx.get("error", error.get("msg", "")))
        return text.split(": ", 1)[1] if re.match(r"^[a-z_]+: ", text) else text
    if kind == "string_too_long":
        return f"过长 (最多 {ctx.get('max_length')} 字)"
    if kind == "too_long":
        return f"过多 (最多 {ctx.get('max_length')} 个)"
    if kind == "greater_than_equal":
        return f"不能小于 {ctx.get('ge')}"
    if kind == "less_than_equal":
        return f"不能大于 {ctx.get('le')}"
    return _MESSAGES.get(kind, str(error.get("msg", "无效")))


def row_errors(row_no: int, exc: ValidationError, *, rename: Mapping[str, str] | None = None,
               default_column: str = "row") -> list[RowError]:
    """A pydantic ValidationError of one row as `row N: column: reason` errors."""
    rename = rename or {}
    out: list[RowError] = []
    for err in exc.errors():
        loc = [str(p) for p in err.get("loc", ())]
        column = loc[0] if loc else default_column
        if not loc and err.get("type") == "value_error":
            text = str((err.get("ctx") or {}).get("error", ""))
            m = re.match(r"^([a-z_]+): ", text)
            if m:
                column = m.group(1)
        out.append(RowError(row_no, rename.get(column, column), reason_of(err)))
    return out
