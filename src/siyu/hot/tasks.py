"""Scheduled work of the hot backend: reconcile Redis pools with the durable ledger."""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from siyu.hot.facade import Hot
from siyu.hot.models import HotPool
from siyu.hot.types import Reconciliation

log = logging.getLogger("siyu.hot")


def pools_to_reconcile(session: Session, limit: int = 500) -> list[str]:
    """Redis pools still open, or closed since their last reconciliation."""
    stmt = (select(HotPool.key).where(
        HotPool.backend == "redis",
        or_(HotPool.closed_at.is_(None), HotPool.reconciled_at.is_(None),
            HotPool.reconciled_at < HotPool.closed_at))
        .order_by(HotPool.reconciled_at.is_not(None), HotPool.reconciled_at, HotPool.id)
        .limit(limit))
    return list(session.scalars(stmt))


def reconcile_pools(session: Session, hot: Hot, *, now: datetime, limit: int = 500,
                    ) -> list[Reconciliation]:
    """Repair and check each pool; disagreements that remain are logged and returned."""
    if hot.redis is None:
        return []
    results = []
    for key in pools_to_reconcile(session, limit):
        result = hot.reconcile(session, key, now=now)
        if result.repaired or not result.agree:
            log.warning("hot reconcile %s: repaired %s, problems %s", key, result.repaired,
                        result.problems)
        results.append(result)
    return results
