"""Use cases of channels: send through an adapter, receive a signed webhook.

Incoming messages become `message` events, stored once per platform message id;
joins and leaves go through the groups service (entry review included). Members are
named by the platform's external_id and created when unknown. Each webhook item is
applied in its own savepoint, so one bad item (a group of another merchant, a full
group) is reported without undoing the others. Services only flush; the edge commits.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy.orm import Session

from siyu.channels import repository as repo
from siyu.channels import signature
from siyu.channels.adapter import ChannelAdapter, ChannelContext, Receipt, Target
from siyu.channels.models import ChannelMessage
from siyu.channels.schemas import (
    InboundJoin,
    InboundLeave,
    InboundMessage,
    MessageOut,
    SendIn,
    WebhookItemResult,
    WebhookMember,
    WebhookResult,
)
from siyu.channels.simulator import SimulatorChannel
from siyu.core.errors import Conflict, InvalidInput, NotFound, SiyuError, Unauthorized
from siyu.events import service as events
from siyu.events.schemas import EventIn
from siyu.groups import service as groups
from siyu.groups.errors import AlreadyInGroup, NotInGroup
from siyu.members import service as members
from siyu.members.schemas import MemberIn
from siyu.merchants import service as merchants
from siyu.risk import reviews as copy_reviews
from siyu.risk import service as copy_risk

ADAPTERS: dict[str, Callable[[ChannelContext], ChannelAdapter]] = {
    "simulator": SimulatorChannel,
}
SECRET_KEY = "webhook_secret"


def adapter_for(name: str, ctx: ChannelContext) -> ChannelAdapter:
    factory = ADAPTERS.get(name)
    if factory is None:
        raise NotFound(f"channel: 未知渠道 {name!r}, 可选: {', '.join(ADAPTERS)}",
                       field="channel", code="channel_not_found")
    return factory(ctx)


# ---- sending ------------------------------------------------------------------------


def _require(value: str | None, field: str, kind: str) -> str:
    if not value:
        raise InvalidInput(f"{field}: {kind} 消息需要 {field}", field=field)
    return value


def _check_target(session: Session, merchant_id: int, target: Target) -> None:
    """Only the merchant's own groups and members can be messaged (else 404)."""
    if target.kind == "group":
        groups.get_group(session, merchant_id, target.id)
    else:
        members.require_active(session, merchant_id, target.id)


def _message_of(data: SendIn) -> tuple[str, str, dict]:
    """(content_kind, content, extra) as stored in channel_messages; 422 when missing."""
    kind = data.content_kind
    if kind == "text":
        return kind, _require(data.text, "text", kind), {}
    if kind == "image":
        return kind, _require(data.image_url, "image_url", kind), {}
    return kind, _require(data.url, "url", kind), {
        "title": _require(data.title, "title", kind), "description": data.description}


def _deliver(adapter: ChannelAdapter, target: Target, kind: str, content: str,
             extra: dict) -> Receipt:
    if kind == "text":
        return adapter.send_text(target, content)
    if kind == "image":
        return adapter.send_image(target, content)
    return adapter.send_link(target, content, extra["title"], extra.get("description"))


def _copy_of(kind: str, content: str, extra: dict) -> dict[str, str | None]:
    """The words people read: a text, or a link's title and description (the URL itself
    is the operator's own landing page, not copy)."""
    if kind == "text":
        return {"text": content}
    if kind == "link":
        return {"title": extra.get("title"), "description": extra.get("description")}
    return {}


def send(session: Session, merchant_id: int, channel: str, data: SendIn, *, now: datetime,
         actor: str) -> MessageOut:
    """Send, after the copy scanner: copy that blocks is refused (422 copy_blocked naming
    the field, nothing sent); copy that needs review is stored with status `review` and
    queued for the legal role (risk reviews), and goes out when approved."""
    adapter = adapter_for(channel, ChannelContext(session, merchant_id, now))
    target = Target(data.target_kind, data.target_id)
    _check_target(session, merchant_id, target)
    kind, content, extra = _message_of(data)
    texts = _copy_of(kind, content, extra)
    review = copy_risk.check_copy(session, merchant_id, texts)
    if review:
        row = repo.add_message(session, merchant_id, channel=channel, target=target, kind=kind,
                               content=content, extra=extra, status="review", now=now)
        copy_reviews.submit(session, merchant_id, source="channel_message", source_id=row.id,
                            texts=texts, findings=review, actor=actor, now=now)
        return to_out(row)
    receipt = _deliver(adapter, target, kind, content, extra)
    return to_out(repo.require_message(session, merchant_id, receipt.message_id))


def _held(session: Session, merchant_id: int, message_id: int) -> ChannelMessage:
    row = repo.require_message(session, merchant_id, message_id)
    if row.status != "review":
        raise Conflict(f"status: 消息 {message_id} 不在复核中 ({row.status})", field="status",
                       code="message_not_in_review")
    return row


def release_reviewed(session: Session, merchant_id: int, message_id: int, *, now: datetime,
                     actor: str) -> dict:
    """Legal approved a held message: send it now; the held row records where it went."""
    row = _held(session, merchant_id, message_id)
    target = Target(row.target_kind, row.target_id)  # type: ignore[arg-type]
    _check_target(session, merchant_id, target)
    adapter = adapter_for(row.channel, ChannelContext(session, merchant_id, now))
    receipt = _deliver(adapter, target, row.content_kind, row.content, dict(row.extra or {}))
    row.status = "approved"
    row.extra = {**(row.extra or {}), "sent_message_id": receipt.message_id}
    session.flush()
    return {"message_id": receipt.message_id}


