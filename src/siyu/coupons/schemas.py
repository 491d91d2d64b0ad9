"""Pydantic shapes of limited coupons."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, field_validator

from siyu.core.clock import parse_datetime
from siyu.core.errors import SiyuError
from siyu.core.fields import Yuan, YuanOut


class TemplateIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    name: str = Field(min_length=1, max_length=100)
    face_value: Yuan
    min_spend: Yuan = 0
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


class TemplateOut(BaseModel):
    id: int
    name: str
    face_value: YuanOut
    min_spend: YuanOut
    total: int
    per_member_limit: int
    claimed: int
    remaining: int
    claim_starts_at: datetime | None
    claim_ends_at: datetime | None
    valid_until: datetime | None
    valid_days: int | None
    active: bool


class ClaimIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    member_id: int = Field(ge=1)


class CouponOut(BaseModel):
    id: int
    template_id: int | None
    member_id: int
    code: str
    name: str
    face_value: YuanOut
    min_spend: YuanOut
    valid_from: datetime
    valid_until: datetime | None
    status: str
