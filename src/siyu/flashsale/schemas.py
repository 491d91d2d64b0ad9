"""Pydantic shapes of the flash-sale API (contract 9)."""

from __future__ import annotations

import re
from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field, StrictInt, field_validator

from siyu.core.clock import BeijingTime, parse_datetime
from siyu.core.errors import SiyuError
from siyu.core.fields import Yuan, YuanOut
from siyu.core.money import fmt_yuan

# 10,000,000.00 yuan: far above any real flash price, far below what a BIGINT of fen or
# an order total (qty × price) can hold.
MAX_PRICE_FEN = 1_000_000_000


def _when(v):
    if v is None:
        return None
    try:
        return parse_datetime(v, "at")
    except SiyuError as e:
        raise ValueError("需要 ISO 8601 时间 (无时区视为北京时间)") from e


def _flash_price(v):
    if v is None:
        return None
    if v <= 0:
        raise ValueError("秒杀价必须大于 0")
    if v > MAX_PRICE_FEN:
        raise ValueError(f"秒杀价最高 {fmt_yuan(MAX_PRICE_FEN)} 元")
    return v


class FlashSaleIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    sku: str = Field(min_length=1, max_length=64)
    price: Yuan
    stock: StrictInt = Field(ge=1, le=10_000_000)
    per_member_limit: StrictInt = Field(default=1, ge=1, le=1000)
    starts_at: datetime
    ends_at: datetime
    name: str | None = Field(default=None, max_length=200)
    label: str | None = Field(default=None, max_length=50)
    unpaid_minutes: StrictInt | None = Field(default=None, ge=1, le=24 * 60)

    @field_validator("starts_at", "ends_at", mode="before")
    @classmethod
    def _at(cls, v):
        return _when(v)

    @field_validator("price")
    @classmethod
    def _price(cls, v):
        return _flash_price(v)


class SessionsIn(BaseModel):
    """A day of sessions (场次) at the merchant's times (default 10:00 / 15:00 / 20:00)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    sku: str = Field(min_length=1, max_length=64)
    price: Yuan
    stock: StrictInt = Field(ge=1, le=10_000_000, description="每场库存")
    per_member_limit: StrictInt = Field(default=1, ge=1, le=1000)
    date: date
    times: list[str] | None = Field(default=None, min_length=1, max_length=24)
    duration_minutes: StrictInt | None = Field(default=None, ge=1, le=24 * 60)
    name: str | None = Field(default=None, max_length=200)

    @field_validator("times")
    @classmethod
    def _times(cls, v):
        for t in v or ():
            if not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", t):
                raise ValueError(f"场次时间须为 HH:MM, 收到 {t!r}")
        return v

    @field_validator("price")
    @classmethod
    def _price(cls, v):
        return _flash_price(v)


class BuyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    member_id: StrictInt = Field(ge=1)
    qty: StrictInt = Field(default=1, ge=1, le=1000)


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

    @field_validator("price")
    @classmethod
    def _price(cls, v):
        return _flash_price(v)


class FlashSaleOut(BaseModel):
    """A session's progress: `stock` = `sold` + `remaining` + `returned` +
    `moved_to_return_round` once the sale is settled (before, a released order's units
    wait in the closed pool until settlement)."""

    id: int
    sku: str
    name: str
    price: YuanOut
    stock: int
    sold: int
    remaining: int
    returned: int = Field(description="结算时退回商品库存的件数 (结算前为 0)")
    moved_to_return_round: int = Field(description="结算前直接转入返场的件数")
    buyers: int
    percent_sold: float
    status: str
    starts_at: BeijingTime
    ends_at: BeijingTime
    countdown_seconds: int
    per_member_limit: int
    label: str
    round: int
    parent_id: int | None


class FlashSalePage(BaseModel):
    items: list[FlashSaleOut]
    total: int
    limit: int
    offset: int
