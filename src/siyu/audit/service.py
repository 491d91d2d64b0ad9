"""Record and read audit entries: every change to promotions, prices, envelopes,
members and rules goes through `record`."""

from __future__ import annotations

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


def list_entries(
    session: Session, merchant_id: int, *, entity: str | None = None,
    entity_id: int | None = None, limit: int = 100, offset: int = 0,
) -> list[AuditEntry]:
    stmt = scoped(AuditEntry, merchant_id)
    if entity:
        stmt = stmt.where(AuditEntry.entity == entity)
    if entity_id is not None:
        stmt = stmt.where(AuditEntry.entity_id == entity_id)
    stmt = stmt.order_by(AuditEntry.id.desc()).limit(limit).offset(offset)
    return list(session.scalars(stmt))


def scrub_member(session: Session, merchant_id: int, member_id: int) -> None:
    """After a PIPL erasure, the audit trail keeps that changes happened, not who it was."""
    stmt = scoped(AuditEntry, merchant_id).where(
        AuditEntry.entity == "member", AuditEntry.entity_id == member_id)
    for entry in session.scalars(stmt):
        entry.before = {"erased": True} if entry.before is not None else None
        entry.after = {"erased": True} if entry.after is not None else None
