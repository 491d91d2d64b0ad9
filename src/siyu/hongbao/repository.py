"""Every query of the envelope domain, scoped to one merchant (the refund job's scan
across merchants is the one exception, and says so)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from siyu.db.scope import require_scoped, scoped
from siyu.hongbao.models import Envelope, EnvelopeRain, EnvelopeShare


def require(session: Session, merchant_id: int, envelope_id: int) -> Envelope:
    return require_scoped(session, Envelope, merchant_id, envelope_id, "envelope")


def require_rain(session: Session, merchant_id: int, rain_id: int) -> EnvelopeRain:
    return require_scoped(session, EnvelopeRain, merchant_id, rain_id, "envelope_rain")


def of_rain(session: Session, merchant_id: int, rain_id: int) -> list[Envelope]:
    stmt = scoped(Envelope, merchant_id).where(Envelope.rain_id == rain_id)
    return list(session.scalars(stmt.order_by(Envelope.wave, Envelope.id)))


def shares_by(session: Session, merchant_id: int, envelope_id: int, member_id: int) -> int:
    """How many distinct people the member shared this envelope to."""
    stmt = select(func.count()).select_from(EnvelopeShare).where(
        EnvelopeShare.merchant_id == merchant_id, EnvelopeShare.envelope_id == envelope_id,
        EnvelopeShare.member_id == member_id)
    return session.scalar(stmt) or 0


def add_share(session: Session, merchant_id: int, envelope_id: int, member_id: int,
              to_member_id: int, now: datetime) -> bool:
    """Record a share once; False when it was already recorded."""
    table = EnvelopeShare.__table__
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = insert(table).values(merchant_id=merchant_id, envelope_id=envelope_id,
                                member_id=member_id, to_member_id=to_member_id,
                                created_at=now)
    stmt = stmt.on_conflict_do_nothing(
        index_elements=["envelope_id", "member_id", "to_member_id"]).returning(table.c.id)
    return session.scalar(stmt) is not None


def due_for_refund(session: Session, now: datetime, limit: int = 200, *,
                   merchant_id: int | None = None) -> list[Envelope]:
    """Expired envelopes not refunded yet, of every merchant unless one is given."""
    stmt = select(Envelope).where(Envelope.refunded_at.is_(None), Envelope.expires_at <= now)
    if merchant_id is not None:
        stmt = stmt.where(Envelope.merchant_id == merchant_id)
    return list(session.scalars(stmt.order_by(Envelope.expires_at, Envelope.id).limit(limit)))


def mark_refunded(session: Session, envelope_id: int, refunded_fen: int, now: datetime) -> bool:
    """Set the refund once: False when another run already did."""
    result = session.execute(
        update(Envelope).where(Envelope.id == envelope_id, Envelope.refunded_at.is_(None))
        .values(refunded_fen=refunded_fen, refunded_at=now)
        .execution_options(synchronize_session=False))
    return result.rowcount == 1
