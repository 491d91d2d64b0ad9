"""Numbers, money and times as the console shows them (yuan, thousands, Beijing time)."""

from __future__ import annotations

from datetime import datetime

from siyu.core.clock import fmt_beijing
from siyu.core.money import fmt_yuan


def num(n: int | float) -> str:
    return f"{n:,}"


def pct(x: float, digits: int = 1) -> str:
    return f"{x * 100:.{digits}f}%"


def yuan(fen: int) -> str:
    """12345678 -> "123,456.78"."""
    text = fmt_yuan(fen)
    sign = "-" if text.startswith("-") else ""
    whole, frac = text.lstrip("-").split(".")
    return f"{sign}{int(whole):,}.{frac}"


def yuan_short(fen: int, lang: str = "zh-CN") -> str:
    """Axis labels: 123456700 fen -> "123.5万" (en: "1.2M", 2,000,000 fen -> "20k");
    below 10,000 yuan the whole yuan."""
    y = fen / 100
    if abs(y) < 10000:
        return f"{y:,.0f}"
    if lang != "zh-CN":
        return f"{y / 1e6:.1f}M" if abs(y) >= 1e6 else f"{y / 1000:.0f}k"
    return f"{y / 10000:.1f}万"


def beijing(dt: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    return fmt_beijing(dt, fmt)
