"""Real threads against real backends: limits and stock hold under races."""

from __future__ import annotations

import uuid
from collections import Counter

from siyu.hot import Taken
from tests.hot.backends import hammer, make_merchant


def _pool(runtime, units: int, limit: int, now) -> str:
    k = f"race:{uuid.uuid4().hex[:12]}"
    merchant = make_merchant(runtime)
    with runtime.sessions.begin() as s:
        runtime.hot.create_pool(s, k, merchant_id=merchant, units=units,
                                per_member_limit=limit, now=now)
    return k


def _take(runtime, k, member, n, idem, now):
    return lambda s: runtime.hot.take(s, k, member, n, idem_key=idem, now=now)


def test_hundred_members_racing_for_sixty_units_with_a_limit_of_two(hot_runtime, now):
    runtime = hot_runtime
    k = _pool(runtime, 60, 2, now)
    calls = []
    for m in range(1, 101):
        calls += [_take(runtime, k, m, 1, f"{m}-a", now), _take(runtime, k, m, 1, f"{m}-a", now),
                  _take(runtime, k, m, 1, f"{m}-b", now), _take(runtime, k, m, 1, f"{m}-c", now)]
    results = hammer(runtime, calls)
    assert not [r for r in results if isinstance(r, str) and r.startswith("crash")], results
    takes = {(r.member_id, r.seq): r for r in results if isinstance(r, Taken)}
    assert sum(t.units for t in takes.values()) == 60
    per_member = Counter(m for m, _ in takes)
    assert max(per_member.values()) <= 2
    runtime.hot.flush()
    with runtime.sessions.begin() as s:
        state = runtime.hot.state(s, k)
        holders = runtime.hot.holders(s, k)
        result = runtime.hot.reconcile(s, k, now=now)
    assert state.remaining == 0 and sum(holders.values()) == 60
    assert holders == dict(per_member)
    assert result.agree, result.problems


def test_one_member_retrying_one_key_at_once_takes_once(hot_runtime, now):
    runtime = hot_runtime
    k = _pool(runtime, 10, 5, now)
    results = hammer(runtime, [_take(runtime, k, 42, 1, "same", now) for _ in range(24)])
    assert all(isinstance(r, Taken) for r in results), results
    assert {r.seq for r in results} == {1}
    assert sum(not r.replayed for r in results) == 1
    with runtime.sessions() as s:
        assert runtime.hot.state(s, k).remaining == 9


def test_takes_and_give_backs_interleaved_keep_the_books(hot_runtime, now):
    runtime = hot_runtime
    k = _pool(runtime, 20, 1, now)
    first = hammer(runtime, [_take(runtime, k, m, 1, "t", now) for m in range(1, 31)])
    winners = [r.member_id for r in first if isinstance(r, Taken)]
    assert len(winners) == 20

    def give_back(m):
        return lambda s: runtime.hot.give_back(s, k, m, 1, idem_key="g", now=now)

    calls = [give_back(m) for m in winners[:10]]
    calls += [_take(runtime, k, m, 1, "t2", now) for m in range(31, 61)]
    calls += [give_back(m) for m in winners[:10]]  # the same releases again: once each
    results = hammer(runtime, calls)
    assert not [r for r in results if isinstance(r, str) and r.startswith("crash")], results
    with runtime.sessions.begin() as s:
        state = runtime.hot.state(s, k)
        holders = runtime.hot.holders(s, k)
        log = runtime.hot.log(s, k)
        result = runtime.hot.reconcile(s, k, now=now)
    assert state.remaining + sum(holders.values()) == 20
    assert sum(1 for e in log if e.kind == "give_back") == 10
    assert max(holders.values()) == 1
    assert result.agree, result.problems
