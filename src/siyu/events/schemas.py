"""Pydantic shapes for event ingestion."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, field_validator

from siyu.core.clock import parse_datetime
from siyu.core.errors import SiyuError
from siyu.events.models import EVENT_KINDS


class EventIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: str
    at: datetime
    member_id: int | None = Field(default=None, ge=1)
    group_id: int | None = Field(default=None, ge=1)
    payload: dict = Field(default_factory=dict)
    idempotency_key: str | None = Field(default=None, min_length=1, max_length=100)

    @field_validator("kind")
    @classmethod
    def _kind(cls, v: str) -> str:
        if v not in EVENT_KINDS:
            raise ValueError(f"未知事件类型 {v!r}, 可选: {', '.join(EVENT_KINDS)}")
        return v

    @field_validator("at", mode="before")
    @classmethod
    def _at(cls, v):
        try:
            return parse_datetime(v, "at")
        except SiyuError as e:
            raise ValueError("需要 ISO 8601 时间 (无时区视为北京时间)") from e


class EventBatch(BaseModel):
    model_config = ConfigDict(extra="forbid")
    events: list[EventIn] = Field(min_length=1)


class BatchResult(BaseModel):
    accepted: int
    duplicates: int
