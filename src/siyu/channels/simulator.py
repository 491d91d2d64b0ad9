"""The built-in local channel: sends are recorded in channel_messages, nothing leaves the
machine, so every feature works (and is testable) without an external platform."""

from __future__ import annotations

from siyu.channels import repository as repo
from siyu.channels.adapter import ChannelContext, Receipt, Target, parse_siyu_webhook
from siyu.channels.schemas import Inbound


class SimulatorChannel:
    name = "simulator"

    def __init__(self, ctx: ChannelContext) -> None:
        self.ctx = ctx

    def _record(self, target: Target, kind: str, content: str, extra: dict) -> Receipt:
        row = repo.add_message(self.ctx.session, self.ctx.merchant_id, channel=self.name,
                               target=target, kind=kind, content=content, extra=extra,
                               status="sent", now=self.ctx.now)
        return Receipt(message_id=row.id, status=row.status)

    def send_text(self, target: Target, text: str) -> Receipt:
        return self._record(target, "text", text, {})

    def send_image(self, target: Target, image_url: str) -> Receipt:
        return self._record(target, "image", image_url, {})

    def send_link(self, target: Target, url: str, title: str,
                  description: str | None = None) -> Receipt:
        return self._record(target, "link", url, {"title": title, "description": description})

    def parse_webhook(self, body: bytes) -> list[Inbound]:
        return parse_siyu_webhook(body)
