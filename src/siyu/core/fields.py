"""Pydantic field types shared by the schemas: yuan strings parsed into integer fen."""

from __future__ import annotations

from typing import Annotated

from pydantic import BeforeValidator, PlainSerializer

from siyu.core.errors import SiyuError
from siyu.core.money import fmt_yuan, parse_yuan


def _to_fen(v):
    try:
        return parse_yuan(v, "amount")
    except SiyuError as e:
        raise ValueError(e.message.split(": ", 1)[-1]) from e


# Input: "12.30" / "12" / 12 -> 1230 fen. Output: "12.30".
Yuan = Annotated[int, BeforeValidator(_to_fen), PlainSerializer(fmt_yuan, return_type=str)]

# Output only: the value is already fen (never re-parsed), printed as "12.30".
YuanOut = Annotated[int, PlainSerializer(fmt_yuan, return_type=str)]
