"""Money fields: yuan on the wire, fen inside, and a JSON schema (so /openapi.json) that
says yuan — a client generated from it sends "59.90", never 5990."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError

from siyu.core.fields import YUAN_IN_PATTERN, YUAN_OUT_PATTERN, Yuan, YuanOut
from siyu.core.money import fmt_yuan


class _Priced(BaseModel):
    price: Yuan
    cost: Yuan = 0
    cap: Yuan = 5_000_000
    daily: Yuan | None = None
    waves: list[Yuan] = []


class _Shown(BaseModel):
    total: YuanOut


@pytest.mark.parametrize(("value", "fen"), [("59.90", 5990), ("59.9", 5990), ("59", 5900),
                                            (59, 5900), ("0", 0)])
def test_yuan_reads_yuan_strings_and_whole_yuan_integers(value, fen):
    assert _Priced(price=value).price == fen
    assert _Priced(price=value).model_dump(mode="json")["price"] == f"{fen // 100}.{fen % 100:02d}"


@pytest.mark.parametrize("value", [59.9, "1.001", "-1.00", "abc", True])
def test_yuan_refuses_floats_three_decimals_negatives_and_garbage(value):
    with pytest.raises(ValidationError):
        _Priced(price=value)


def test_input_schema_is_a_yuan_string_or_whole_yuan_integer_with_yuan_defaults():
    props = _Priced.model_json_schema()["properties"]
    price = props["price"]
    assert price["anyOf"] == [{"type": "string", "pattern": YUAN_IN_PATTERN},
                              {"type": "integer", "minimum": 0}]
    assert price["examples"] == ["59.90"] and "元" in price["description"]
    assert "default" not in price
    assert (props["cost"]["default"], props["cap"]["default"]) == ("0.00", "50000.00")
    assert props["daily"]["default"] is None
    assert props["daily"]["anyOf"][0]["anyOf"][0]["pattern"] == YUAN_IN_PATTERN
    assert props["waves"]["items"]["anyOf"][0]["pattern"] == YUAN_IN_PATTERN


def test_output_schema_is_a_two_decimal_yuan_string():
    props = _Priced.model_json_schema(mode="serialization")["properties"]
    assert props["price"]["type"] == "string" and props["price"]["pattern"] == YUAN_OUT_PATTERN
    assert props["cap"]["default"] == "50000.00"
    total = _Shown.model_json_schema(mode="serialization")["properties"]["total"]
    assert total["type"] == "string" and total["pattern"] == YUAN_OUT_PATTERN


@given(st.integers(min_value=0, max_value=10**12))
def test_what_the_server_prints_matches_both_patterns_and_reads_back(fen):
    text = fmt_yuan(fen)
    assert re.fullmatch(YUAN_OUT_PATTERN, text) and re.fullmatch(YUAN_IN_PATTERN, text)
    assert _Priced(price=text).price == fen


@given(st.from_regex(YUAN_IN_PATTERN, fullmatch=True).filter(lambda s: s.isascii()))
def test_every_string_the_input_pattern_allows_is_accepted(text):
    _Priced(price=text)


def test_openapi_declares_money_inputs_in_yuan(client):
    schemas = client.get("/openapi.json").json()["components"]["schemas"]
    price = schemas["ProductIn"]["properties"]["price"]
    assert price.get("type") != "integer" and "default" not in price
    assert price["anyOf"][0] == {"type": "string", "pattern": YUAN_IN_PATTERN}
    assert price["anyOf"][1]["type"] == "integer" and price["examples"] == ["59.90"]
    top = schemas["LotteryRules"]["properties"]["max_top_prize"]
    assert top["default"] == "50000.00"
    assert top["anyOf"][0]["pattern"] == YUAN_IN_PATTERN and "50000.00" in top["description"]
    assert schemas["ProductOut"]["properties"]["price"]["pattern"] == YUAN_OUT_PATTERN


def test_openapi_shows_no_money_default_in_fen(client):
    schemas = client.get("/openapi.json").json()["components"]["schemas"]
    money = [(name, field, prop) for name, schema in schemas.items()
             for field, prop in schema.get("properties", {}).items()
             if prop.get("examples") == ["59.90"]]
    assert len(money) >= 10
    for name, field, prop in money:
        if prop.get("default") is not None:
            assert isinstance(prop["default"], str), (name, field, prop["default"])
            assert re.fullmatch(YUAN_OUT_PATTERN, prop["default"]), (name, field)
