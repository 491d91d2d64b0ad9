"""Redis + database: crashes between the Lua step and the ledger write are repaired.

A worker process takes from Redis and is killed (SIGKILL) before its transaction with
the ledger row commits; the reconciler writes the missing row from the Redis log. A
pool that Redis lost is rebuilt from the ledger. No fen is lost or created.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import uuid

import pytest

from siyu.hot import LimitReached
from tests.conftest import REDIS_URL
from tests.hot.backends import make_merchant

pytestmark = pytest.mark.parametrize("hot_runtime", ["postgresql+redis"], indirect=True)

WORKER = textwrap.dedent("""
    import sys, time
    from datetime import datetime
    from siyu.db.engine import make_engine, session_factory
    from siyu.hot import Hot
    from siyu.hot import redis_backend

    db, redis_url, prefix, key, member, idem, at = sys.argv[1:8]
    def stall(session, info, entries):
        print("TAKEN", entries[0].seq, entries[0].amount, flush=True)
        time.sleep(120)  # killed here: the Lua take happened, the ledger row did not
    redis_backend.lg.write = stall
    sessions = session_factory(make_engine(db))
    hot = Hot(sessions, redis_url=redis_url, prefix=prefix)
    with sessions.begin() as session:
        hot.take(session, key, int(member), 1, idem_key=idem, now=datetime.fromisoformat(at))
""")


def kill_during_take(runtime, key: str, member: int, idem: str, now) -> tuple[int, int]:
    """Run a take in a worker process and SIGKILL it between Redis and the ledger."""
    hot = runtime.hot
    args = [sys.executable, "-c", WORKER, runtime.settings.database_url, REDIS_URL,
            hot.redis.prefix, key, str(member), idem, now.isoformat()]
    env = {**os.environ, "SIYU_SECRET_KEY": "test"}
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=env)
    line = proc.stdout.readline()
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    assert line.startswith("TAKEN"), proc.stderr.read()
    _, seq, amount = line.split()
    return int(seq), int(amount)


def _envelope_pool(runtime, now, shares) -> str:
    k = f"crash:{uuid.uuid4().hex[:12]}"
    merchant = make_merchant(runtime)
    with runtime.sessions.begin() as s:
        runtime.hot.create_pool(s, k, merchant_id=merchant, units=len(shares),
                                per_member_limit=1, shares=shares, now=now)
    return k


def test_a_worker_killed_between_redis_and_the_ledger_is_repaired(hot_runtime, now):
    runtime, hot = hot_runtime, hot_runtime.hot
    k = _envelope_pool(runtime, now, [700, 200, 100])
    with runtime.sessions.begin() as s:
        hot.take(s, k, 1, idem_key="a", now=now)
    seq, amount = kill_during_take(runtime, k, 2, "b", now)
    assert (seq, amount) == (2, 200)
    with runtime.sessions() as s:
        assert [e.seq for e in hot.redis.ledger_log(s, k)] == [1]  # the ledger lost seq 2
    with runtime.sessions.begin() as s:
        result = hot.reconcile(s, k, now=now)
    assert result.repaired == [2] and result.agree, result.problems
    with runtime.sessions.begin() as s:
        ledger = hot.redis.ledger_log(s, k)
        again = hot.reconcile(s, k, now=now)
        state = hot.state(s, k)
    assert [(e.member_id, e.amount) for e in ledger] == [(1, 700), (2, 200)]
    assert again.repaired == [] and again.agree
    assert sum(e.amount for e in ledger) + state.remaining_amount == 1000


def test_the_killed_client_retrying_gets_its_share_once(hot_runtime, now):
    runtime, hot = hot_runtime, hot_runtime.hot
    k = _envelope_pool(runtime, now, [600, 400])
    seq, amount = kill_during_take(runtime, k, 5, "retry", now)
    with runtime.sessions.begin() as s:
        retried = hot.take(s, k, 5, idem_key="retry", now=now)
    assert (retried.seq, retried.amount, retried.replayed) == (seq, amount, True)
    with runtime.sessions.begin() as s:
        assert [e.seq for e in hot.redis.ledger_log(s, k)] == [seq]
        assert hot.reconcile(s, k, now=now).agree
        assert hot.state(s, k).remaining == 1


def test_entries_the_background_writer_never_wrote_are_repaired(hot_runtime, now, monkeypatch):
    runtime, hot = hot_runtime, hot_runtime.hot
    k = _envelope_pool(runtime, now, [100] * 10)
    monkeypatch.setattr(hot.writer, "put", lambda info, entry: None)  # the writer died
    with runtime.sessions.begin() as s:
        for m in range(1, 8):
            hot.take(s, k, m, idem_key="x", now=now, ledger="background")
    with runtime.sessions.begin() as s:
        assert hot.redis.ledger_log(s, k) == []
        result = hot.reconcile(s, k, now=now)
    assert result.repaired == list(range(1, 8)) and result.agree


def test_the_background_writer_writes_every_take(hot_runtime, now):
    runtime, hot = hot_runtime, hot_runtime.hot
    k = _envelope_pool(runtime, now, [10] * 50)
    with runtime.sessions.begin() as s:
        for m in range(1, 51):
            hot.take(s, k, m, idem_key="x", now=now, ledger="background")
    assert hot.flush()
    with runtime.sessions.begin() as s:
        assert len(hot.redis.ledger_log(s, k)) == 50
        assert hot.reconcile(s, k, now=now).repaired == []


def test_a_pool_redis_lost_is_rebuilt_from_the_ledger(hot_runtime, now):
    runtime, hot = hot_runtime, hot_runtime.hot
    k = _envelope_pool(runtime, now, [300, 200, 100])
    with runtime.sessions.begin() as s:
        hot.take(s, k, 1, idem_key="a", now=now)
        info = hot.info(s, k)
    hot.redis.client.delete(*hot.redis.keys(info))  # Redis restarted without its data
    with runtime.sessions.begin() as s, pytest.raises(LimitReached):
        hot.take(s, k, 1, idem_key="b", now=now)
    with runtime.sessions.begin() as s:
        replay = hot.take(s, k, 1, idem_key="a", now=now)
        second = hot.take(s, k, 2, idem_key="a", now=now)
        result = hot.reconcile(s, k, now=now)
    assert (replay.amount, replay.replayed, second.amount, second.seq) == (300, True, 200, 2)
    assert result.agree, result.problems


def test_a_batch_written_twice_is_stored_once(hot_runtime, now):
    from siyu.hot import ledger

    runtime, hot = hot_runtime, hot_runtime.hot
    k = _envelope_pool(runtime, now, [1] * 6)
    with runtime.sessions.begin() as s:
        for m in range(1, 7):
            hot.take(s, k, m, idem_key="x", now=now, ledger="background")
    hot.flush()
    with runtime.sessions.begin() as s:
        info = hot.info(s, k)
        records = hot.redis.redis_log(s, k)
        ledger.write(s, info, records[:3])  # COPY meets stored rows: row by row instead
        ledger.write(s, info, records)
        assert [e.seq for e in hot.redis.ledger_log(s, k)] == [1, 2, 3, 4, 5, 6]
