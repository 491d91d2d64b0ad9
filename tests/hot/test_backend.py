"""The HotBackend contract, the same on SQLite, PostgreSQL and PostgreSQL + Redis."""

from __future__ import annotations

import uuid

import pytest

from siyu.core.errors import InvalidInput
from siyu.hot import LimitReached, NotHeld, PoolEmpty, PoolNotFound


def key() -> str:
    return f"test:{uuid.uuid4().hex[:12]}"


@pytest.fixture
def env(hot_runtime, now):
    from tests.hot.backends import make_merchant

    return hot_runtime, hot_runtime.hot, make_merchant(hot_runtime), now


def pool(env, units=3, limit=1, shares=None) -> str:
    runtime, hot, merchant, now = env
    k = key()
    with runtime.sessions.begin() as s:
        hot.create_pool(s, k, merchant_id=merchant, units=units, per_member_limit=limit,
                        shares=shares, now=now)
    return k


def take(env, k, member, n=1, idem=None, **kw):
    runtime, hot, _, now = env
    with runtime.sessions.begin() as s:
        return hot.take(s, k, member, n, idem_key=idem or uuid.uuid4().hex, now=now, **kw)


def test_shares_are_handed_out_in_order_and_sum_exactly(env):
    k = pool(env, units=3, shares=[500, 300, 200])
    got = [take(env, k, m).amount for m in (11, 12, 13)]
    assert got == [500, 300, 200]
    with pytest.raises(PoolEmpty):
        take(env, k, 14)
    runtime, hot, _, _ = env
    with runtime.sessions() as s:
        state = hot.state(s, k)
    assert (state.remaining, state.takers, state.remaining_amount, state.total_amount) == (
        0, 3, 0, 1000)


def test_the_same_key_returns_the_first_answer(env):
    k = pool(env, units=3, shares=[100, 200, 300])
    first = take(env, k, 7, idem="retry-me")
    again = take(env, k, 7, idem="retry-me")
    assert (again.seq, again.amount, again.replayed) == (first.seq, first.amount, True)
    runtime, hot, _, _ = env
    with runtime.sessions() as s:
        assert hot.state(s, k).remaining == 2


def test_a_member_over_the_limit_is_refused_and_nothing_moves(env):
    k = pool(env, units=5, limit=2)
    take(env, k, 7, 2)
    with pytest.raises(LimitReached) as e:
        take(env, k, 7)
    assert e.value.held == 2 and e.value.status == 409
    runtime, hot, _, _ = env
    with runtime.sessions() as s:
        assert hot.state(s, k).remaining == 3 and hot.holders(s, k) == {7: 2}


def test_a_raised_limit_allows_earned_extra_takes(env):
    k = pool(env, units=5, shares=[1, 2, 3, 4, 5])
    take(env, k, 7)
    with pytest.raises(LimitReached):
        take(env, k, 7)
    assert take(env, k, 7, limit=2).amount == 2


def test_the_same_key_from_two_members_is_two_takes(env):
    k = pool(env, units=3)
    a, b = take(env, k, 1, idem="same"), take(env, k, 2, idem="same")
    assert (a.seq, b.seq, a.replayed, b.replayed) == (1, 2, False, False)


def test_an_empty_pool_says_so_before_the_limit_only_for_new_takers(env):
    k = pool(env, units=1)
    take(env, k, 1)
    with pytest.raises(LimitReached):
        take(env, k, 1)
    with pytest.raises(PoolEmpty):
        take(env, k, 2)


def test_unit_pools_record_the_amount_given(env):
    k = pool(env, units=10, limit=3)
    assert take(env, k, 5, 2, amount=1980).amount == 1980


def test_give_back_returns_units_once_per_key(env):
    runtime, hot, _, now = env
    k = pool(env, units=2, limit=2)
    take(env, k, 5, 2)
    with runtime.sessions.begin() as s:
        first = hot.give_back(s, k, 5, 1, idem_key="release-1", now=now)
        again = hot.give_back(s, k, 5, 1, idem_key="release-1", now=now)
        assert again.replayed and again.seq == first.seq
        state = hot.state(s, k)
    assert (state.remaining, state.taken_units) == (1, 1)
    with runtime.sessions.begin() as s, pytest.raises(NotHeld):
        hot.give_back(s, k, 6, 1, idem_key="nope", now=now)


def test_share_pools_cannot_take_back_shares(env):
    runtime, hot, _, now = env
    k = pool(env, units=2, shares=[1, 2])
    take(env, k, 5)
    with runtime.sessions.begin() as s, pytest.raises(InvalidInput):
        hot.give_back(s, k, 5, 1, idem_key="x", now=now)


def test_close_takes_what_is_left_once(env):
    runtime, hot, _, now = env
    k = pool(env, units=4, shares=[400, 300, 200, 100])
    take(env, k, 1)
    with runtime.sessions.begin() as s:
        closed = hot.close(s, k, idem_key="expire", now=now)
        again = hot.close(s, k, idem_key="expire-again", now=now)
    assert (closed.units, closed.amount, closed.shares) == (3, 600, (300, 200, 100))
    assert again.replayed and again.seq == closed.seq
    with pytest.raises(PoolEmpty):
        take(env, k, 2)
    with runtime.sessions() as s:
        state = hot.state(s, k)
        log = hot.log(s, k)
    assert state.closed and state.remaining == 0 and state.remaining_amount == 0
    assert [e.kind for e in log] == ["take", "close"]
    assert sum(e.amount for e in log) == 1000


def test_ledger_and_counters_reconcile(env):
    runtime, hot, _, now = env
    k = pool(env, units=6, limit=3)
    take(env, k, 1, 2)
    take(env, k, 2, 3)
    with runtime.sessions.begin() as s:
        hot.give_back(s, k, 2, 1, idem_key="r", now=now)
        result = hot.reconcile(s, k, now=now)
    assert result.agree, result.problems
    assert result.entries == 3 and result.repaired == []


def test_find_returns_a_stored_take(env):
    runtime, hot, _, _ = env
    k = pool(env, units=2)
    first = take(env, k, 9, idem="lookup")
    with runtime.sessions() as s:
        found = hot.find(s, k, 9, "lookup")
        assert hot.find(s, k, 9, "other") is None
    assert found.seq == first.seq and found.replayed


def test_unknown_pool_is_not_found(env):
    with pytest.raises(PoolNotFound):
        take(env, "test:missing-" + uuid.uuid4().hex, 1)


@pytest.mark.parametrize("units, limit, shares, field", [
    (-1, 1, None, "units"), (3, 0, None, "per_member_limit"), (2, 1, [1], "shares"),
])
def test_bad_pools_are_refused_naming_the_field(env, units, limit, shares, field):
    with pytest.raises(InvalidInput) as e:
        pool(env, units=units, limit=limit, shares=shares)
    assert e.value.field == field
