"""Scheduled work of envelopes: refund what expired envelopes left to the sender.

Safe to run twice, or in two workers at once: the pool is closed once (a second close
returns the first close's answer) and the refund is written by a conditional UPDATE
that only one run can win; the refund event carries a fixed key.
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy.orm import Session

from siyu.audit import service as audit
from siyu.core.money import fmt_yuan
from siyu.hongbao import repository as repo
from siyu.hongbao.models import Envelope
from siyu.hot import Hot
from siyu.jobs.steps import each_in_savepoint

log = logging.getLogger("siyu.hongbao")


def refund(session: Session, hot: Hot, envelope: Envelope, *, now: datetime) -> int | None:
    """Close the envelope's pool and refund the remainder; None if already refunded."""
    from siyu.events import service as events

    hot.close(session, envelope.pool_key, idem_key="expire", now=now)
    taken = sum(e.amount for e in hot.log(session, envelope.pool_key) if e.kind == "take")
    amount = envelope.amount_fen - taken
    if not repo.mark_refunded(session, envelope.id, amount, now):
        return None
    audit.record(session, envelope.merchant_id, actor="system", action="refund",
                 entity="envelope", entity_id=envelope.id,
                 after={"refunded": fmt_yuan(amount), "to": envelope.sender})
    events.emit(session, envelope.merchant_id, "refund", at=now,
                payload={"envelope_id": envelope.id, "amount_fen": amount,
                         "sender": envelope.sender},
                key=f"envelope-refund:{envelope.id}")
    return amount


def refund_expired(session: Session, hot: Hot, *, now: datetime, limit: int = 200,
                   merchant_id: int | None = None) -> dict[int, int]:
    """Refund every expired envelope not refunded yet: {envelope id: fen refunded}.

    Each envelope in a savepoint: one that fails (its Redis unreachable) is logged and
    retried on the next run, the others are refunded."""
    due = repo.due_for_refund(session, now, limit, merchant_id=merchant_id)
    return {envelope.id: amount for envelope, amount in each_in_savepoint(
        session, due, lambda e: refund(session, hot, e, now=now), "envelope refund", log)
        if amount is not None}
