"""Record and read audit entries: every change to promotions, prices, envelopes,
members and rules goes through `record`."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from siyu.audit.models import AuditEntry
from siyu.db.scope import scoped


def record(
    session: Session, merchant_id: int, *, actor: str, action: str, entity: str,
    entity_id: int | None, before: dict | None = None, after: dict | None = None,
) -> AuditEntry:
    entry = AuditEntry(merchant_id=merchant_id, actor=actor, action=action, entity=entity,
                       entity_id=entity_id, before=before, after=after)
    session.add(entry)
    return entry


def search(
    session: Session, merchant_id: int, *, entity: str | None = None,
    entity_id: int | None = None, actor: str | None = None, action: str | None = None,
    since: datetime | None = None, until: datetime | None = None, limit: int = 100,
    offset: int = 0,
) -> tuple[list[AuditEntry], int]:
    """Entries newest first, filtered, with the total for paging; [since, until)."""
    stmt = scoped(AuditEntry, merchant_id)
    if entity:
        stmt = stmt.where(AuditEntry.entity == entity)
    if entity_id is not None:
        stmt = stmt.where(AuditEntry.entity_id == entity_id)
    if actor:
        stmt = stmt.where(AuditEntry.actor == actor)
    if action:
        stmt = stmt.where(AuditEntry.action == action)
    if since is not None:
        stmt = stmt.where(AuditEntry.created_at >= since)
    if until is not None:
        stmt = stmt.where(AuditEntry.created_at < until)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    stmt = stmt.order_by(AuditEntry.id.desc()).limit(limit).offset(offset)
    return list(session.scalars(stmt)), total


def list_entries(
    session: Session, merchant_id: int, *, entity: str | None = None,
    entity_id: int | None = None, limit: int = 100, offset: int = 0, **filters,
) -> list[AuditEntry]:
    return search(session, merchant_id, entity=entity, entity_id=entity_id, limit=limit,
                  offset=offset, **filters)[0]


def scrub_member(session: Session, merchant_id: int, member_id: int) -> None:
    """After a PIPL erasure, the audit trail keeps that changes happened, not who it was."""
    stmt = scoped(AuditEntry, merchant_id).where(
        AuditEntry.entity == "member", AuditEntry.entity_id == member_id)
    for entry in session.scalars(stmt):
        entry.before = {"erased": True} if entry.before is not None else None
        entry.after = {"erased": True} if entry.after is not None else None
