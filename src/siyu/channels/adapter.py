"""The messaging platform behind one interface (企业微信, a WeChat-style IM, the simulator).

An adapter sends text, images and links to a group or a member, and turns the
platform's webhook body into Siyu's inbound items (messages, joins, leaves). The
service chooses the adapter by name, checks targets and signatures, and applies what
came in; an adapter knows only its platform's wire format.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Literal, Protocol

from pydantic import ValidationError
from sqlalchemy.orm import Session

from siyu.channels.schemas import Inbound, WebhookBody
from siyu.core.errors import InvalidInput
from siyu.core.validation import field_path, reason


@dataclass(frozen=True)
class Target:
    kind: Literal["group", "member"]
    id: int


@dataclass(frozen=True)
class Receipt:
    """A send as recorded: the channel_messages row id and its delivery status."""

    message_id: int
    status: str


@dataclass(frozen=True)
class ChannelContext:
    """What an adapter may use: the merchant it acts for, the unit of work, the time."""

    session: Session
    merchant_id: int
    now: datetime


class ChannelAdapter(Protocol):
    name: str

    def send_text(self, target: Target, text: str) -> Receipt: ...

    def send_image(self, target: Target, image_url: str) -> Receipt: ...

    def send_link(self, target: Target, url: str, title: str,
                  description: str | None = None) -> Receipt: ...

    def parse_webhook(self, body: bytes) -> list[Inbound]: ...


_TYPES = ("message", "join", "leave")


def parse_siyu_webhook(body: bytes) -> list[Inbound]:
    """Siyu's own webhook format `{"events": [{"type": "message" | "join" | "leave", ...}]}`;
    malformed input is a 422 naming the field (`events.0.member.external_id`)."""
    try:
        doc = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise InvalidInput("body: 不是有效的 UTF-8 JSON", field="body") from None
    try:
        return list(WebhookBody.model_validate(doc).events)
    except ValidationError as e:
        first = e.errors()[0]
        parts = list(first.get("loc", ()))
        # Drop the discriminator's tag that pydantic puts in the path: events.0.join.x
        if len(parts) > 2 and parts[0] == "events" and parts[2] in _TYPES:
            del parts[2]
        field = field_path(parts)
        raise InvalidInput(f"{field}: {reason(first)}", field=field) from None
