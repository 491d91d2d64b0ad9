"""HTTP import/export on SQLite and PostgreSQL: upload, 422 row list, 413, masked export,
roles, tenancy."""

from __future__ import annotations

import csv
import io

from openpyxl import load_workbook

from tests.conftest import Api, new_merchant
from tests.io.factories import EXAMPLE_MEMBERS_CSV, MEMBER_HEADER, csv_bytes, xlsx_bytes


def upload(api: Api, data: bytes, name: str = "members.csv", what: str = "members"):
    return api.post(f"/api/v1/import/{what}", files={"file": (name, data)})


def exported(api: Api, **params) -> list[dict]:
    r = api.get("/api/v1/export/members", params=params)
    assert r.status_code == 200, r.text
    return list(csv.DictReader(io.StringIO(r.content.decode("utf-8"))))


def test_upload_example_csv_imports_three_members(api):
    r = upload(api, EXAMPLE_MEMBERS_CSV)

    assert r.status_code == 200, r.text
    assert r.json() == {"imported": 3, "created": 3, "updated": 0, "unchanged": 0,
                        "ignored_columns": []}
    listed = api.get("/api/v1/members", params={"tag": "坚果"}).json()
    assert [m["external_id"] for m in listed["items"]] == ["wx_0001"]


def test_upload_xlsx(api):
    data = xlsx_bytes([MEMBER_HEADER, ["x1", "甲", 13812345678, None, "a|b", "kol"]])

    r = upload(api, data, "members.xlsx")

    assert r.status_code == 200, r.text
    assert exported(api)[0]["phone"] == "138****5678"


def test_bad_rows_answer_422_with_every_row_and_import_nothing(api):
    data = csv_bytes([MEMBER_HEADER, ["a1", "", "13812345678", "", "", ""],
                      ["a2", "", "12345", "", "", ""], ["a1", "", "", "", "", ""]])

    r = upload(api, data)

    assert r.status_code == 422
    error = r.json()["error"]
    assert error["code"] == "invalid_rows"
    assert error["rows"] == [
        {"row": 3, "column": "phone", "reason": "不是有效的大陆手机号 (11 位, 1 开头)"},
        {"row": 4, "column": "external_id", "reason": "与第 2 行重复"}]
    assert exported(api) == []


def test_missing_file_field_is_422(api):
    r = api.post("/api/v1/import/members", data={"nothing": "here"})
    assert r.status_code == 422 and r.json()["error"]["field"] == "file"


def test_oversized_upload_is_413(api, runtime):
    runtime.settings = runtime.settings.model_copy(update={"max_upload_bytes": 200})

    r = upload(api, csv_bytes([MEMBER_HEADER] + [[f"u{i}", "", "", "", "", ""]
                                                 for i in range(100)]))

    assert r.status_code == 413
    assert r.json()["error"]["code"] == "too_large"
    assert exported(api) == []


def test_export_masks_phones_in_csv_and_xlsx(api):
    upload(api, EXAMPLE_MEMBERS_CSV)

    rows = exported(api)
    r = api.get("/api/v1/export/members", params={"format": "xlsx"})

    assert [row["phone"] for row in rows] == ["138****5678", "139****4321", ""]
    assert r.headers["content-disposition"].startswith("attachment; filename=\"members-")
    sheet = load_workbook(io.BytesIO(r.content)).worksheets[0]
    assert [c.value for c in sheet[1]] == MEMBER_HEADER
    assert sheet["C2"].value == "138****5678"


def test_with_pii_is_for_owners_only(api, client, runtime):
    upload(api, EXAMPLE_MEMBERS_CSV)
    _, key = new_merchant(runtime, "另一家", role="operator")
    operator = Api(client, 0, key)

    assert [r["phone"] for r in exported(api, with_pii="true")][:2] == [
        "13812345678", "13987654321"]
    r = operator.get("/api/v1/export/members", params={"with_pii": "true"})
    assert r.status_code == 403


def test_import_needs_a_writing_role(client, runtime):
    _, key = new_merchant(runtime, "分析店", role="analyst")
    r = upload(Api(client, 0, key), EXAMPLE_MEMBERS_CSV)
    assert r.status_code == 403


def test_each_merchant_imports_and_exports_only_its_own(api, other_api):
    upload(api, EXAMPLE_MEMBERS_CSV)
    upload(other_api, csv_bytes([MEMBER_HEADER, ["wx_0001", "别家", "", "", "", ""]]))

    assert [r["nickname"] for r in exported(other_api)] == ["别家"]
    assert exported(api)[0]["nickname"] == "王小明"


def test_products_and_orders_over_http(api):
    products = csv_bytes([["sku", "name", "price"], ["A", "坚果礼盒", "128.00"]])
    orders = csv_bytes([["order_no", "member_external_id", "sku", "qty", "paid_at"],
                        ["H1", "wx_0001", "A", "1", "2026-01-01T10:00:00+08:00"]])
    upload(api, EXAMPLE_MEMBERS_CSV)

    assert upload(api, products, "p.csv", "products").json()["created"] == 1
    assert upload(api, orders, "o.csv", "orders").json()["created"] == 1
    r = api.get("/api/v1/export/orders")
    rows = list(csv.DictReader(io.StringIO(r.content.decode())))
    assert [(x["order_no"], x["member_external_id"], x["price"], x["status"]) for x in rows] == [
        ("H1", "wx_0001", "128.00", "paid")]
