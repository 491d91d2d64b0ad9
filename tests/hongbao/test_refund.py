"""Expiry refunds: the remainder goes back to the sender once, however often the job runs."""

from __future__ import annotations

from datetime import timedelta

from siyu.hongbao import grabs, service, tasks
from siyu.hongbao.models import Envelope
from siyu.hongbao.schemas import EnvelopeIn
from tests.hot.backends import hammer, make_members, make_merchant


def _envelope(runtime, merchant, now, **kw) -> int:
    data = EnvelopeIn(**({"amount": "10.00", "count": 5, "expires_in_hours": 24} | kw))
    with runtime.sessions.begin() as s:
        return service.create(s, runtime.hot, merchant, data, now=now, actor="老板").id


def _grab(runtime, merchant, envelope_id, member, now):
    with runtime.sessions.begin() as s:
        return grabs.grab(s, runtime.hot, merchant, envelope_id, member, idem_key="k", now=now)


def test_expiry_refund_run_twice_refunds_once(hot_runtime, now):
    runtime = hot_runtime
    merchant = make_merchant(runtime)
    members = make_members(runtime, merchant, 2, now=now)
    eid = _envelope(runtime, merchant, now)
    grabbed = sum(int(_grab(runtime, merchant, eid, m, now).amount) for m in members)
    later = now + timedelta(hours=24)
    with runtime.sessions.begin() as s:
        first = tasks.refund_expired(s, runtime.hot, now=later, merchant_id=merchant)
    with runtime.sessions.begin() as s:
        second = tasks.refund_expired(s, runtime.hot, now=later, merchant_id=merchant)
    assert (first, second) == ({eid: 1000 - grabbed}, {})
    with runtime.sessions() as s:
        status = service.status(s, runtime.hot, merchant, eid, now=later)
        envelope = s.get(Envelope, eid)
        pool_log = runtime.hot.log(s, envelope.pool_key)
    assert (status.status, status.remaining_amount, status.remaining_count) == ("refunded", 0, 0)
    assert status.refunded == 1000 - grabbed
    assert [e.kind for e in pool_log].count("close") == 1
    assert sum(e.amount for e in pool_log) == 1000  # grabs + refund = the whole amount


def test_concurrent_refund_runs_refund_once(hot_runtime, now):
    runtime = hot_runtime
    merchant = make_merchant(runtime)
    eid = _envelope(runtime, merchant, now, amount="3.00", count=3)
    later = now + timedelta(days=2)
    results = hammer(runtime, [
        lambda s: tasks.refund_expired(s, runtime.hot, now=later, merchant_id=merchant)
        for _ in range(6)], workers=6)
    refunds = [r for r in results if isinstance(r, dict) and eid in r]
    assert not [r for r in results if isinstance(r, str)], results
    assert len(refunds) == 1 and refunds[0][eid] == 300
    with runtime.sessions() as s:
        assert s.get(Envelope, eid).refunded_fen == 300


def test_tiered_envelope_refunds_the_budget_not_claimed(hot_runtime, now):
    runtime = hot_runtime
    merchant = make_merchant(runtime)
    (member,) = make_members(runtime, merchant, 1, now=now)
    eid = _envelope(runtime, merchant, now, kind="tiered", amount=None, count=4)
    assert _grab(runtime, merchant, eid, member, now).amount == 500
    later = now + timedelta(hours=25)
    with runtime.sessions.begin() as s:
        assert tasks.refund_expired(s, runtime.hot, now=later, merchant_id=merchant) == {
            eid: 40000 - 500}


def test_an_envelope_not_expired_is_left_alone(hot_runtime, now):
    runtime = hot_runtime
    merchant = make_merchant(runtime)
    _envelope(runtime, merchant, now)
    with runtime.sessions.begin() as s:
        assert tasks.refund_expired(s, runtime.hot, now=now + timedelta(hours=23),
                                    merchant_id=merchant) == {}


def test_the_jobs_loop_refunds_on_a_fresh_database(tmp_path, clock, now):
    """`siyu jobs` runs every job in its own transaction; twice changes nothing more."""
    from siyu.jobs import run_once
    from siyu.runtime import open_runtime

    runtime = open_runtime(f"sqlite:///{tmp_path}/jobs.db", clock=clock)
    try:
        merchant = make_merchant(runtime)
        eid = _envelope(runtime, merchant, now, amount="2.00", count=2)
        clock.advance(hours=30)
        first, second = run_once(runtime), run_once(runtime)
    finally:
        runtime.close()
    assert first["hongbao.refund_expired"] == {eid: 200}
    assert second["hongbao.refund_expired"] == {}
    assert not any(isinstance(v, str) and v.startswith("failed") for v in first.values())
