"""Reading CSV/XLSX into text cells and writing them back: encodings, Excel numbers and
dates, formula escaping, and the round trip."""

from __future__ import annotations

import io
from datetime import datetime

import pytest
from openpyxl import load_workbook

from siyu.core.errors import InvalidInput
from siyu.io.readers import cell_text, read_table
from siyu.io.writers import MONEY, escape_formula, write_table
from tests.io.factories import csv_bytes, xlsx_bytes

KNOWN = ("a", "b", "c")


def test_cell_text_normalises_excel_values():
    assert cell_text(13812345678) == "13812345678"
    assert cell_text(13812345678.0) == "13812345678"
    assert cell_text(19.9) == "19.9"
    assert cell_text(datetime(2025, 11, 2)) == "2025-11-02T00:00:00"
    assert cell_text("  x ") == "x"
    assert cell_text("   ") is None
    assert cell_text("'=SUM(A1)") == "=SUM(A1)"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk"])
def test_csv_encodings(encoding):
    table = read_table(csv_bytes([["a", "b"], ["王小明", "坚果"]], encoding=encoding), "f.csv",
                       known=KNOWN)
    assert table.columns == ["a", "b"]
    assert table.rows == [(2, {"a": "王小明", "b": "坚果"})]


def test_rows_count_the_header_as_row_one_and_skip_blank_rows():
    table = read_table(csv_bytes([["a"], ["x"], [""], ["y"]]), "f.csv", known=KNOWN)
    assert [n for n, _ in table.rows] == [2, 4]


def test_unknown_columns_are_ignored_and_listed():
    table = read_table(csv_bytes([["A ", "zzz"], ["1", "2"]]), "f.csv", known=KNOWN)
    assert table.columns == ["a"] and table.ignored == ["zzz"]


def test_data_beyond_the_header_is_a_row_problem():
    table = read_table(csv_bytes([["a"], ["1", "oops"]]), "f.csv", known=KNOWN)
    assert [str(p) for p in table.problems] == ["row 2: 第 2 列: 有数据, 但表头没有列名"]


@pytest.mark.parametrize("data,name,needle", [
    (b"", "f.csv", "file: 文件是空的"),
    (b"not a zip", "f.xlsx", "file: 不是有效的 Excel"),
    (b"a\n1\n", "f.txt", "file: 只支持 .csv 和 .xlsx"),
    (b"a,a\n1,2\n", "f.csv", "a: 表头中出现了两次"),
])
def test_unreadable_files_are_invalid_input(data, name, needle):
    with pytest.raises(InvalidInput) as e:
        read_table(data, name, known=KNOWN)
    assert e.value.message.startswith(needle)


def test_xlsx_numbers_and_dates_become_text():
    data = xlsx_bytes([["a", "b", "c"], [13812345678, datetime(2025, 11, 2), 12.5]])
    table = read_table(data, "f.xlsx", known=KNOWN)
    assert table.rows == [(2, {"a": "13812345678", "b": "2025-11-02T00:00:00", "c": "12.5"})]


def test_formula_like_text_is_escaped_in_csv_but_numbers_are_not():
    assert escape_formula("=HYPERLINK(\"x\")") == "'=HYPERLINK(\"x\")"
    assert escape_formula("-1.50") == "-1.50"
    assert escape_formula("@me") == "'@me"


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_written_tables_read_back_the_same(fmt):
    rows = [["=1+1", "138****5678", "128.00"], ["王小明", None, "9.90"]]
    buffer = io.BytesIO()
    write_table(buffer, fmt, ["a", "b", "c"], rows, kinds={"c": MONEY}, notes={"a": "说明"})

    table = read_table(buffer.getvalue(), f"f.{fmt}", known=KNOWN)

    expected_c = ["128.00", "9.90"] if fmt == "csv" else ["128", "9.9"]
    assert [r for _, r in table.rows] == [
        {"a": "=1+1", "b": "138****5678", "c": expected_c[0]},
        {"a": "王小明", "b": None, "c": expected_c[1]}]


def test_xlsx_keeps_text_as_text_and_explains_columns():
    buffer = io.BytesIO()
    write_table(buffer, "xlsx", ["phone", "price"], [["13812345678", "9.90"]],
                kinds={"price": MONEY}, notes={"phone": "手机号"})
    book = load_workbook(io.BytesIO(buffer.getvalue()))
    sheet = book.worksheets[0]
    assert sheet["A2"].value == "13812345678" and sheet["A2"].data_type == "s"
    assert sheet["B2"].value == 9.9 and sheet["B2"].number_format == "0.00"
    assert book.sheetnames[1] == "说明"
    assert [c.value for c in book["说明"][2]] == ["phone", "手机号"]
