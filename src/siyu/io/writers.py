"""Writing a table as CSV or Excel (.xlsx), in the same columns the importers read.

Cells come in as text (money already as yuan strings "300.00", times as ISO strings).
CSV is UTF-8 (optionally with a BOM for Excel). In XLSX, money and counts become
numbers (money shown with two decimals) and everything else stays text, so phone
numbers and ids are not turned into 1.38E+10; a second sheet "说明" explains the
columns in Chinese. Text that a spreadsheet would run as a formula (=, +, -, @) is
escaped with a leading apostrophe in CSV and stored as plain text in XLSX; the
importers undo the CSV escape, so files round-trip.
"""

from __future__ import annotations

import csv
import io
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from typing import IO

from siyu.io.readers import format_of

_NUMBER_RE = re.compile(r"^-?\d+(\.\d+)?$")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

MONEY = "money"
INTEGER = "int"


def escape_formula(text: str) -> str:
    if text.startswith(_FORMULA_START) and not _NUMBER_RE.match(text):
        return "'" + text
    return text


def write_csv(fh: IO[bytes], columns: Sequence[str], rows: Iterable[Sequence], *,
              bom: bool = False) -> int:
    text = io.TextIOWrapper(fh, encoding="utf-8-sig" if bom else "utf-8", newline="",
                            write_through=True)
    writer = csv.writer(text, lineterminator="\r\n")
    writer.writerow(columns)
    n = 0
    for row in rows:
        writer.writerow(["" if v is None else escape_formula(str(v)) for v in row])
        n += 1
    text.flush()
    text.detach()
    return n


def write_xlsx(fh: IO[bytes], columns: Sequence[str], rows: Iterable[Sequence], *,
               kinds: Mapping[str, str] | None = None, notes: Mapping[str, str] | None = None,
               title: str = "data") -> int:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    kinds = kinds or {}
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title)
    bold = Font(bold=True)
    header = []
    for name in columns:
        cell = WriteOnlyCell(sheet, value=name)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    col_kinds = [kinds.get(c) for c in columns]
    n = 0
    for row in rows:
        out = []
        for kind, value in zip(col_kinds, row, strict=True):
            if value is None or value == "":
                out.append(None)
            elif kind == MONEY:
                cell = WriteOnlyCell(sheet, value=Decimal(str(value)))
                cell.number_format = "0.00"
                out.append(cell)
            elif kind == INTEGER:
                out.append(int(value))
            elif str(value).startswith("="):
                cell = WriteOnlyCell(sheet, value=str(value))
                cell.data_type = "s"  # text, not a formula
                out.append(cell)
            else:
                out.append(str(value))  # a str stays text: ids and phones keep their digits
        sheet.append(out)
        n += 1
    if notes:
        info = book.create_sheet("说明")
        info.append([WriteOnlyCell(info, value="列名"), WriteOnlyCell(info, value="说明")])
        for name in columns:
            info.append([name, notes.get(name, "")])
    book.save(fh)
    return n


def write_table(fh: IO[bytes], fmt: str, columns: Sequence[str], rows: Iterable[Sequence], *,
                kinds: Mapping[str, str] | None = None, notes: Mapping[str, str] | None = None,
                title: str = "data", bom: bool = False) -> int:
    """Write `rows` in `fmt` ("csv" or "xlsx"); returns the number of data rows."""
    if fmt == "csv":
        return write_csv(fh, columns, rows, bom=bom)
    return write_xlsx(fh, columns, rows, kinds=kinds, notes=notes, title=title)


def write_path(path: str | Path, columns: Sequence[str], rows: Iterable[Sequence], **kw) -> int:
    """Write to `path` (format from its suffix) atomically: a failure leaves no half file."""
    path = Path(path)
    fmt = format_of(path.name)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "wb") as fh:
            n = write_table(fh, fmt, columns, rows, **kw)
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()
    return n
