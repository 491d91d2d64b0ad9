"""Pydantic shapes of the risk API (rules and lottery documents have their own modules)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from siyu.core.clock import parse_datetime
from siyu.core.errors import SiyuError
from siyu.core.fields import Yuan


def _when(v, field: str):
    if v is None:
        return None
    try:
        return parse_datetime(v, field)
    except SiyuError as e:
        raise ValueError("需要 ISO 8601 日期或时间 (不带时区按北京时间)") from e


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class PriceCheckIn(_In):
    sku: str = Field(min_length=1, max_length=64)
    promo_price: Yuan
    # The "original price" (原价/划线价) the promotion shows, if any.
    claimed_original_price: Yuan | None = None
    starts_at: datetime

    @field_validator("starts_at", mode="before")
    @classmethod
    def _starts_at(cls, v):
        return _when(v, "starts_at")


class SweepIn(_In):
    since: datetime | None = None
    until: datetime | None = None
    # Keep the hits (and open incidents for new ones).
    save: bool = True
    # Also hold every pending or paid order a hit names.
    hold: bool = False

    @field_validator("since", "until", mode="before")
    @classmethod
    def _times(cls, v, info):
        return _when(v, info.field_name)


class OrderActionIn(_In):
    reason: str | None = Field(default=None, max_length=500)
    # The hit that led to the action (must be the merchant's own).
    hit_id: int | None = Field(default=None, ge=1)


class IncidentIn(_In):
    source: Literal["complaint", "manual"] = "complaint"
    title: str = Field(min_length=1, max_length=200)
    detail: str = Field(default="", max_length=5000)
    # Omitted: a complaint is graded by its words, anything else starts ordinary.
    tier: Literal["ordinary", "major", "extreme"] | None = None
    member_id: int | None = Field(default=None, ge=1)
    order_id: int | None = Field(default=None, ge=1)
    group_id: int | None = Field(default=None, ge=1)
    campaign: str | None = Field(default=None, max_length=100)


class NoteIn(_In):
    note: str | None = Field(default=None, max_length=500)


class ResolveIn(_In):
    resolution: str = Field(min_length=1, max_length=2000)

