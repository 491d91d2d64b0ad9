"""Validation errors in the user's words: one path style (`items[0].qty`) and Chinese
reasons, from the API's request validation and from models checked in code."""

from __future__ import annotations

import re
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Literal, get_args

import pytest
from pydantic import BaseModel, Field, ValidationError, model_validator
from pydantic_core.core_schema import ErrorType

from siyu.core.validation import describe, field_path, invalid_at, reason


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


class _Tier(StrEnum):
    ordinary = "ordinary"
    major = "major"


class _Text(BaseModel):
    kind: Literal["text"]


class _Image(BaseModel):
    kind: Literal["image"]


class _Rules(BaseModel):
    tier: Literal["ordinary", "major", "extreme"] = "ordinary"
    one: Literal["only"] = "only"
    quoted: Literal["o'k", 1, True] = 1
    enum_tier: _Tier = _Tier.ordinary
    percent: Decimal = Decimal(25)
    price: Decimal = Field(default=Decimal(1), max_digits=5, decimal_places=2)
    body: Annotated[_Text | _Image, Field(discriminator="kind")] | None = None


def _reason_of(doc) -> tuple[str, str]:
    with pytest.raises(ValidationError) as e:
        _Rules.model_validate(doc)
    (error,) = e.value.errors()
    return error["type"], reason(error)


@pytest.mark.parametrize(("doc", "kind", "why"), [
    ({"tier": "urgent"}, "literal_error", "只能是 ordinary、major 或 extreme 之一"),
    ({"one": "x"}, "literal_error", "只能是 only"),
    ({"quoted": "x"}, "literal_error", "只能是 o'k、1 或 True 之一"),
    ({"enum_tier": "x"}, "enum", "只能是 ordinary 或 major 之一"),
    ({"percent": "abc"}, "decimal_parsing", '需要数字 (如 "12.5")'),
    ({"percent": [1]}, "decimal_type", '需要数字 (如 "12.5" 或 12.5)'),
    ({"percent": "inf"}, "finite_number", "需要有限的数字"),
    ({"price": "1.234"}, "decimal_max_places", "最多 2 位小数"),
    ({"price": "123456"}, "decimal_max_digits", "最多 5 位数字"),
    ({"body": {"kind": "video"}}, "union_tag_invalid",
     "kind 只能是 text 或 image 之一, 不是 video"),
    ({"body": {}}, "union_tag_not_found", "缺少 kind"),
])
def test_choices_and_decimals_read_in_chinese(doc, kind, why):
    assert _reason_of(doc) == (kind, why)


def test_every_pydantic_error_type_has_a_chinese_reason():
    """No English from pydantic reaches a user: each error type pydantic-core knows is
    translated (a new pydantic adding one fails here, not in front of a merchant)."""
    ctx = {"gt": 1, "ge": 1, "lt": 1, "le": 1, "multiple_of": 2, "min_length": 1,
           "max_length": 2, "pattern": "^x$", "expected": "'a' or 'b'", "expected_tags": "'a'",
           "expected_schemes": "'http' or 'https'", "discriminator": "'kind'", "tag": "c",
           "max_digits": 5, "decimal_places": 2, "whole_digits": 3, "encoding": "base64",
           "expected_version": 4, "tz_expected": 28800, "attribute": "x", "error": "oops",
           "class_name": "X", "class": "X", "field_type": "List", "actual_length": 3,
           "message": "自己的话", "method_name": "x"}
    own = {"value_error", "assertion_error"}  # our validators' own (Chinese) messages
    for kind in get_args(ErrorType):
        english = "Value error, 自己的话" if kind in own else "Input should be something"
        why = reason({"type": kind, "msg": english, "ctx": ctx})
        assert why != english and re.search(r"[\u4e00-\u9fff]", why), (kind, why)
        assert " or " not in why and "should" not in why, (kind, why)


def test_a_field_error_raised_below_a_model_names_the_inner_field():
    class _Word(BaseModel):
        word: str
        level: str

        @model_validator(mode="after")
        def _check(self):
            if self.level == "allow" and len(self.word) < 2:
                raise invalid_at(("word",), f"{self.word!r} 太短 {{not a placeholder}}",
                                 self.word)
            return self

    class _List(BaseModel):
        words: list[_Word]

    with pytest.raises(ValidationError) as e:
        _List.model_validate({"words": [{"word": "ok", "level": "allow"},
                                        {"word": "x", "level": "allow"}]})
    assert describe(e.value.errors())[:2] == (
        "words[1].word", "words[1].word: 'x' 太短 {not a placeholder}")
