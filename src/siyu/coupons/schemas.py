"""Pydantic shapes of coupons: templates, coupons, issue requests and their answers."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from siyu.core.clock import BeijingTime, parse_datetime
from siyu.core.errors import SiyuError
from siyu.core.fields import Yuan, YuanOut


class ScopeIn(BaseModel):
    """Contract 1's `scope`: which items a coupon applies to; omitted = every item."""

    model_config = ConfigDict(extra="forbid")
    skus: list[str] | None = Field(default=None, max_length=1000)
    categories: list[str] | None = Field(default=None, max_length=1000)
    stores: list[str] | None = Field(default=None, max_length=1000)
    tags: list[str] | None = Field(default=None, max_length=1000)
    exclude_skus: list[str] | None = Field(default=None, max_length=1000)

    @field_validator("*")
    @classmethod
    def _names(cls, v):
        for name in v or ():
            if not name.strip() or len(name) > 100:
                raise ValueError("每项须为 1 到 100 个字符的非空字符串")
        return v


class TemplateIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    name: str = Field(min_length=1, max_length=100)
    kind: Literal["fixed", "percent"] = "fixed"
    face_value: Yuan | None = None  # fixed: 满X减Y / 无门槛 amount off
    percent: str | int | None = None  # percent: "15" = 15% off (85折)
    max_off: Yuan | None = None  # percent: the most one order takes off
    min_spend: Yuan = 0
    scope: ScopeIn | None = None
    total: int = Field(ge=1, le=10_000_000)
    per_member_limit: int = Field(default=1, ge=1, le=1000)
    claim_starts_at: datetime | None = None
    claim_ends_at: datetime | None = None
    valid_until: datetime | None = None
    valid_days: int | None = Field(default=None, ge=1, le=3650)

    @field_validator("claim_starts_at", "claim_ends_at", "valid_until", mode="before")
    @classmethod
    def _when(cls, v):
        if v is None:
            return None
        try:
            return parse_datetime(v, "at")
        except SiyuError as e:
            raise ValueError("需要 ISO 8601 时间 (无时区视为北京时间)") from e


class ReviewOut(BaseModel):
    by: str
    at: BeijingTime
    note: str | None


class TemplateOut(BaseModel):
    id: int
    name: str
    kind: str
    label: str  # the discount in words: 满99减20, 85折 (减15%) — percent is the % off
    face_value: YuanOut | None  # fixed only
    percent: str | None  # percent only
    max_off: YuanOut | None
    min_spend: YuanOut
    scope: dict | None
    total: int
    per_member_limit: int
    claimed: int
    remaining: int
    claim_starts_at: BeijingTime | None
    claim_ends_at: BeijingTime | None
    valid_until: BeijingTime | None
    valid_days: int | None
    status: str
    active: bool
    red_line: list[dict]  # findings of the price red line; [] when it breaks none
    review: ReviewOut | None
    created_at: BeijingTime


class ClaimIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    member_id: int = Field(ge=1)


class ReviewIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    note: str | None = Field(default=None, max_length=500)


MAX_ISSUE = 10_000  # members per issue request


class IssueIn(BaseModel):
    """发券: to these members, or to the members of a saved (live) segment now."""

    model_config = ConfigDict(extra="forbid")
    member_ids: list[int] | None = Field(default=None, min_length=1, max_length=MAX_ISSUE)
    segment_id: int | None = Field(default=None, ge=1)

    @field_validator("member_ids")
    @classmethod
    def _ids(cls, v):
        if v is not None and any(i < 1 for i in v):
            raise ValueError("会员 id 须为正整数")
        return v


class IssueItem(BaseModel):
    member_id: int
    status: Literal["issued", "skipped"]
    coupon_id: int | None = None
    coupon_code: str | None = None
    reason_code: str | None = None  # limit_reached | sold_out | member_not_found
    reason: str | None = None  # 已达上限 | 已抢光 | 会员不存在


class IssueOut(BaseModel):
    template_id: int
    idempotency_key: str
    segment_id: int | None
    requested: int
    issued: int
    skipped: int
    items: list[IssueItem]


class CouponOut(BaseModel):
    id: int
    template_id: int | None
    member_id: int
    code: str
    name: str
    kind: str
    face_value: YuanOut | None
    percent: str | None
    max_off: YuanOut | None
    min_spend: YuanOut
    scope: dict | None
    valid_from: BeijingTime
    valid_until: BeijingTime | None
    status: str
