"""`siyu jobs run --once`: what an operator reads: money as two-decimal yuan strings,
never fen, and the run's time in Beijing time."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from siyu.jobs import report

SIYU = str(Path(sys.executable).with_name("siyu"))


def test_report_shows_refunds_in_yuan_and_keeps_the_other_figures():
    results = {"hongbao.refund_expired": {18: 1000, 19: 693, 20: 5},
               "flashsale.release_unpaid": {"paid": 1, "released": 2},
               "flashsale.settle_ended": {7: 4},
               "hot.reconcile": "skipped: running elsewhere"}
    assert report(results) == {"hongbao.refund_expired": {"18": "10.00", "19": "6.93",
                                                          "20": "0.05"},
                               "flashsale.release_unpaid": {"paid": 1, "released": 2},
                               "flashsale.settle_ended": {7: 4},
                               "hot.reconcile": "skipped: running elsewhere"}


def test_a_failed_refund_job_keeps_its_message():
    failed = {"hongbao.refund_expired": "failed: RuntimeError: boom"}
    assert report(failed) == failed


def test_run_once_prints_yuan_and_beijing_time(tmp_path):
    from siyu.hongbao import service
    from siyu.hongbao.schemas import EnvelopeIn
    from siyu.runtime import open_runtime
    from tests.hot.backends import make_merchant

    db = f"sqlite:///{tmp_path}/jobs.db"
    runtime = open_runtime(db)
    try:
        merchant = make_merchant(runtime)
        with runtime.sessions.begin() as s:
            envelope_id = service.create(s, runtime.hot, merchant, EnvelopeIn(
                amount="6.93", count=3, starts_at="2020-01-01T10:00:00+08:00",
                expires_in_hours=1), now=datetime(2020, 1, 1, tzinfo=UTC), actor="老板").id
    finally:
        runtime.close()
    env = {**os.environ, "SIYU_SECRET_KEY": "test"}
    out = subprocess.run([SIYU, "jobs", "run", "--once", "--db", db], capture_output=True,
                         text=True, timeout=120, env=env)
    assert out.returncode == 0, out.stderr
    doc = json.loads(out.stdout)
    assert doc["jobs"]["hongbao.refund_expired"] == {str(envelope_id): "6.93"}
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?\+08:00", doc["at"]), doc["at"]
