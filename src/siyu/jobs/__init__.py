"""Scheduled work, in-process: envelope refunds at expiry, release of unpaid flash-sale
orders, settlement of ended flash sales, reconciliation of Redis pools.

Every job is idempotent (safe to run twice, or in two workers at once); on PostgreSQL a
transaction-level advisory lock also lets only one worker run a job at a time.
Run them with `siyu jobs run` (a loop) or `siyu jobs run --once`; `siyu serve` also runs
them in a background thread (`lifespan`, once per process) unless
SIYU_JOBS_IN_SERVER=0.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import zlib
from collections.abc import Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import text
from sqlalchemy.orm import Session

log = logging.getLogger("siyu.jobs")


def _as_is(result: object) -> object:
    return result


@dataclass(frozen=True)
class Job:
    name: str
    run: Callable[[Session, object, datetime], object]
    # The result as an operator reads it (`report`): money as yuan strings, never fen.
    show: Callable[[object], object] = _as_is


def _refunds(session, hot, now):
    from siyu.hongbao import grabs  # noqa: F401 - registers the grab-event listener
    from siyu.hongbao.tasks import refund_expired

    return refund_expired(session, hot, now=now)


def _refunds_in_yuan(refunded: dict[int, int]) -> dict[str, str]:
    """{envelope id: fen refunded} -> {"18": "10.00"}, as `siyu hongbao refund-expired`."""
    from siyu.core.money import fmt_yuan

    return {str(envelope_id): fmt_yuan(fen) for envelope_id, fen in refunded.items()}


def _release(session, hot, now):
    from siyu.flashsale.tasks import release_unpaid

    return release_unpaid(session, hot, now=now)


def _settle(session, hot, now):
    from siyu.flashsale.tasks import settle_ended

    return settle_ended(session, hot, now=now)


def _reconcile(session, hot, now):
    from siyu.hongbao import grabs  # noqa: F401 - repaired grabs become events too
    from siyu.hot.tasks import reconcile_pools

    return {r.key: {"repaired": r.repaired, "problems": r.problems}
            for r in reconcile_pools(session, hot, now=now) if r.repaired or r.problems}


def _analytics(session, hot, now):
    from siyu.analytics.tasks import job

    return job(session, hot, now)


# Reported figures: refunds are fen (shown in yuan); the flash-sale jobs count orders
# and units, reconcile lists ledger seqs, analytics flags and dates: no money.
JOBS = (Job("hongbao.refund_expired", _refunds, _refunds_in_yuan),
        Job("flashsale.release_unpaid", _release), Job("flashsale.settle_ended", _settle),
        Job("hot.reconcile", _reconcile), Job("analytics.refresh", _analytics))


def _locked(session: Session, name: str) -> bool:
    if session.get_bind().dialect.name != "postgresql":
        return True  # SQLite: BEGIN IMMEDIATE already serialises writers
    key = zlib.crc32(f"siyu.jobs:{name}".encode())
    return bool(session.execute(text("SELECT pg_try_advisory_xact_lock(:k)"), {"k": key})
                .scalar())


def run_once(runtime, *, now: datetime | None = None, only: set[str] | None = None,
             stop: threading.Event | None = None) -> dict:
    """Run each job in its own transaction; a failing job does not stop the others.
    `stop` set: no further job starts (the one running finishes)."""
    from siyu.db.engine import transaction

    now = now or runtime.clock.now()
    out: dict[str, object] = {}
    for job in JOBS:
        if only and job.name not in only:
            continue
        if stop is not None and stop.is_set():
            break
        try:
            with transaction(runtime.sessions) as session:
                out[job.name] = job.run(session, runtime.hot, now) if _locked(
                    session, job.name) else "skipped: running elsewhere"
        except Exception as e:  # noqa: BLE001 - report, keep the scheduler alive
            log.exception("job %s failed", job.name)
            out[job.name] = f"failed: {type(e).__name__}: {e}"
    return out


def report(results: dict[str, object]) -> dict[str, object]:
    """`run_once`'s results as an operator reads them (`siyu jobs run`): each job's
    figures through its `show`; a job that failed or was skipped keeps its message."""
    shows = {job.name: job.show for job in JOBS}
    return {name: result if isinstance(result, str) else shows.get(name, _as_is)(result)
            for name, result in results.items()}


class Scheduler:
    """Runs every job every `interval` seconds in a daemon thread until stopped."""

    def __init__(self, runtime, *, interval: float = 30.0) -> None:
        self.runtime, self.interval = runtime, interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="siyu-jobs", daemon=True)

    def start(self) -> Scheduler:
        self._thread.start()
        return self

    def stop(self, timeout: float = 30.0) -> None:
        self._stop.set()
        self._thread.join(timeout)

    def _loop(self) -> None:
        while not self._stop.is_set():
            run_once(self.runtime, stop=self._stop)
            self._stop.wait(self.interval)


_server_lock = threading.Lock()
_server: Scheduler | None = None


def start_in_server(runtime) -> Scheduler | None:
    """Start the scheduler for a server, once per process; None when the settings turn
    it off or one is running already (a second app in the same process)."""
    global _server
    if not runtime.settings.jobs_in_server:
        return None
    with _server_lock:
        if _server is not None:
            log.info("jobs: a scheduler already runs in this process")
            return None
        _server = Scheduler(runtime, interval=runtime.settings.jobs_interval_seconds).start()
        return _server


def stop_in_server(scheduler: Scheduler | None) -> None:
    """Stop it: the job running now finishes (its transaction commits), no new one starts."""
    global _server
    if scheduler is None:
        return
    scheduler.stop(timeout=300)
    with _server_lock:
        if _server is scheduler:
            _server = None


@asynccontextmanager
async def lifespan(app):
    """The app's lifespan (siyu.app.create_app): jobs start with the server and stop
    with it."""
    scheduler = start_in_server(app.state.runtime)
    try:
        yield
    finally:
        await asyncio.to_thread(stop_in_server, scheduler)
