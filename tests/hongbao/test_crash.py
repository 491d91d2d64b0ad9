"""A grab worker killed between the Redis step and the ledger write: the reconciler
restores agreement and no fen is lost or created."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap

import pytest
from sqlalchemy import func, select

from siyu.events.models import Event
from siyu.hongbao import grabs, service
from siyu.hongbao.schemas import EnvelopeIn
from tests.conftest import REDIS_URL
from tests.hot.backends import make_members, make_merchant

pytestmark = pytest.mark.parametrize("hot_runtime", ["postgresql+redis"], indirect=True)

WORKER = textwrap.dedent("""
    import sys, time
    from datetime import datetime
    from siyu.db.engine import make_engine, session_factory
    from siyu.hot import Hot
    from siyu.hot.ledger import LedgerWriter
    from siyu.hongbao import grabs

    db, redis_url, prefix, merchant, envelope, member, at = sys.argv[1:8]
    def stall(self, info, entry):
        print("GRABBED", entry.seq, entry.amount, flush=True)
        time.sleep(120)  # killed here: Redis has the grab, the ledger does not
    LedgerWriter.put = stall
    sessions = session_factory(make_engine(db))
    hot = Hot(sessions, redis_url=redis_url, prefix=prefix)
    with sessions.begin() as session:
        grabs.grab(session, hot, int(merchant), int(envelope), int(member), idem_key="crash",
                   now=datetime.fromisoformat(at))
""")


def test_killed_grab_worker_is_repaired_by_the_reconciler(hot_runtime, now):
    runtime, hot = hot_runtime, hot_runtime.hot
    merchant = make_merchant(runtime)
    a, b, c = make_members(runtime, merchant, 3, now=now)
    with runtime.sessions.begin() as s:
        envelope = service.create(s, hot, merchant, EnvelopeIn(amount="50.00", count=5, seed=3),
                                  now=now, actor="老板")
        eid, key = envelope.id, envelope.pool_key
    with runtime.sessions.begin() as s:
        grabs.grab(s, hot, merchant, eid, a, idem_key="ok", now=now)
    hot.flush()

    args = [sys.executable, "-c", WORKER, runtime.settings.database_url, REDIS_URL,
            hot.redis.prefix, str(merchant), str(eid), str(b), now.isoformat()]
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "SIYU_SECRET_KEY": "test"})
    line = proc.stdout.readline()
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    assert line.startswith("GRABBED"), proc.stderr.read()
    _, seq, amount = line.split()

    with runtime.sessions() as s:
        assert [e.member_id for e in hot.redis.ledger_log(s, key)] == [a]  # the grab is lost
    with runtime.sessions.begin() as s:
        result = hot.reconcile(s, key, now=now)
    assert result.repaired == [int(seq)] and result.agree, result.problems

    with runtime.sessions.begin() as s:
        retry = grabs.grab(s, hot, merchant, eid, b, idem_key="crash", now=now)
        grabs.grab(s, hot, merchant, eid, c, idem_key="ok", now=now)
    hot.flush()
    assert (retry.grab_id, retry.amount) == (f"{eid}-{seq}", int(amount))
    with runtime.sessions.begin() as s:
        ledger = hot.redis.ledger_log(s, key)
        status = service.status(s, hot, merchant, eid, now=now)
        again = hot.reconcile(s, key, now=now)
        events = s.scalar(select(func.count()).select_from(Event).where(
            Event.merchant_id == merchant, Event.kind == "grab"))
    assert [e.member_id for e in ledger] == [a, b, c]
    assert sum(e.amount for e in ledger) + status.remaining_amount == 5000
    assert again.agree and again.repaired == []
    assert events == 3  # the repaired grab became an event, once
