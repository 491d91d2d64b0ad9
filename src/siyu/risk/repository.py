"""Every query of the risk domain, scoped to one merchant (the escalation job alone reads
across merchants: it is the system acting on every tenant's timers)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from siyu.db.scope import require_scoped, scoped
from siyu.events import service as events
from siyu.risk.incidents import ACTIVE
from siyu.risk.models import CopyReview, Incident, RiskHit


def _page(session: Session, stmt, order, limit: int, offset: int):
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    return list(session.scalars(stmt.order_by(*order).limit(limit).offset(offset))), total


# ---- events ---------------------------------------------------------------------------


def events_between(session: Session, merchant_id: int, kind: str, since, until) -> list:
    """Every event of `kind` in the window, read in pages of 5,000."""
    out, offset = [], 0
    while True:
        page = events.list_events(session, merchant_id, kind=kind, since=since, until=until,
                                  limit=5000, offset=offset)
        out.extend(page)
        if len(page) < 5000:
            return out
        offset += len(page)


# ---- hits -----------------------------------------------------------------------------


def hit_by_fingerprint(session: Session, merchant_id: int, fingerprint: str) -> RiskHit | None:
    stmt = scoped(RiskHit, merchant_id).where(RiskHit.fingerprint == fingerprint)
    return session.scalars(stmt).one_or_none()


def require_hit(session: Session, merchant_id: int, hit_id: int) -> RiskHit:
    return require_scoped(session, RiskHit, merchant_id, hit_id, "risk_hit")


def search_hits(session: Session, merchant_id: int, *, rule: str | None = None,
                limit: int = 50, offset: int = 0) -> tuple[list[RiskHit], int]:
    stmt = scoped(RiskHit, merchant_id)
    if rule:
        stmt = stmt.where(RiskHit.rule == rule)
    return _page(session, stmt, (RiskHit.last_seen_at.desc(), RiskHit.id.desc()), limit, offset)


# ---- incidents ----------------------------------------------------------------------


def require_incident(session: Session, merchant_id: int, incident_id: int, *,
                     for_update: bool = False) -> Incident:
    return require_scoped(session, Incident, merchant_id, incident_id, "incident",
                          for_update=for_update)


def search_incidents(session: Session, merchant_id: int, *, status: str | None = None,
                     tier: str | None = None, source: str | None = None,
                     group_id: int | None = None, campaign: str | None = None,
                     overdue_at: datetime | None = None, limit: int = 50, offset: int = 0,
                     ) -> tuple[list[Incident], int]:
    stmt = scoped(Incident, merchant_id)
    if status:
        stmt = stmt.where(Incident.status == status)
    if tier:
        stmt = stmt.where(Incident.tier == tier)
    if source:
        stmt = stmt.where(Incident.source == source)
    if group_id is not None:
        stmt = stmt.where(Incident.group_id == group_id)
    if campaign:
        stmt = stmt.where(Incident.campaign == campaign)
    if overdue_at is not None:
        stmt = stmt.where(Incident.status.in_(ACTIVE), Incident.due_at <= overdue_at)
    return _page(session, stmt, (Incident.opened_at.desc(), Incident.id.desc()), limit, offset)


def due_incidents(session: Session, now: datetime, *, merchant_id: int | None = None,
                  limit: int = 500) -> list[Incident]:
    """Active incidents whose timer has run out and that are not already breached,
    locked so that two workers never escalate the same one (SKIP LOCKED on PostgreSQL;
    SQLite serialises writers anyway)."""
    stmt = select(Incident).where(Incident.status.in_(ACTIVE), Incident.due_at <= now,
                                  Incident.breached_at.is_(None))
    if merchant_id is not None:
        stmt = stmt.where(Incident.merchant_id == merchant_id)
    stmt = stmt.order_by(Incident.due_at, Incident.id).limit(limit)
    if session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update(skip_locked=True)
    return list(session.scalars(stmt))


# ---- copy reviews -------------------------------------------------------------------


def require_review(session: Session, merchant_id: int, review_id: int, *,
                   for_update: bool = False) -> CopyReview:
    return require_scoped(session, CopyReview, merchant_id, review_id, "review",
                          for_update=for_update)


def search_reviews(session: Session, merchant_id: int, *, status: str | None = None,
                   source: str | None = None, limit: int = 50, offset: int = 0,
                   ) -> tuple[list[CopyReview], int]:
    stmt = scoped(CopyReview, merchant_id)
    if status:
        stmt = stmt.where(CopyReview.status == status)
    if source:
        stmt = stmt.where(CopyReview.source == source)
    return _page(session, stmt, (CopyReview.id.desc(),), limit, offset)
