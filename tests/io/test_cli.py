"""`siyu import …` / `siyu export …` end to end on a fresh SQLite file: exit codes,
stdout/stderr discipline, masking, --with-pii for owners only, XLSX round trip."""

from __future__ import annotations

import csv
import io
import json

import pytest
from typer.testing import CliRunner

from siyu.cli import app
from tests.io.factories import EXAMPLE_MEMBERS_CSV, MEMBER_HEADER, csv_bytes


def siyu(*args):
    return CliRunner().invoke(app, [str(a) for a in args])


@pytest.fixture
def db(tmp_path):
    return f"sqlite:///{tmp_path / 'cli.db'}"


@pytest.fixture
def owner(db):
    result = siyu("merchant", "create", "--name", "导入测试", "--json", "--db", db)
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


@pytest.fixture
def example(tmp_path):
    path = tmp_path / "members.csv"
    path.write_bytes(EXAMPLE_MEMBERS_CSV)
    return path


def read_csv(path) -> list[dict]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))


def test_import_example_prints_one_json_summary(db, owner, example):
    result = siyu("import", "members", example, "--db", db)

    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout) == {"imported": 3, "created": 3, "updated": 0,
                                         "unchanged": 0}
    assert result.stderr == ""


def test_bad_row_exits_2_lists_it_and_imports_nothing(db, owner, example, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_bytes(csv_bytes([MEMBER_HEADER, ["a1", "", "13812345678", "", "", ""],
                               ["a2", "", "12345", "", "", ""]]))

    result = siyu("import", "members", bad, "--db", db)

    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.splitlines()[0] == "row 3: phone: 不是有效的大陆手机号 (11 位, 1 开头)"
    out = tmp_path / "after.csv"
    assert siyu("export", "members", "--out", out, "--db", db).exit_code == 0
    assert read_csv(out) == []


def test_missing_column_and_unreadable_file_exit_2(db, owner, tmp_path):
    headless = tmp_path / "nickname-only.csv"
    headless.write_bytes(csv_bytes([["nickname"], ["甲"]]))

    missing = siyu("import", "members", headless, "--db", db)
    unreadable = siyu("import", "members", tmp_path / "nope.xlsx", "--db", db)

    assert missing.exit_code == 2 and missing.stderr.startswith("external_id: ")
    assert unreadable.exit_code == 2 and unreadable.stderr.startswith("file: ")
    assert missing.stdout == unreadable.stdout == ""


def test_merchant_must_be_named_when_there_are_several(db, owner, example):
    siyu("merchant", "create", "--name", "第二家", "--json", "--db", db)

    assert siyu("import", "members", example, "--db", db).exit_code == 2
    result = siyu("import", "members", example, "--merchant", owner["merchant_id"], "--db", db)
    assert result.exit_code == 0, result.stderr


def test_export_masks_phones(db, owner, example, tmp_path):
    siyu("import", "members", example, "--db", db)
    out = tmp_path / "out.csv"

    result = siyu("export", "members", "--out", out, "--db", db)

    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["exported"] == 3
    rows = read_csv(out)
    assert list(rows[0]) == MEMBER_HEADER
    assert [r["phone"] for r in rows] == ["138****5678", "139****4321", ""]
    assert rows[0]["tags"] == "年货|坚果"
    assert rows[0]["registered_at"] == "2025-11-02T00:00:00+08:00"


def test_with_pii_requires_an_owner_key(db, owner, example, tmp_path):
    siyu("import", "members", example, "--db", db)
    out = tmp_path / "pii.csv"
    operator = json.loads(siyu("merchant", "key", "--role", "operator", "--user", "小李",
                               "--db", db).stdout)["api_key"]

    no_key = siyu("export", "members", "--out", out, "--with-pii", "--db", db)
    wrong_role = siyu("export", "members", "--out", out, "--with-pii", "--owner-key", operator,
                      "--db", db)
    bad_key = siyu("export", "members", "--out", out, "--with-pii", "--owner-key", "sk_nope",
                   "--db", db)

    for result in (no_key, wrong_role, bad_key):
        assert result.exit_code == 2 and result.stdout == ""
    assert not out.exists()
    ok = siyu("export", "members", "--out", out, "--with-pii", "--owner-key", owner["api_key"],
              "--db", db)
    assert ok.exit_code == 0, ok.stderr
    assert [r["phone"] for r in read_csv(out)] == ["13812345678", "13987654321", ""]


def test_xlsx_round_trip(db, owner, example, tmp_path):
    siyu("import", "members", example, "--db", db)
    xlsx = tmp_path / "members.xlsx"
    assert siyu("export", "members", "--out", xlsx, "--with-pii", "--owner-key",
                owner["api_key"], "--db", db).exit_code == 0
    other_db = f"sqlite:///{tmp_path / 'other.db'}"
    siyu("merchant", "create", "--name", "新店", "--json", "--db", other_db)

    again = siyu("import", "members", xlsx, "--db", db)
    moved = siyu("import", "members", xlsx, "--db", other_db)

    assert json.loads(again.stdout)["unchanged"] == 3
    assert json.loads(moved.stdout)["created"] == 3
    first, second = tmp_path / "a.csv", tmp_path / "b.csv"
    siyu("export", "members", "--out", first, "--db", db)
    siyu("export", "members", "--out", second, "--db", other_db)
    assert read_csv(first) == read_csv(second)


def test_products_and_orders_import_and_export(db, owner, example, tmp_path):
    products, orders = tmp_path / "products.csv", tmp_path / "orders.csv"
    products.write_bytes(csv_bytes([["sku", "name", "price", "cost", "stock", "tags"],
                                    ["A", "坚果礼盒", "128", "60", "10", "gift|nuts"]]))
    orders.write_bytes(csv_bytes([
        ["order_no", "member_external_id", "sku", "qty", "price", "paid_at", "status"],
        ["O1", "wx_0001", "A", "2", "", "2026-01-10 20:00", "completed"],
        ["O1", "wx_0001", "OLD", "1", "9.90", "", ""]]))
    siyu("import", "members", example, "--db", db)

    p = siyu("import", "products", products, "--db", db)
    o = siyu("import", "orders", orders, "--db", db)
    o_again = siyu("import", "orders", orders, "--db", db)

    assert json.loads(p.stdout)["created"] == 1, p.stderr
    assert json.loads(o.stdout) == {"imported": 1, "created": 1, "skipped": 0, "lines": 2}
    assert json.loads(o_again.stdout)["skipped"] == 1
    out = tmp_path / "orders-out.csv"
    assert siyu("export", "orders", "--out", out, "--db", db).exit_code == 0
    assert [(r["sku"], r["price"], r["paid_at"], r["status"]) for r in read_csv(out)] == [
        ("A", "128.00", "2026-01-10T20:00:00+08:00", "completed"),
        ("OLD", "9.90", "2026-01-10T20:00:00+08:00", "completed")]
    stock = tmp_path / "products-out.csv"
    siyu("export", "products", "--out", stock, "--db", db)
    assert read_csv(stock)[0]["stock"] == "10"  # history does not take stock


def test_export_to_a_missing_directory_exits_2(db, owner, tmp_path):
    result = siyu("export", "members", "--out", tmp_path / "no" / "x.csv", "--db", db)
    assert result.exit_code == 2 and result.stderr.startswith("out: ")


def test_progress_bar_on_a_terminal_never_touches_stdout(db, owner, example, monkeypatch):
    import siyu.io.cli as io_cli

    monkeypatch.setattr(io_cli, "stderr_is_tty", lambda: True)

    result = siyu("import", "members", example, "--db", db)

    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["created"] == 3
