"""Validation errors in the user's words: one path style (`items[0].qty`) and Chinese
reasons, from the API's request validation and from models checked in code."""

from __future__ import annotations

import pytest
from pydantic import BaseModel, Field, ValidationError

from siyu.core.validation import describe, field_path, reason


class _Line(BaseModel):
    sku: str = Field(min_length=1)
    qty: int = Field(ge=1)


class _Cart(BaseModel):
    items: list[_Line] = Field(min_length=1)


def _errors(doc) -> list[dict]:
    with pytest.raises(ValidationError) as e:
        _Cart.model_validate(doc)
    return e.value.errors()


@pytest.mark.parametrize(("loc", "request_loc", "path"), [
    (("items", 0, "qty"), False, "items[0].qty"),
    (("body", "items", 12, "sku"), True, "items[12].sku"),
    (("body",), True, "body"),
    (("body", "x"), False, "body.x"),  # a field named body, not a request location
    (("matrix", 1, 2), False, "matrix[1][2]"),
])
def test_field_paths(loc, request_loc, path):
    assert field_path(loc, request=request_loc) == path


@pytest.mark.parametrize(("doc", "field", "why"), [
    ({"items": []}, "items", "至少 1 项"),
    ({}, "items", "缺少此字段"),
    ({"items": [{"sku": "A", "qty": 0}]}, "items[0].qty", "不能小于 1"),
    ({"items": [{"sku": "A", "qty": "two"}]}, "items[0].qty", "需要整数"),
    ({"items": [{"sku": "", "qty": 1}]}, "items[0].sku", "至少 1 个字符"),
    ({"items": "A"}, "items", "需要 JSON 数组"),
    ({"items": ["A"]}, "items[0]", "需要 JSON 对象"),
])
def test_reasons_are_chinese_and_name_the_field(doc, field, why):
    got_field, message, details = describe(_errors(doc))
    assert (got_field, message) == (field, f"{field}: {why}")
    assert details[0] == {"field": field, "message": why}


def test_own_value_errors_keep_their_message():
    assert reason({"type": "value_error", "msg": "Value error, 需要 ISO 8601 时间"}) \
        == "需要 ISO 8601 时间"


def test_unknown_error_types_fall_back_to_pydantic_text():
    assert reason({"type": "something_new", "msg": "odd"}) == "odd"


def test_api_request_errors(api):
    r = api.post("/api/v1/orders", json={"lines": []})
    assert r.status_code == 422
    assert r.json()["error"] == {"code": "invalid_input", "field": "lines",
                                 "message": "lines: 至少 1 项",
                                 "details": [{"field": "lines", "message": "至少 1 项"}]}
    r = api.post("/api/v1/orders", json={"lines": [{"sku": "A", "qty": 0}]})
    assert r.json()["error"]["field"] == "lines[0].qty"
    assert r.json()["error"]["message"] == "lines[0].qty: 不能小于 1"
    r = api.post("/api/v1/orders", content=b'{"lines": [', headers={
        "Content-Type": "application/json"})
    assert r.status_code == 422
    assert r.json()["error"]["field"] == "body"
    assert r.json()["error"]["message"] == "body: 请求体不是合法的 JSON"
