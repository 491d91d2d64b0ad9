"""Scheduled analytics: keep every merchant's snapshot fresh (refreshed when older than
`analytics_max_staleness_seconds`) and compute member states once per Beijing day, which
stores layer and lifecycle changes and emits the lifecycle events others react to."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from siyu.analytics import service
from siyu.core.clock import FixedClock
from siyu.db.engine import session_factory
from siyu.merchants.models import Merchant


def run(runtime, now: datetime) -> dict:
    out: dict[int, object] = {}
    with runtime.sessions() as session:
        ids = list(session.scalars(select(Merchant.id).order_by(Merchant.id)))
    for merchant_id in ids:
        refreshed = service.ensure_fresh(runtime, merchant_id)
        asof = service.ensure_states(runtime, merchant_id)
        out[merchant_id] = {"refreshed": refreshed is not None, "states_asof": str(asof)}
    return out


def job(session: Session, _hot, now: datetime) -> dict:
    """The `siyu jobs` entry: a runtime over the job's engine, with the job's clock."""
    from siyu.core.settings import get_settings
    from siyu.runtime import Runtime

    engine = session.get_bind()
    settings = get_settings().model_copy(
        update={"database_url": engine.url.render_as_string(hide_password=False)})
    return run(Runtime(settings, engine, session_factory(engine), FixedClock(now)), now)
