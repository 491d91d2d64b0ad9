"""Pydantic shapes of the envelope API (contract 9).

Integer inputs are strict: `true` or `"5"` is not a count or a member id."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, StrictInt, field_validator

from siyu.core.clock import BeijingTime, parse_datetime
from siyu.core.errors import SiyuError
from siyu.core.fields import Yuan, YuanOut


def _when(v):
    if v is None:
        return None
    try:
        return parse_datetime(v, "at")
    except SiyuError as e:
        raise ValueError("需要 ISO 8601 时间 (无时区视为北京时间)") from e


class TierIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    shares: StrictInt = Field(ge=0, le=1000)
    value: str


class EnvelopeIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    # Tiered envelopes may omit the amount: count × the top tier's value.
    amount: Yuan | None = None
    count: StrictInt = Field(ge=1, le=1_000_000)
    mode: Literal["lucky", "equal"] = "lucky"
    kind: Literal["normal", "targeted", "tiered", "blind_box"] = "normal"
    greeting: str = Field(default="恭喜发财, 大吉大利", max_length=100)
    expires_in_hours: StrictInt | None = Field(default=None, ge=1, le=24 * 30)
    # Shorter windows (a 红包雨 wave, a live-stream moment): minutes instead of hours.
    expires_in_minutes: StrictInt | None = Field(default=None, ge=1, le=24 * 60 * 30)
    starts_at: datetime | None = None
    # Targeted (定向): member ids that may grab, each once; at least `count` of them.
    targets: list[StrictInt] = Field(default_factory=list, max_length=1000)
    # Tiered (分享解锁): [{"shares": 0, "value": "5.00"}, {"shares": 1, "value": "20.00"}, ...]
    tiers: list[TierIn] | None = Field(default=None, max_length=10)
    # Blind box (盲盒): extra opens earned by sharing; default from the merchant's rules.
    extra_opens: StrictInt | None = Field(default=None, ge=0, le=10)
    # Lucky splits: published as its SHA-256 until the envelope is finished.
    seed: StrictInt | None = Field(default=None, ge=0, le=2**63 - 1)

    @field_validator("starts_at", mode="before")
    @classmethod
    def _starts(cls, v):
        return _when(v)


class EnvelopeOut(BaseModel):
    id: int
    kind: str
    mode: str
    amount: YuanOut
    count: int
    greeting: str
    status: str
    starts_at: BeijingTime
    expires_at: BeijingTime
    rain_id: int | None = None
    wave: int | None = None
    rules: dict


class GrabIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    member_id: StrictInt = Field(ge=1)


class GrabOut(BaseModel):
    amount: YuanOut
    grab_id: str
    # Tiered envelopes: the tier claimed, the next one, and the coupon issued.
    tier: dict | None = None
    next_tier: dict | None = None
    coupon_id: int | None = None
    note: str | None = None


class GrabLine(BaseModel):
    member_id: int
    amount: YuanOut
    at: BeijingTime


class EnvelopeStatus(BaseModel):
    id: int
    kind: str
    mode: str
    amount: YuanOut
    count: int
    remaining_amount: YuanOut = Field(
        description="总额 - 已领 - 已退; 分享解锁红包按 个数 × 最高档 预留, 领低档的差额也在其中")
    remaining_count: int
    status: str = Field(description="active / not_started / empty (已无领取名额) / expired / "
                                    "refunded / pending_review / rejected")
    refundable: YuanOut = Field(
        default=0, description="剩余金额中已无人可领、将在到期时退回发送方的部分")
    greeting: str
    starts_at: BeijingTime
    expires_at: BeijingTime
    refunded: YuanOut | None
    grabs: list[GrabLine]


class ShareIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    member_id: StrictInt = Field(ge=1)
    to_member_id: StrictInt = Field(ge=1)


class ShareOut(BaseModel):
    shared_to: int
    tier: dict | None = None
    next_tier: dict | None = None
    opens_allowed: int | None = None
    # Tiered: whether the member already claimed; a claimed coupon is never upgraded.
    claimed: bool | None = None
    note: str | None = None


class WaveIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    at: datetime
    envelopes: StrictInt = Field(ge=1, le=100)
    amount: Yuan
    count: StrictInt = Field(ge=1, le=1_000_000)
    mode: Literal["lucky", "equal"] = "lucky"

    @field_validator("at", mode="before")
    @classmethod
    def _at(cls, v):
        return _when(v)


class RainIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    name: str = Field(min_length=1, max_length=100)
    greeting: str = Field(default="红包雨来啦", max_length=100)
    expires_in_hours: StrictInt | None = Field(default=None, ge=1, le=24 * 30)
    # How long each wave stays open, in minutes (instead of expires_in_hours): a rain's
    # waves are usually minutes long.
    wave_minutes: StrictInt | None = Field(default=None, ge=1, le=24 * 60)
    waves: list[WaveIn] = Field(min_length=1, max_length=50)



class EnvelopePage(BaseModel):
    items: list[EnvelopeStatus]
    total: int
    limit: int
    offset: int
