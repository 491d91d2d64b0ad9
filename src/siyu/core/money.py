"""Money as integer fen (分): parsing and printing yuan strings, exact to the fen.

Inside Siyu every amount is an `int` of fen. Outside (JSON, CSV, the console) it is a
yuan string with exactly two decimals. Floats are refused everywhere.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal

from siyu.core.errors import InvalidInput

_YUAN_RE = re.compile(r"^(-?)(\d+)(?:\.(\d{1,2}))?$")


def parse_yuan(value: object, field: str = "amount", *, allow_negative: bool = False) -> int:
    """Parse a yuan amount ("300", "300.5", "300.50", 300) into fen.

    More than two decimals, floats, thousands separators and garbage are errors naming
    `field`. Integers are taken as whole yuan.
    """
    if isinstance(value, bool | float):
        raise InvalidInput(f'{field}: 金额必须是字符串或整数 (如 "12.50" 或 12), '
                           "不接受带小数点的数字或 true/false", field=field)
    if isinstance(value, int):
        fen = value * 100
    elif isinstance(value, str):
        text = value.strip()
        if text.startswith("¥") or text.startswith("￥"):
            text = text[1:].strip()
        m = _YUAN_RE.match(text)
        if not m:
            if re.match(r"^-?\d+\.\d{3,}$", text):
                raise InvalidInput(f"{field}: 金额最多两位小数 ({value!r})", field=field)
            raise InvalidInput(f"{field}: 不是有效金额 ({value!r})", field=field)
        sign, whole, frac = m.groups()
        fen = int(whole) * 100 + int((frac or "0").ljust(2, "0"))
        if sign:
            fen = -fen
    else:
        raise InvalidInput(f"{field}: 不是有效金额 ({value!r})", field=field)
    if fen < 0 and not allow_negative:
        raise InvalidInput(f"{field}: 金额不能为负数", field=field)
    return fen


def fmt_yuan(fen: int) -> str:
    """Print fen as a yuan string with exactly two decimals: 30000 -> "300.00"."""
    if isinstance(fen, bool) or not isinstance(fen, int):
        raise TypeError(f"fen must be int, got {type(fen).__name__}")
    sign = "-" if fen < 0 else ""
    q, r = divmod(abs(fen), 100)
    return f"{sign}{q}.{r:02d}"


def percent_of(fen: int, percent: Decimal | str | int) -> int:
    """`percent`% of `fen`, rounded half up to the fen (contract: percentages round half up)."""
    p = Decimal(str(percent))
    return int((Decimal(fen) * p / Decimal(100)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def allocate(total: int, weights: list[int]) -> list[int]:
    """Split `total` fen over `weights` pro rata: rounded-down shares first, then the
    missing fen one each to the entries in order (the contract's allocation rule)."""
    if total < 0:
        raise ValueError("total must be >= 0")
    s = sum(weights)
    if s <= 0:
        if total:
            raise ValueError("cannot allocate onto zero weights")
        return [0] * len(weights)
    shares = [total * w // s for w in weights]
    missing = total - sum(shares)
    i = 0
    while missing > 0:
        if weights[i] > 0:
            shares[i] += 1
            missing -= 1
        i = (i + 1) % len(weights)
    return shares
