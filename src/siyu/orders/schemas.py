"""Pydantic shapes for orders."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, field_validator

from siyu.core.clock import BeijingTime, parse_datetime
from siyu.core.errors import SiyuError
from siyu.core.fields import IpAddress, Yuan, YuanOut


class OrderLineIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    sku: str = Field(min_length=1, max_length=64)
    qty: int = Field(ge=1, le=10_000)
    # Omitted: the product's current price.
    price: Yuan | None = None
    name: str | None = Field(default=None, max_length=200)
    # Omitted: the order's `discount` is allocated pro rata. Given on every line: the
    # discount of each line (e.g. from a promotion quote); they must sum to `discount`.
    discount: Yuan | None = None


class OrderDetailsIn(BaseModel):
    """What an order takes besides its lines, shared by plain and priced orders."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    order_no: str | None = Field(default=None, min_length=1, max_length=64)
    group_id: int | None = Field(default=None, ge=1)
    shipping: Yuan = 0
    status: str = Field(default="paid", pattern="^(pending|paid)$")
    ip: IpAddress | None = None
    device: str | None = Field(default=None, max_length=100)
    address: str | None = Field(default=None, max_length=300)
    channel: str | None = Field(default=None, max_length=50)
    placed_at: datetime | None = None

    @field_validator("placed_at", mode="before")
    @classmethod
    def _placed_at(cls, v):
        if v is None:
            return None
        try:
            return parse_datetime(v, "placed_at")
        except SiyuError as e:
            raise ValueError("需要 ISO 8601 时间") from e


class OrderIn(OrderDetailsIn):
    member_id: int | None = Field(default=None, ge=1)
    store: str | None = Field(default=None, max_length=64)
    lines: list[OrderLineIn] = Field(min_length=1, max_length=200)
    discount: Yuan = 0
    coupons: list[str] = Field(default_factory=list, max_length=20)


class OrderLineOut(BaseModel):
    sku: str
    name: str
    qty: int
    unit_price: YuanOut
    discount: YuanOut
    total: YuanOut


class OrderOut(BaseModel):
    id: int
    order_no: str
    member_id: int | None
    status: str
    subtotal: YuanOut
    discount: YuanOut
    shipping: YuanOut
    total: YuanOut
    placed_at: BeijingTime
    paid_at: BeijingTime | None
    lines: list[OrderLineOut]
