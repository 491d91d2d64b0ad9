"""Pydantic shapes for channels: outgoing sends, incoming webhook bodies, messages out."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from siyu.core.clock import BeijingTime, parse_datetime
from siyu.core.errors import SiyuError
from siyu.core.fields import IpAddress

TARGET_KINDS = ("group", "member")
CONTENT_KINDS = ("text", "image", "link")
URL_PATTERN = r"^https?://\S+$"


class SendIn(BaseModel):
    """One outgoing message: `text` for text, `image_url` for image, `url` + `title` for
    link (the service says which is missing)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    target_kind: Literal["group", "member"]
    target_id: int = Field(ge=1)
    content_kind: Literal["text", "image", "link"] = "text"
    text: str | None = Field(default=None, min_length=1, max_length=5000)
    image_url: str | None = Field(default=None, max_length=1000, pattern=URL_PATTERN)
    url: str | None = Field(default=None, max_length=1000, pattern=URL_PATTERN)
    title: str | None = Field(default=None, min_length=1, max_length=100)
    description: str | None = Field(default=None, max_length=300)


class MessageOut(BaseModel):
    id: int
    channel: str
    target_kind: str
    target_id: int
    content_kind: str
    content: str
    extra: dict
    status: str  # sent; review (held for legal), approved (then sent as a new message), rejected
    created_at: BeijingTime
    sent_at: BeijingTime | None  # None while held or when it was never sent itself


class MessagePage(BaseModel):
    items: list[MessageOut]
    total: int
    limit: int
    offset: int


# ---- incoming (webhook) -------------------------------------------------------------


class _Inbound(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    # Omitted: the time the webhook arrives.
    at: datetime | None = None

    @field_validator("at", mode="before")
    @classmethod
    def _at(cls, v):
        if v is None:
            return None
        try:
            return parse_datetime(v, "at")
        except SiyuError as e:
            raise ValueError("需要 ISO 8601 时间 (无时区视为北京时间)") from e


class WebhookMember(BaseModel):
    """The person on the platform; created as a member when unknown."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    external_id: str = Field(min_length=1, max_length=100)
    nickname: str | None = Field(default=None, max_length=100)


class InboundMessage(_Inbound):
    type: Literal["message"]
    # The platform's id of the message: a message delivered twice is stored once.
    message_id: str = Field(min_length=1, max_length=64)
    group_id: int | None = Field(default=None, ge=1)
    member: WebhookMember
    content_kind: Literal["text", "image", "link"] = "text"
    content: str = Field(default="", max_length=10_000)


class InboundJoin(_Inbound):
    type: Literal["join"]
    group_id: int = Field(ge=1)
    member: WebhookMember
    device: str | None = Field(default=None, min_length=1, max_length=100)
    ip: IpAddress | None = None
    channel: str | None = Field(default=None, pattern=r"^[a-z][a-z0-9_]{0,49}$")


class InboundLeave(_Inbound):
    type: Literal["leave"]
    group_id: int = Field(ge=1)
    member: WebhookMember


Inbound = Annotated[InboundMessage | InboundJoin | InboundLeave, Field(discriminator="type")]


class WebhookBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    events: list[Inbound] = Field(min_length=1, max_length=1000)


class WebhookItemResult(BaseModel):
    index: int
    type: str
    # accepted / duplicate / admit / hold / reject / left / error
    status: str
    member_id: int | None = None
    group_id: int | None = None
    join_request_id: int | None = None
    code: str | None = None
    message: str | None = None


class WebhookResult(BaseModel):
    accepted: int
    duplicates: int
    errors: int
    results: list[WebhookItemResult]
