"""HTTP: /api/v1/channels — send through a channel (operator), list what was sent, and
the platform's signed webhook (no API key: the HMAC signature authenticates it)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from fastapi import APIRouter, Depends, Header, Query, Request, Response
from sqlalchemy.orm import Session

from siyu.channels import service
from siyu.channels.schemas import MessageOut, MessagePage, SendIn, WebhookResult
from siyu.core.errors import TooLarge
from siyu.deps import ALL_ROLES, get_now, get_runtime, get_session, require
from siyu.merchants.service import Principal
from siyu.runtime import Runtime

router = APIRouter(tags=["channels 渠道"])


async def raw_body(request: Request) -> bytes:
    """The exact bytes the platform signed (parsing first would change them)."""
    limit = request.app.state.runtime.settings.max_upload_bytes
    body = await request.body()
    if len(body) > limit:
        raise TooLarge(f"body: 请求体超过 {limit} 字节", field="body")
    return body


@router.post("/channels/{channel}/send", response_model=MessageOut, status_code=201,
             responses={202: {"description": "文案需复核: 已排队等待法务审核, 尚未发送"}})
def send_message(channel: str, body: SendIn, response: Response,
                 session: Session = Depends(get_session),
                 principal: Principal = Depends(require("operator")),
                 now: datetime = Depends(get_now)):
    out = service.send(session, principal.merchant_id, channel, body, now=now,
                       actor=principal.actor)
    if out.status == "review":
        response.status_code = 202
    return out


@router.get("/channels/{channel}/messages", response_model=MessagePage)
def list_messages(
    channel: str, target_kind: Literal["group", "member"] | None = None,
    target_id: int | None = None,
    limit: int = Query(default=50, ge=1, le=500), offset: int = Query(default=0, ge=0),
    session: Session = Depends(get_session), principal: Principal = Depends(require(*ALL_ROLES)),
):
    items, total = service.list_messages(session, principal.merchant_id, channel,
                                         target_kind=target_kind, target_id=target_id,
                                         limit=limit, offset=offset)
    return MessagePage(items=items, total=total, limit=limit, offset=offset)


@router.post("/channels/{channel}/webhook/{merchant_id}", response_model=WebhookResult)
def receive_webhook(channel: str, merchant_id: int, body: bytes = Depends(raw_body),
                    x_siyu_signature: str | None = Header(default=None),
                    session: Session = Depends(get_session),
                    runtime: Runtime = Depends(get_runtime), now: datetime = Depends(get_now)):
    return service.receive_webhook(session, channel, merchant_id, body, x_siyu_signature,
                                   default_secret=runtime.settings.webhook_secret, now=now)
