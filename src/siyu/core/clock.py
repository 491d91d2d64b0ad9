"""Time: stored in UTC, shown in Beijing time (Asia/Shanghai), injected where it matters.

Engines never read the clock; services take `now=` from the edge, which asks a `Clock`.
Naive datetimes coming from users mean Beijing time (contract general rules).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Protocol
from zoneinfo import ZoneInfo

from pydantic import PlainSerializer

from siyu.core.errors import InvalidInput

BEIJING = ZoneInfo("Asia/Shanghai")


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class FixedClock:
    """A clock for tests and simulations: returns `at` until moved."""

    def __init__(self, at: datetime) -> None:
        self.at = as_utc(at)

    def now(self) -> datetime:
        return self.at

    def advance(self, **kwargs: float) -> None:
        self.at = self.at + timedelta(**kwargs)


def as_utc(dt: datetime) -> datetime:
    """Aware UTC datetime; naive input is taken as Beijing time."""
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=BEIJING)
    return dt.astimezone(UTC)


def to_beijing(dt: datetime) -> datetime:
    return as_utc(dt).astimezone(BEIJING)


def fmt_beijing(dt: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    return "" if dt is None else to_beijing(dt).strftime(fmt)


def beijing_date(dt: datetime) -> date:
    return to_beijing(dt).date()


def parse_datetime(value: object, field: str = "at") -> datetime:
    """ISO 8601 date or datetime -> aware UTC. A date alone means 00:00 Beijing time."""
    if isinstance(value, datetime):
        return as_utc(value)
    if isinstance(value, date):
        return as_utc(datetime(value.year, value.month, value.day))
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput(f"{field}: 需要 ISO 8601 日期或时间", field=field)
    text = value.strip().replace("/", "-")
    try:
        if len(text) == 10:
            d = date.fromisoformat(text)
            return as_utc(datetime(d.year, d.month, d.day))
        return as_utc(datetime.fromisoformat(text.replace("Z", "+00:00")))
    except ValueError:
        raise InvalidInput(f"{field}: 无法解析的日期时间 {value!r}", field=field) from None


def parse_date(value: object, field: str = "date") -> date:
    if isinstance(value, datetime):
        return beijing_date(value)
    if isinstance(value, date):
        return value
    if not isinstance(value, str):
        raise InvalidInput(f"{field}: 需要 ISO 8601 日期", field=field)
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise InvalidInput(f"{field}: 无法解析的日期 {value!r}", field=field) from None


def beijing_iso(dt: datetime | None) -> str | None:
    """ISO 8601 in Beijing time (+08:00), as the API shows times; None stays None."""
    return None if dt is None else to_beijing(dt).isoformat()


# A datetime the API shows in Beijing time (ISO 8601 with +08:00): stored and compared in
# UTC, written for the operator who reads it. Output models use it for every time field.
BeijingTime = Annotated[datetime, PlainSerializer(beijing_iso, return_type=str,
                                                  when_used="json")]
