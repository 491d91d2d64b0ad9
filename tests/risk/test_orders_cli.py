"""`siyu risk orders` over a file and over the database, `siyu risk escalate`: JSONL of
hits on stdout, bad input exits 2 with one line naming the row and column."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from siyu.cli import app
from tests.io.factories import csv_bytes

SIYU = str(Path(sys.executable).with_name("siyu"))
HEADER = ["order_no", "member_external_id", "paid_at", "ip", "device", "address", "phone",
          "registered_at", "sku", "qty", "price", "cost", "channel", "flash_sale"]


def siyu(*args):
    return CliRunner().invoke(app, [str(a) for a in args])


def row(n, minute, **kw):
    base = {"order_no": f"O{n}", "member_external_id": f"u{n}",
            "paid_at": f"2026-01-20T20:{minute:02d}:00", "ip": "", "device": "",
            "address": f"上海市浦东新区世纪大道{n}号", "phone": "", "registered_at": "",
            "sku": "NUT", "qty": "1", "price": "128.00", "cost": "80.00", "channel": "",
            "flash_sale": ""}
    base.update(kw)
    return [base[c] for c in HEADER]


def write(tmp_path, rows, name="orders.csv"):
    path = tmp_path / name
    path.write_bytes(csv_bytes([HEADER, *rows]))
    return path


def jsonl(stdout):
    return [json.loads(line) for line in stdout.splitlines()]


def test_file_sweep_prints_one_hit_per_line(tmp_path):
    rows = [row(i, i, ip="10.0.0.1") for i in range(5)]
    rows += [row(10, 30, address="测试"), row(11, 31, phone="138 1234 5678"),
             row(12, 32, phone="13812345678"), row(13, 33, phone="+86 13812345678")]
    # A second line of order O0: same order, more goods.
    rows.append(row(0, 0, ip="10.0.0.1", sku="GIFT", price="1.00", cost="5.00"))
    r = subprocess.run([SIYU, "risk", "orders", "--orders", str(write(tmp_path, rows))],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    hits = jsonl(r.stdout)
    assert [h["rule"] for h in hits] == ["same_ip", "shared_phone", "address_anomaly"]
    assert hits[0]["orders"] == ["O0", "O1", "O2", "O3", "O4"]
    assert list(hits[0]) == ["rule", "subject", "tier", "message", "orders", "members",
                             "evidence"]
    assert hits[1]["subject"] == "138****5678" and "13812345678" not in r.stdout
    assert hits[2]["orders"] == ["O10"]


def test_file_sweep_with_claims_and_rules(tmp_path):
    orders = write(tmp_path, [row(i, i, device="dev-1") for i in range(3)])
    claims = tmp_path / "claims.csv"
    claims.write_bytes(csv_bytes([["member_external_id", "at", "kind"]] + [
        ["u1", f"2026-01-20T20:00:{s:02d}", "coupon_claim"] for s in range(0, 50, 5)]))
    rules = tmp_path / "rules.json"
    rules.write_text(json.dumps({"device_orders": 3, "device_accounts": 9}), encoding="utf-8")
    r = siyu("risk", "orders", "--orders", orders, "--claims", claims, "--rules", rules)
    assert r.exit_code == 0, r.stderr
    assert [h["rule"] for h in jsonl(r.stdout)] == ["same_device", "claim_velocity"]
    r = siyu("risk", "orders", "--orders", orders, "--since", "2026-01-21")
    assert r.exit_code == 0 and r.stdout == ""


@pytest.mark.parametrize("bad, column", [
    ({"paid_at": "昨晚"}, "paid_at"),
    ({"price": "1.234"}, "price"),
    ({"phone": "12345"}, "phone"),
    ({"qty": "0"}, "qty"),
    ({"flash_sale": "maybe"}, "flash_sale"),
])
def test_bad_rows_exit_2_naming_row_and_column(tmp_path, bad, column):
    path = write(tmp_path, [row(1, 1), row(2, 2, **bad)])
    r = siyu("risk", "orders", "--orders", path)
    assert r.exit_code == 2 and r.stdout == ""
    assert r.stderr.startswith(f"row 3: {column}:"), r.stderr
    assert r.stderr.strip().splitlines()[1:] == ["共 1 行有问题 (1 处), 未扫描"]


def test_every_bad_row_is_listed_then_counted_and_nothing_is_scanned(tmp_path):
    rows = [row(i, i, ip="10.0.0.1") for i in range(5)]  # a same_ip batch, never scanned
    rows += [row(5, 5, paid_at="昨晚"), row(6, 6, ip="999.1.1.1"), row(7, 7),
             row(8, 8, ip="not-an-ip", qty="0"), row(9, 9, phone="12345")]
    r = siyu("risk", "orders", "--orders", write(tmp_path, rows))
    assert r.exit_code == 2 and r.stdout == ""
    lines = r.stderr.strip().splitlines()
    assert [line.split(":")[:2] for line in lines[:-1]] == [
        ["row 7", " paid_at"], ["row 8", " ip"], ["row 10", " ip"], ["row 10", " qty"],
        ["row 11", " phone"]]
    assert "999.1.1.1" in lines[1] and "IP" in lines[1]
    assert lines[-1] == "共 4 行有问题 (5 处), 未扫描"
    assert "导入" not in r.stderr


@pytest.mark.parametrize("ip", ["999.1.1.1", "not-an-ip", "1.2.3", "10.0.0.1/24", "::g"])
def test_a_value_that_is_not_an_ip_is_a_row_error(tmp_path, ip):
    rows = [row(i, i, ip=ip) for i in range(5)]
    r = siyu("risk", "orders", "--orders", write(tmp_path, rows))
    assert r.exit_code == 2 and r.stdout == ""
    assert r.stderr.startswith("row 2: ip: ") and "共 5 行有问题" in r.stderr


@pytest.mark.parametrize("ip", ["10.0.0.1", "2001:db8::1", "::ffff:10.0.0.1"])
def test_ipv4_and_ipv6_addresses_are_accepted(tmp_path, ip):
    rows = [row(i, i, ip=ip) for i in range(5)]
    r = siyu("risk", "orders", "--orders", write(tmp_path, rows))
    assert r.exit_code == 0, r.stderr
    assert [h["rule"] for h in jsonl(r.stdout)] == ["same_ip"]


def test_one_address_written_three_ways_is_a_shared_address_hit(tmp_path):
    spellings = ["江苏省南京市玄武区北京东路9号 2单元 302室",
                 "江苏省南京市玄武区北京东路９号２单元３０２室",
                 "江蘇省南京市玄武區北京東路9號2單元302室"]
    rows = [row(i, i, address=a) for i, a in enumerate(spellings)]
    r = siyu("risk", "orders", "--orders", write(tmp_path, rows))
    assert r.exit_code == 0, r.stderr
    (hit,) = jsonl(r.stdout)
    assert hit["rule"] == "shared_address" and hit["members"] == ["u0", "u1", "u2"]
    assert hit["subject"] == spellings[0] and hit["evidence"]["as_written"] == spellings


def test_disagreeing_order_lines_and_missing_columns_exit_2(tmp_path):
    path = write(tmp_path, [row(1, 1, ip="1.1.1.1"), row(1, 1, ip="2.2.2.2")])
    r = siyu("risk", "orders", "--orders", path)
    assert r.exit_code == 2 and "row 3: ip:" in r.stderr
    bare = tmp_path / "bare.csv"
    bare.write_bytes(csv_bytes([["order_no", "ip"], ["O1", "1.1.1.1"]]))
    r = siyu("risk", "orders", "--orders", bare)
    assert r.exit_code == 2 and r.stderr.startswith("paid_at:")
    r = siyu("risk", "orders", "--orders", tmp_path / "missing.csv")
    assert r.exit_code == 2 and r.stderr.startswith("file:")


def test_bad_flags_exit_2(tmp_path):
    path = write(tmp_path, [row(1, 1)])
    r = siyu("risk", "orders", "--orders", path, "--save")
    assert r.exit_code == 2 and r.stderr.startswith("--save:")
    r = siyu("risk", "orders", "--orders", path, "--since", "2026-01-21", "--until",
             "2026-01-20")
    assert r.exit_code == 2 and r.stderr.startswith("--until:")
    rules = tmp_path / "rules.json"
    rules.write_text('{"ip_orders": 1}', encoding="utf-8")
    r = siyu("risk", "orders", "--orders", path, "--rules", rules)
    assert r.exit_code == 2 and r.stderr.startswith("--rules: ip_orders:")


def test_database_sweep_and_escalation(tmp_path):
    db = f"sqlite:///{tmp_path / 'risk.db'}"
    from siyu.orders import service as orders
    from siyu.orders.schemas import OrderIn
    from siyu.risk import incidents_service
    from siyu.runtime import open_runtime

    merchant = json.loads(siyu("merchant", "create", "--name", "风控", "--json", "--db",
                               db).stdout)["merchant_id"]
    rt = open_runtime(db)
    try:
        with rt.sessions.begin() as s:
            for i in range(5):
                orders.place(s, merchant, OrderIn(
                    lines=[{"sku": "X", "qty": 1, "price": "9.90"}], ip="7.7.7.7",
                    placed_at=f"2026-01-20T10:0{i}:00+08:00"), now=rt.clock.now(),
                    take_stock=False)
    finally:
        rt.close()
    r = siyu("risk", "orders", "--db", db, "--since", "2026-01-20", "--save")
    assert r.exit_code == 0, r.stderr
    (hit,) = jsonl(r.stdout)
    assert hit["rule"] == "same_ip" and hit["new"] and hit["incident_id"]
    r = siyu("risk", "orders", "--db", db, "--merchant", merchant, "--save")
    assert jsonl(r.stdout)[0]["new"] is False
    assert siyu("risk", "orders", "--db", db, "--merchant", 999).exit_code == 2
    rt = open_runtime(db)
    try:
        with rt.sessions.begin() as s:
            due = incidents_service.get(s, merchant, hit["incident_id"]).due_at
    finally:
        rt.close()
    later = due.isoformat()
    r = siyu("risk", "escalate", "--db", db, "--now", later)
    assert r.exit_code == 0, r.stderr
    assert json.loads(r.stdout)["escalated"][0]["to"] == "major"
    r = siyu("risk", "escalate", "--db", db, "--now", later)
    assert json.loads(r.stdout)["escalated"] == []
