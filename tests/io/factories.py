"""Small helpers for the import/export tests: build CSV and XLSX bytes in memory."""

from __future__ import annotations

import csv
import io

from openpyxl import Workbook

# The contract's example file (spec/examples/members.csv), verbatim.
EXAMPLE_MEMBERS_CSV = """external_id,nickname,phone,registered_at,tags,channel
wx_0001,王小明,13812345678,2025-11-02,年货|坚果,store_counter
wx_0002,李娜,13987654321,2025-12-15,送礼,kol
wx_0003,张伟,,2026-01-05,,share_link
""".encode()
MEMBER_HEADER = ["external_id", "nickname", "phone", "registered_at", "tags", "channel"]


def csv_bytes(rows: list[list], *, encoding: str = "utf-8") -> bytes:
    buffer = io.StringIO(newline="")
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    return buffer.getvalue().encode(encoding)


def xlsx_bytes(rows: list[list]) -> bytes:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def member_rows(n: int, start: int = 0) -> list[list]:
    return [MEMBER_HEADER] + [
        [f"u{i:06d}", f"会员{i}", f"139{i:08d}", "2025-12-01", "囤货|自用" if i % 2 else "",
         "kol"] for i in range(start, start + n)]
