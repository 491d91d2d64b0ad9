"""The server runs the scheduled jobs in-process: started by the app's lifespan, once
per process, stopped cleanly with the server, off with SIYU_JOBS_IN_SERVER=0."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

from fastapi.testclient import TestClient

import siyu.jobs
from siyu.app import create_app
from siyu.hongbao import service
from siyu.hongbao.models import Envelope
from siyu.hongbao.schemas import EnvelopeIn
from tests.hot.backends import make_merchant


def _expired_envelope(runtime, now) -> int:
    merchant = make_merchant(runtime)
    data = EnvelopeIn(amount="8.00", count=4, expires_in_hours=24)
    with runtime.sessions.begin() as s:
        return service.create(s, runtime.hot, merchant, data, now=now - timedelta(days=2),
                              actor="老板").id


def _refunded(runtime, envelope_id: int) -> int | None:
    with runtime.sessions() as s:
        return s.get(Envelope, envelope_id).refunded_fen


def _jobs_on(runtime, on: bool = True) -> None:
    runtime.settings = runtime.settings.model_copy(
        update={"jobs_in_server": on, "jobs_interval_seconds": 0.2})


def test_server_from_the_app_factory_runs_a_due_job(hot_runtime, now):
    runtime = hot_runtime
    _jobs_on(runtime)
    envelope_id = _expired_envelope(runtime, now)
    assert _refunded(runtime, envelope_id) is None
    with TestClient(create_app(runtime)) as client:
        assert client.get("/healthz").status_code == 200
        scheduler = siyu.jobs._server
        assert scheduler is not None and scheduler._thread.is_alive()
        deadline = time.monotonic() + 30
        while _refunded(runtime, envelope_id) is None and time.monotonic() < deadline:
            time.sleep(0.1)
        assert _refunded(runtime, envelope_id) == 800  # nothing grabbed: all of it back
    # Shut down with the server: the thread has ended and the slot is free again.
    assert not scheduler._thread.is_alive()
    assert siyu.jobs._server is None


def test_once_per_process(hot_runtime):
    runtime = hot_runtime
    _jobs_on(runtime)
    with TestClient(create_app(runtime)), TestClient(create_app(runtime)):
        running = [t for t in threading.enumerate() if t.name == "siyu-jobs"]
        assert len(running) == 1
    assert siyu.jobs._server is None


def test_setting_off_starts_nothing(hot_runtime, now):
    runtime = hot_runtime
    _jobs_on(runtime, on=False)
    envelope_id = _expired_envelope(runtime, now)
    with TestClient(create_app(runtime)) as client:
        assert client.get("/healthz").status_code == 200
        assert siyu.jobs._server is None
        time.sleep(0.5)
    assert _refunded(runtime, envelope_id) is None
