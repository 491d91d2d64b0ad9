"""Products and historical orders import on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from siyu.catalog import repository as catalog
from siyu.events.models import Event
from siyu.io import members_io, orders_io, products_io
from siyu.io.readers import RowErrors, read_table
from siyu.orders import service as orders
from tests.io.factories import EXAMPLE_MEMBERS_CSV, csv_bytes

ORDER_HEADER = ["order_no", "member_external_id", "sku", "qty", "price", "paid_at", "status",
                "ip", "device", "address", "channel", "store"]


def import_products(session, merchant, rows):
    table = read_table(csv_bytes(rows), "p.csv", known=products_io.COLUMNS)
    return products_io.import_products(session, merchant, table, actor="t")


def import_orders(session, merchant, rows, now):
    table = read_table(csv_bytes(rows), "o.csv", known=orders_io.COLUMNS)
    return orders_io.import_orders(session, merchant, table, now=now)


@pytest.fixture
def shop(session, merchant, now):
    members_io.import_members(session, merchant, read_table(
        EXAMPLE_MEMBERS_CSV, "m.csv", known=members_io.known_columns()), now=now, actor="t")
    import_products(session, merchant, [["sku", "name", "price", "stock"],
                                        ["A", "坚果礼盒", "128", "10"]])
    return merchant


def test_products_new_and_repriced_keeping_empty_cells(session, merchant):
    first = import_products(session, merchant, [
        ["sku", "name", "category", "price", "cost", "daily_price", "stock", "tags"],
        ["A", "坚果礼盒", "nuts", "128.00", "60", "", "10", "gift|nuts"]])
    second = import_products(session, merchant, [["sku", "price"], ["A", "118.80"]])

    assert first["created"] == 1 and second == {"imported": 1, "created": 0, "updated": 1,
                                                "unchanged": 0, "held_for_review": 0}
    p = catalog.by_sku(session, merchant, "A")
    assert (p.price_fen, p.cost_fen, p.daily_price_fen, p.stock, p.tags) == (
        11880, 6000, 12800, 10, ["gift", "nuts"])


def test_product_rows_with_errors_import_nothing(session, merchant):
    with pytest.raises(RowErrors) as e:
        import_products(session, merchant, [["sku", "name", "price"], ["A", "好", "1.234"],
                                            ["B", "", "5"], ["C", "好", "0"]])

    assert [(x.row, x.column) for x in e.value.errors] == [(2, "price"), (3, "name"),
                                                          (4, "price")]
    assert catalog.by_sku(session, merchant, "C") is None


def test_order_lines_form_one_order_without_taking_stock(session, shop, now):
    summary = import_orders(session, shop, [
        ORDER_HEADER,
        ["S1", "wx_0001", "A", "2", "", "2026-01-10 20:00", "", "1.2.3.4", "iPhone", "上海",
         "kol", "s1"],
        ["S1", "", "GONE", "1", "9.90", "", "", "", "", "", "", ""],
        ["S2", "", "A", "1", "100", "", "cancelled", "", "", "", "", ""]], now)

    assert summary == {"imported": 2, "created": 2, "skipped": 0, "lines": 3}
    found, _ = orders.search(session, shop, limit=10)
    by_no = {o.order_no: o for o in found}
    s1 = orders.to_out(session, shop, [by_no["S1"]])[0]
    assert (s1.status, s1.total, len(s1.lines)) == ("paid", 128_00 * 2 + 990, 2)
    assert by_no["S1"].address == "上海" and by_no["S1"].store_code == "s1"
    assert by_no["S2"].status == "cancelled" and by_no["S2"].member_id is None
    assert catalog.by_sku(session, shop, "A").stock == 10


def test_reimported_orders_are_skipped(session, shop, now):
    rows = [ORDER_HEADER[:6], ["S9", "wx_0002", "A", "1", "", "2026-01-02"]]
    import_orders(session, shop, rows, now)

    assert import_orders(session, shop, rows, now) == {"imported": 1, "created": 0,
                                                        "skipped": 1, "lines": 1}


def test_order_row_errors(session, shop, now):
    with pytest.raises(RowErrors) as e:
        import_orders(session, shop, [
            ORDER_HEADER[:7],
            ["E1", "nobody", "A", "1", "", "2026-01-02", ""],
            ["E2", "", "NOPE", "1", "", "", ""],
            ["E3", "wx_0001", "A", "1", "", "", "refunded"],
            ["E4", "wx_0001", "A", "0", "", "", "lost"],
            ["E5", "wx_0001", "A", "1", "", "2026-01-02", ""],
            ["E5", "wx_0002", "A", "1", "", "", ""],
            ["E6", "", "A", "1", "", "2026-01-02", "pending"]], now)

    assert [str(x) for x in e.value.errors] == [
        "row 2: member_external_id: 会员 nobody 不存在",
        "row 3: sku: 商品 NOPE 不存在, 且未给出 price",
        "row 4: paid_at: 状态为 refunded 的订单需要支付时间",
        "row 5: qty: 不能小于 1",
        "row 5: status: 须为 pending / paid / shipped / completed / cancelled / refunded / held",
        "row 7: member_external_id: 与同一订单第 6 行不一致",
        "row 8: status: 有支付时间的订单不能是 pending"]
    assert orders.search(session, shop)[1] == 0


def test_refunded_history_records_order_pay_and_refund_events(session, shop, now):
    import_orders(session, shop, [ORDER_HEADER[:7],
                                  ["R1", "wx_0001", "A", "1", "", "2026-01-02 10:00", "refunded"]],
                  now)

    kinds = session.scalars(select(Event.kind).where(Event.merchant_id == shop)
                            .order_by(Event.id)).all()
    assert kinds == ["order", "pay", "refund"]
