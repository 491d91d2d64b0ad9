"""Pydantic shapes of the flash-sale API (contract 9)."""

from __future__ import annotations

import re
from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field, field_validator

from siyu.core.clock import parse_datetime
from siyu.core.errors import SiyuError
from siyu.core.fields import Yuan, YuanOut


def _when(v):
    if v is None:
        return None
    try:
        return parse_datetime(v, "at")
    except SiyuError as e:
        raise ValueError("需要 ISO 8601 时间 (无时区视为北京时间)") from e


class FlashSaleIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    sku: str = Field(min_length=1, max_length=64)
    price: Yuan
    stock: int = Field(ge=1, le=10_000_000)
    per_member_limit: int = Field(default=1, ge=1, le=1000)
    starts_at: datetime
    ends_at: datetime
    name: str | None = Field(default=None, max_length=200)
    label: str | None = Field(default=None, max_length=50)
    unpaid_minutes: int | None = Field(default=None, ge=1, le=24 * 60)

    @field_validator("starts_at", "ends_at", mode="before")
    @classmethod
    def _at(cls, v):
        return _when(v)


class SessionsIn(BaseModel):
    """A day of sessions (场次) at the merchant's times (default 10:00 / 15:00 / 20:00)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    sku: str = Field(min_length=1, max_length=64)
    price: Yuan
    stock: int = Field(ge=1, le=10_000_000, description="每场库存")
    per_member_limit: int = Field(default=1, ge=1, le=1000)
    date: date
    times: list[str] | None = Field(default=None, min_length=1, max_length=24)
    duration_minutes: int | None = Field(default=None, ge=1, le=24 * 60)
    name: str | None = Field(default=None, max_length=200)

    @field_validator("times")
    @classmethod
    def _times(cls, v):
        for t in v or ():
            if not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", t):
                raise ValueError(f"场次时间须为 HH:MM, 收到 {t!r}")
        return v


class BuyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    member_id: int = Field(ge=1)
    qty: int = Field(default=1, ge=1, le=1000)


class BuyOut(BaseModel):
    order_id: int


class ReturnRoundIn(BaseModel):
    """返场: what did not sell, again, in a later window (optionally at another price)."""

    model_config = ConfigDict(extra="forbid")
    starts_at: datetime
    ends_at: datetime
    price: Yuan | None = None

    @field_validator("starts_at", "ends_at", mode="before")
    @classmethod
    def _at(cls, v):
        return _when(v)


class FlashSaleOut(BaseModel):
    id: int
    sku: str
    name: str
    price: YuanOut
    stock: int
    sold: int
    remaining: int
    buyers: int
    percent_sold: float
    status: str
    starts_at: datetime
    ends_at: datetime
    countdown_seconds: int
    per_member_limit: int
    label: str
    round: int
    parent_id: int | None
