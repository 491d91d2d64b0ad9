"""Scheduled work of the risk domain: incident timers (SLA escalation)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from siyu.risk.incidents_service import escalate_due


def escalate_incidents(session: Session, hot: object = None, now: datetime | None = None,
                       ) -> list[dict]:
    """Every tenant's incidents whose timer ran out move up a tier (or are marked
    breached at the top). Safe to run twice or in two workers at once. The signature
    matches `siyu.jobs.Job.run` (session, hot, now)."""
    if now is None:
        raise ValueError("now is required")
    return escalate_due(session, now=now)
