"""Reading the input files: every bad cell names the file, the row and the column."""

from __future__ import annotations

from pathlib import Path

import pytest

from siyu.core.errors import InvalidInput
from siyu.segments.tables import read_events, read_members, read_orders

HEADER = "member_id,order_id,paid_at,amount\n"


def write(tmp_path: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def error_of(fn, *args) -> str:
    with pytest.raises(InvalidInput) as e:
        fn(*args)
    return e.value.message


def test_orders_are_read_with_extra_columns_blank_lines_and_bom(tmp_path):
    path = write(tmp_path, "orders.csv", "\ufeffMember_ID,note,order_id,paid_at,amount\n"
                 "m1,x,o1,2026-01-20T23:59:59+08:00,300\n\n m2 ,,o2,2026-01-20,12.5\n")
    orders = read_orders(path)
    assert [(o.member_id, o.order_id, o.amount) for o in orders] == [
        ("m1", "o1", 30000), ("m2", "o2", 1250)]
    assert orders[0].paid_at.isoformat() == "2026-01-20T15:59:59+00:00"


def test_gbk_files_from_excel_are_read(tmp_path):
    path = write(tmp_path, "orders.csv", HEADER + "会员一,o1,2026-01-20,1.00\n", "gbk")
    assert read_orders(path)[0].member_id == "会员一"


def test_unparsable_datetime_names_file_row_and_column(tmp_path):
    path = write(tmp_path, "orders.csv", HEADER + "m1,o1,2026-01-01,1\n" * 1 + "m1,o2,xx,1\n")
    assert error_of(read_orders, path) == "orders.csv row 3: paid_at: 无法解析的日期时间 'xx'"


def test_money_with_three_decimals_is_an_error(tmp_path):
    path = write(tmp_path, "orders.csv", HEADER + "m1,o1,2026-01-01,1.234\n")
    assert error_of(read_orders, path).startswith("orders.csv row 2: amount: 金额最多两位小数")


@pytest.mark.parametrize("amount", ["-1.00", "abc", '"1,000.00"', "", "1.5e2"])
def test_bad_amounts_are_errors(tmp_path, amount):
    path = write(tmp_path, "orders.csv", HEADER + f"m1,o1,2026-01-01,{amount}\n")
    assert error_of(read_orders, path).startswith("orders.csv row 2: amount: ")


def test_cells_beyond_the_header_are_an_error(tmp_path):
    path = write(tmp_path, "orders.csv", HEADER + "m1,o1,2026-01-01,1,000.00\n")
    assert error_of(read_orders, path).startswith("orders.csv row 2: 第 5 列: 有数据")


def test_missing_column_is_named_on_the_header_row(tmp_path):
    path = write(tmp_path, "o.csv", "member_id,order_id,amount\nm1,o1,1\n")
    assert error_of(read_orders, path).startswith("o.csv row 1: paid_at: 缺少必需的列")


def test_empty_member_id_and_duplicate_order_are_errors(tmp_path):
    path = write(tmp_path, "orders.csv", HEADER + ",o1,2026-01-01,1\n")
    assert error_of(read_orders, path) == "orders.csv row 2: member_id: 不能为空"
    path = write(tmp_path, "orders.csv", HEADER + "m1,o1,2026-01-01,1\nm2,o1,2026-01-02,1\n")
    assert error_of(read_orders, path).startswith("orders.csv row 3: order_id: 订单号重复")


def test_unknown_members_in_orders_and_events_are_errors(tmp_path):
    orders = write(tmp_path, "orders.csv", HEADER + "m1,o1,2026-01-01,1\nm9,o2,2026-01-01,1\n")
    assert error_of(read_orders, orders, {"m1"}).startswith(
        "orders.csv row 3: member_id: 会员不在会员文件中 'm9'")
    events = write(tmp_path, "events.csv", "member_id,kind,at\nm9,view,2026-01-01\n")
    assert error_of(read_events, events, {"m1"}).startswith("events.csv row 2: member_id: ")


def test_unknown_event_kind_is_an_error(tmp_path):
    events = write(tmp_path, "events.csv", "member_id,kind,at\nm1,VIEW,2026-01-01\nm1,dance,x\n")
    assert error_of(read_events, events).startswith("events.csv row 3: kind: 未知的事件类型")


def test_members_need_a_registration_time_and_unique_ids(tmp_path):
    path = write(tmp_path, "members.csv", "member_id,registered_at\nm1,\n")
    assert error_of(read_members, path) == "members.csv row 2: registered_at: 不能为空"
    path = write(tmp_path, "members.csv", "member_id,registered_at\nm1,2026-01-01\nm1,2026-01-02\n")
    assert error_of(read_members, path).startswith("members.csv row 3: member_id: 会员重复")


def test_unreadable_file_is_an_input_error(tmp_path):
    assert error_of(read_orders, tmp_path / "nope.csv").startswith("nope.csv: 无法读取文件")


def test_header_only_and_zero_byte_files_are_empty(tmp_path):
    assert read_orders(write(tmp_path, "a.csv", HEADER)) == []
    assert read_events(write(tmp_path, "b.csv", "")) == []