def reject_reviewed(session: Session, merchant_id: int, message_id: int, *, now: datetime,
                    actor: str) -> None:
    _held(session, merchant_id, message_id).status = "rejected"
    session.flush()


def list_messages(session: Session, merchant_id: int, channel: str, *,
                  target_kind: str | None = None, target_id: int | None = None,
                  limit: int = 50, offset: int = 0) -> tuple[list[MessageOut], int]:
    if channel not in ADAPTERS:
        raise NotFound(f"channel: 未知渠道 {channel!r}", field="channel",
                       code="channel_not_found")
    rows, total = repo.search_messages(session, merchant_id, channel=channel,
                                       target_kind=target_kind, target_id=target_id,
                                       limit=limit, offset=offset)
    return [to_out(r) for r in rows], total


def to_out(m: ChannelMessage) -> MessageOut:
    return MessageOut(id=m.id, channel=m.channel, target_kind=m.target_kind,
                      target_id=m.target_id, content_kind=m.content_kind, content=m.content,
                      extra=dict(m.extra or {}), status=m.status, created_at=m.created_at,
                      sent_at=m.created_at if m.status == "sent" else None)


# ---- receiving ----------------------------------------------------------------------


def webhook_secret(session: Session, merchant_id: int, default: str) -> str | None:
    """The merchant's own secret (Merchant.settings["webhook_secret"]) or the default."""
    try:
        merchant = merchants.get_merchant(session, merchant_id)
    except NotFound:
        return None
    return merchants.merchant_setting(merchant, SECRET_KEY, None) or default


def receive_webhook(session: Session, channel: str, merchant_id: int, body: bytes,
                    signature_header: str | None, *, default_secret: str,
                    now: datetime) -> WebhookResult:
    """Verify, parse and apply one webhook delivery.

    401 for a missing or wrong signature (checked before anything is read), 404 for an
    unknown channel or merchant, 422 for a malformed body; per-item outcomes otherwise.
    """
    adapter = adapter_for(channel, ChannelContext(session, merchant_id, now))
    secret = webhook_secret(session, merchant_id, default_secret)
    # An unknown merchant is checked against the default secret: an unsigned probe
    # learns nothing about which merchant ids exist.
    if not signature.verify(secret or default_secret, body, signature_header):
        raise Unauthorized(f"{signature.HEADER}: 签名缺失或不正确", field=signature.HEADER,
                           code="bad_signature")
    if secret is None:
        merchants.get_merchant(session, merchant_id)
    items = adapter.parse_webhook(body)
    results: list[WebhookItemResult] = []
    for i, item in enumerate(items):
        savepoint = session.begin_nested()
        try:
            result = _apply(session, merchant_id, channel, i, item, now=now)
            savepoint.commit()
        except (AlreadyInGroup, NotInGroup) as e:
            # The platform delivered the join (or leave) twice: nothing to do.
            savepoint.rollback()
            result = WebhookItemResult(index=i, type=item.type, status="duplicate",
                                       group_id=item.group_id, code=e.code)
        except SiyuError as e:
            savepoint.rollback()
            result = WebhookItemResult(index=i, type=item.type, status="error",
                                       group_id=item.group_id, code=e.code, message=e.message)
        results.append(result)
    duplicates = sum(r.status == "duplicate" for r in results)
    errors = sum(r.status == "error" for r in results)
    return WebhookResult(accepted=len(results) - duplicates - errors, duplicates=duplicates,
                         errors=errors, results=results)


def _member_id(session: Session, merchant_id: int, channel: str, who: WebhookMember,
               now: datetime) -> int:
    result = members.upsert(session, merchant_id,
                            MemberIn(external_id=who.external_id, nickname=who.nickname),
                            now=now, actor=f"channel:{channel}", update_existing=False)
    return result.member.id


def _apply(session: Session, merchant_id: int, channel: str, index: int,
           item: InboundMessage | InboundJoin | InboundLeave, *,
           now: datetime) -> WebhookItemResult:
    at = item.at or now
    member_id = _member_id(session, merchant_id, channel, item.member, now)
    out = WebhookItemResult(index=index, type=item.type, status="accepted",
                            member_id=member_id, group_id=item.group_id)
    if isinstance(item, InboundMessage):
        if item.group_id is not None:
            groups.get_group(session, merchant_id, item.group_id)
        event = EventIn(kind="message", at=at, member_id=member_id, group_id=item.group_id,
                        payload={"channel": channel, "message_id": item.message_id,
                                 "content_kind": item.content_kind, "content": item.content},
                        idempotency_key=f"msg:{channel}:{item.message_id}")
        accepted, _ = events.ingest(session, merchant_id, [event], now=now)
        out.status = "accepted" if accepted else "duplicate"
    elif isinstance(item, InboundJoin):
        outcome = groups.join(session, merchant_id, item.group_id, member_id, now=at,
                              actor=f"channel:{channel}", device=item.device, ip=item.ip,
                              channel=item.channel)
        out.status, out.join_request_id = outcome.decision, outcome.join_request_id
    else:
        groups.leave(session, merchant_id, item.group_id, member_id, now=at,
                     actor=f"channel:{channel}")
        out.status = "left"
    return out
