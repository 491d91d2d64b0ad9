"""Pydantic field types shared by the schemas: yuan strings parsed into integer fen.

Inside, an amount is an `int` of fen; on the wire it is yuan. The JSON schema (and so
/openapi.json) says yuan too, defaults included: a client generated from it must send
"59.90", never 5990.
"""

from __future__ import annotations

import ipaddress
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, Field, GetJsonSchemaHandler, PlainSerializer
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema

from siyu.core.errors import SiyuError
from siyu.core.money import fmt_yuan, parse_yuan

# What `parse_yuan` takes, written the canonical way (it also forgives a leading ¥).
YUAN_IN_PATTERN = r"^\d+(\.\d{1,2})?$"
# What `fmt_yuan` prints: always two decimals.
YUAN_OUT_PATTERN = r"^-?\d+\.\d{2}$"

_YUAN_IN_SCHEMA: JsonSchemaValue = {
    "anyOf": [
        {"type": "string", "pattern": YUAN_IN_PATTERN},
        {"type": "integer", "minimum": 0},
    ],
    "description": '金额 (元), 最多两位小数, 如 "59.90"; 也接受 JSON 整数, 按元计 (59 即 '
                   "59.00 元); 不接受带小数点的 JSON 数字和负数",
    "examples": ["59.90"],
}
_YUAN_OUT_SCHEMA: JsonSchemaValue = {
    "type": "string",
    "pattern": YUAN_OUT_PATTERN,
    "description": "金额 (元), 两位小数",
    "examples": ["59.90"],
}


def _to_fen(v):
    try:
        return parse_yuan(v, "amount")
    except SiyuError as e:
        raise ValueError(e.message.split(": ", 1)[-1]) from e


class _YuanJsonSchema:
    """The yuan shape of an amount, by mode: what a request may send (validation) and
    what a response holds (serialization). One marker for both modes: pydantic keeps one
    metadata object per type when a field adds its own `Field(...)`."""

    def __init__(self, *, output_only: bool = False) -> None:
        self.output_only = output_only

    def __get_pydantic_json_schema__(self, core_schema: CoreSchema,
                                     handler: GetJsonSchemaHandler) -> JsonSchemaValue:
        if handler.mode == "validation" and not self.output_only:
            return dict(_YUAN_IN_SCHEMA)
        return dict(_YUAN_OUT_SCHEMA)

    def __repr__(self) -> str:
        return f"_YuanJsonSchema(output_only={self.output_only})"


def _default_in_yuan(schema: dict[str, Any]) -> None:
    # A field default is the fen int (`cost: Yuan = 0`); the schema shows it as yuan.
    default = schema.get("default")
    if isinstance(default, int) and not isinstance(default, bool):
        schema["default"] = fmt_yuan(default)


# Input: "12.30" / "12" / 12 -> 1230 fen. Output: "12.30".
Yuan = Annotated[int, BeforeValidator(_to_fen), PlainSerializer(fmt_yuan, return_type=str),
                 _YuanJsonSchema(), Field(json_schema_extra=_default_in_yuan)]

# Output only: the value is already fen (never re-parsed), printed as "12.30".
YuanOut = Annotated[int, PlainSerializer(fmt_yuan, return_type=str),
                    _YuanJsonSchema(output_only=True), Field(json_schema_extra=_default_in_yuan)]


def _ip(value: str) -> str:
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError as e:
        raise ValueError(f"{value!r} 不是有效的 IP 地址 (IPv4 如 1.2.3.4, 或 IPv6)") from e


# An IP address as given by a client or a file: validated, and written one way
# (2001:DB8::1 and 2001:db8:0::1 are the same address for the same-IP rules).
IpAddress = Annotated[str, Field(max_length=64), AfterValidator(_ip)]
