"""Use cases of events: idempotent batch ingestion, listing, PIPL redaction.

Events are immutable facts. A batch is validated whole (kinds, times, that members
and groups belong to the merchant) before anything is written; keys already stored
are skipped, so a retried batch is stored once.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from siyu.core.errors import InvalidInput
from siyu.db.scope import scoped
from siyu.events.bulk import insert_events
from siyu.events.models import Event
from siyu.events.schemas import EventIn
from siyu.groups.models import Group
from siyu.members.models import Member


def derive_key(e: EventIn) -> str:
    """A key for events sent without one: the same fact twice gives the same key."""
    raw = json.dumps([e.kind, e.at.isoformat(), e.member_id, e.group_id, e.payload],
                     sort_keys=True, ensure_ascii=False, default=str)
    return "auto:" + hashlib.sha256(raw.encode()).hexdigest()[:40]


def _existing_ids(session: Session, model, merchant_id: int, ids: set[int]) -> set[int]:
    found: set[int] = set()
    ids_list = sorted(ids)
    for i in range(0, len(ids_list), 900):
        chunk = ids_list[i : i + 900]
        stmt = select(model.id).where(model.merchant_id == merchant_id, model.id.in_(chunk))
        found.update(session.scalars(stmt))
    return found


def ingest(session: Session, merchant_id: int, events: Sequence[EventIn], *,
           now: datetime) -> tuple[int, int]:
    """Store a batch; returns (accepted, duplicates). All-or-nothing on bad input."""
    member_ids = {e.member_id for e in events if e.member_id is not None}
    group_ids = {e.group_id for e in events if e.group_id is not None}
    known_members = _existing_ids(session, Member, merchant_id, member_ids)
    known_groups = _existing_ids(session, Group, merchant_id, group_ids)
    for i, e in enumerate(events):
        if e.member_id is not None and e.member_id not in known_members:
            raise InvalidInput(f"events[{i}].member_id: 会员 {e.member_id} 不存在",
                               field=f"events[{i}].member_id")
        if e.group_id is not None and e.group_id not in known_groups:
            raise InvalidInput(f"events[{i}].group_id: 社群 {e.group_id} 不存在",
                               field=f"events[{i}].group_id")
    rows: dict[str, dict] = {}
    for e in events:
        key = e.idempotency_key or derive_key(e)
        if key not in rows:
            rows[key] = {"merchant_id": merchant_id, "kind": e.kind, "at": e.at,
                         "member_id": e.member_id, "group_id": e.group_id,
                         "payload": e.payload, "idempotency_key": key, "created_at": now}
    session.flush()
    accepted = insert_events(session, list(rows.values()))
    session.flush()
    return accepted, len(events) - accepted


def emit(session: Session, merchant_id: int, kind: str, *, at: datetime,
         member_id: int | None = None, group_id: int | None = None,
         payload: dict | None = None, key: str | None = None) -> None:
    """Record one fact from inside a use case (join, order, ...)."""
    e = EventIn(kind=kind, at=at, member_id=member_id, group_id=group_id,
                payload=payload or {}, idempotency_key=key)
    row = {"merchant_id": merchant_id, "kind": kind, "at": at, "member_id": member_id,
           "group_id": group_id, "payload": e.payload,
           "idempotency_key": key or derive_key(e), "created_at": at}
    session.flush()
    insert_events(session, [row])


def list_events(session: Session, merchant_id: int, *, kind: str | None = None,
                member_id: int | None = None, group_id: int | None = None,
                since: datetime | None = None, until: datetime | None = None,
                limit: int = 100, offset: int = 0) -> list[Event]:
    stmt = scoped(Event, merchant_id)
    if kind:
        stmt = stmt.where(Event.kind == kind)
    if member_id is not None:
        stmt = stmt.where(Event.member_id == member_id)
    if group_id is not None:
        stmt = stmt.where(Event.group_id == group_id)
    if since is not None:
        stmt = stmt.where(Event.at >= since)
    if until is not None:
        stmt = stmt.where(Event.at < until)
    return list(session.scalars(stmt.order_by(Event.at, Event.id).limit(limit).offset(offset)))


def redact_member(session: Session, merchant_id: int, member_id: int) -> None:
    """PIPL: keep that the member did something and when, drop what they said."""
    stmt = scoped(Event, merchant_id).where(Event.member_id == member_id)
    for e in session.scalars(stmt):
        if e.payload:
            e.payload = {"redacted": True}
