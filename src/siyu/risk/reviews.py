"""The legal review queue (法务复核) for outgoing copy the scanner sent to review.

A domain that holds copy back (a group post with a phone number in it) calls `submit`
with what waits and where it lives (`source`, `source_id`). The legal role lists the
queue, approves or rejects; the decision goes back to the source through its handler
module, named in HANDLERS ("package.module", or "package.module:NAME" for an object
of that module when one module handles two sources), which exposes:

    release_reviewed(session, merchant_id, source_id, *, now, actor) -> dict
    reject_reviewed(session, merchant_id, source_id, *, now, actor) -> None

(loaded late: the source domain imports this module, not the other way round).
What waits is held by its domain until the decision: a message is not sent, an envelope
or flash sale is `pending_review` (not grabbable, not on sale), a coupon template is
inactive, a promotion is `pending_review` (never applies), a product is off sale, a
group is `pending_review` (nobody joins).
Copy submitted again for the same source (an edited promotion) withdraws what was
waiting for it: only the latest version can be approved. Every decision and withdrawal
is audit-logged.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable, Mapping
from datetime import datetime

from sqlalchemy.orm import Session

from siyu.audit import service as audit
from siyu.core.errors import Conflict, InvalidInput
from siyu.db.scope import scoped
from siyu.risk import repository as repo
from siyu.risk.models import CopyReview

HANDLERS: dict[str, str] = {
    "channel_message": "siyu.channels.service",
    "envelope": "siyu.hongbao.service",
    "envelope_rain": "siyu.hongbao.service:RAIN_REVIEW",
    "flash_sale": "siyu.flashsale.service",
    "coupon_template": "siyu.coupons.copy_review",
    "promotion": "siyu.promo.copy_review",
    "product": "siyu.catalog.copy_review",
    "group": "siyu.groups.copy_review",
}
STATUSES = ("pending", "approved", "rejected", "withdrawn")


def submit(session: Session, merchant_id: int, *, source: str, source_id: int,
           texts: Mapping[str, str | None], findings: Mapping[str, Iterable], actor: str,
           now: datetime) -> CopyReview:
    """Queue one piece of held copy; `findings` by field (each finding's offsets are in
    that field's text, and every stored finding names its field)."""
    if source not in HANDLERS:
        raise InvalidInput(f"source: 未登记的复核来源 {source!r}", field="source")
    withdraw(session, merchant_id, source=source, source_id=source_id, actor=actor, now=now)
    fields = list(findings)
    text = (texts[fields[0]] or "" if len(fields) == 1
            else "\n".join(f"{f}: {texts[f] or ''}" for f in fields))
    row = CopyReview(merchant_id=merchant_id, source=source, source_id=source_id,
                     field=",".join(fields)[:50], text=text,
                     findings=[{"field": f, **x.to_dict()} for f in fields for x in findings[f]],
                     status="pending", requested_by=actor, created_at=now, result={})
    session.add(row)
    session.flush()
    return row


def withdraw(session: Session, merchant_id: int, *, source: str, source_id: int, actor: str,
             now: datetime) -> int:
    """The copy waiting for `source_id` changed (edited, or clean now): what waited for
    it can no longer be decided. Returns how many reviews were withdrawn."""
    stmt = scoped(CopyReview, merchant_id).where(
        CopyReview.source == source, CopyReview.source_id == source_id,
        CopyReview.status == "pending")
    rows = list(session.scalars(stmt.with_for_update()))
    for row in rows:
        row.status, row.decided_by, row.decided_at = "withdrawn", actor, now
        audit.record(session, merchant_id, actor=actor, action="withdrawn",
                     entity="copy_review", entity_id=row.id, before={"status": "pending"},
                     after={"status": "withdrawn", "source": source, "source_id": source_id})
    session.flush()
    return len(rows)


def _handler(source: str):
    module, _, name = HANDLERS[source].partition(":")
    loaded = importlib.import_module(module)
    return getattr(loaded, name) if name else loaded


def decide(session: Session, merchant_id: int, review_id: int, *, approve: bool, now: datetime,
           actor: str, note: str | None = None) -> CopyReview:
    """Approve (the source sends or publishes) or reject; deciding twice is a 409."""
    row = repo.require_review(session, merchant_id, review_id, for_update=True)
    if row.status != "pending":
        raise Conflict(f"status: 复核 {review_id} 已处理 ({row.status})", field="status",
                       code="review_decided")
    handler = _handler(row.source)
    if approve:
        row.result = dict(handler.release_reviewed(session, merchant_id, row.source_id,
                                                   now=now, actor=actor) or {})
    else:
        handler.reject_reviewed(session, merchant_id, row.source_id, now=now, actor=actor)
    row.status = "approved" if approve else "rejected"
    row.decided_by, row.decided_at, row.note = actor, now, note
    session.flush()
    audit.record(session, merchant_id, actor=actor, action=row.status, entity="copy_review",
                 entity_id=row.id, before={"status": "pending"},
                 after={**row.result, "status": row.status, "source": row.source,
                        "source_id": row.source_id, "note": note})
    return row


def search(session: Session, merchant_id: int, *, status: str | None = None,
           source: str | None = None, limit: int = 50, offset: int = 0,
           ) -> tuple[list[CopyReview], int]:
    return repo.search_reviews(session, merchant_id, status=status, source=source, limit=limit,
                               offset=offset)


def to_dict(r: CopyReview) -> dict:
    return {"id": r.id, "source": r.source, "source_id": r.source_id, "field": r.field,
            "text": r.text, "findings": r.findings, "status": r.status,
            "requested_by": r.requested_by, "requested_at": r.created_at,
            "decided_by": r.decided_by, "decided_at": r.decided_at, "note": r.note,
            "result": r.result}
