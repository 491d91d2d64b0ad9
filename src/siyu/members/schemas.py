"""Pydantic shapes for members in the API and in files (import rows use MemberIn too)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, field_validator

from siyu.core.clock import BeijingTime, parse_datetime
from siyu.core.errors import SiyuError
from siyu.core.pii import normalize_phone

TIERS = ("V1", "V2", "V3", "V4", "V5")


class MemberIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    external_id: str = Field(min_length=1, max_length=100)
    nickname: str | None = Field(default=None, max_length=100)
    phone: str | None = None
    registered_at: datetime | None = None
    tags: list[str] = Field(default_factory=list, max_length=50)
    channel: str | None = Field(default=None, max_length=50)
    tier: str | None = None
    referrer_external_id: str | None = Field(default=None, max_length=100)

    @field_validator("phone", mode="before")
    @classmethod
    def _phone(cls, v):
        if v is None or (isinstance(v, str) and not v.strip()):
            return None
        try:
            return normalize_phone(str(v))
        except SiyuError as e:
            raise ValueError("不是有效的大陆手机号 (11 位, 1 开头)") from e

    @field_validator("registered_at", mode="before")
    @classmethod
    def _registered_at(cls, v):
        if v is None or (isinstance(v, str) and not v.strip()):
            return None
        try:
            return parse_datetime(v, "registered_at")
        except SiyuError as e:
            raise ValueError("无法解析的日期时间, 需要 ISO 8601 (如 2026-01-20)") from e

    @field_validator("tags", mode="before")
    @classmethod
    def _tags(cls, v):
        if v is None:
            return []
        if isinstance(v, str):
            v = [t for t in v.split("|")]
        tags = []
        for t in v:
            t = str(t).strip()
            if not t:
                continue
            if len(t) > 50:
                raise ValueError(f"标签过长 (最多 50 字): {t[:20]}…")
            if t not in tags:
                tags.append(t)
        return tags

    @field_validator("tier")
    @classmethod
    def _tier(cls, v):
        if v is not None and v not in TIERS:
            raise ValueError(f"等级须为 {'/'.join(TIERS)}")
        return v

    @field_validator("nickname", "channel", "external_id", mode="before")
    @classmethod
    def _text(cls, v):
        if v is None:
            return None
        if not isinstance(v, str | int):
            raise ValueError("需要文本")
        return str(v)


class MemberOut(BaseModel):
    id: int
    external_id: str
    nickname: str | None
    phone: str | None
    tags: list[str]
    tier: str
    points: int
    lifecycle: str
    channel: str | None
    referrer_id: int | None
    registered_at: BeijingTime
    erased: bool


class MemberPage(BaseModel):
    items: list[MemberOut]
    total: int
    limit: int
    offset: int


class TagsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    tags: list[str] = Field(min_length=1, max_length=50)
    kind: str = "manual"
