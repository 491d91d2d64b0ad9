"""Member eligibility on the grab path: checked in the same atomic step as the take
(Redis: the merchant's member set; SQL: a read in the session). An erasure takes
effect the moment it commits; a member created after the set was loaded can grab;
another merchant's member or an unknown id is 404. On all three backends."""

from __future__ import annotations

import pytest

from siyu.core.errors import NotFound
from siyu.hongbao import grabs, service
from siyu.hongbao.schemas import EnvelopeIn
from siyu.members import service as members
from tests.hot.backends import make_members, make_merchant


def _envelope(runtime, merchant, now, count=10) -> int:
    with runtime.sessions.begin() as s:
        return service.create(s, runtime.hot, merchant, EnvelopeIn(
            amount=f"{count}.00", count=count), now=now, actor="test").id


def _grab(runtime, merchant, envelope_id, member, now, key="k"):
    with runtime.sessions.begin() as s:
        return grabs.grab(s, runtime.hot, merchant, envelope_id, member, idem_key=key, now=now)


def test_erasure_takes_effect_at_once(hot_runtime, now):
    runtime = hot_runtime
    merchant = make_merchant(runtime)
    a, b, c = make_members(runtime, merchant, 3, now=now)
    first, second = _envelope(runtime, merchant, now), _envelope(runtime, merchant, now)
    _grab(runtime, merchant, first, a, now)  # loads the merchant's member set (Redis)
    _grab(runtime, merchant, first, b, now)  # b is in the set now
    with runtime.sessions.begin() as s:
        members.erase(s, merchant, b, now=now, actor="test")
    with pytest.raises(NotFound) as e:
        _grab(runtime, merchant, second, b, now)
    assert e.value.code == "member_not_found"
    assert _grab(runtime, merchant, second, c, now).amount > 0
    if runtime.hot.redis is not None:
        sets = runtime.hot.redis.members
        assert not sets.contains(merchant, b) and sets.contains(merchant, c)


def test_rolled_back_erasure_changes_nothing(hot_runtime, now):
    runtime = hot_runtime
    merchant = make_merchant(runtime)
    (a,) = make_members(runtime, merchant, 1, now=now)
    envelope = _envelope(runtime, merchant, now)
    with runtime.sessions() as s:
        members.erase(s, merchant, a, now=now, actor="test")
        s.rollback()
    assert _grab(runtime, merchant, envelope, a, now).amount > 0


def test_new_unknown_and_foreign_members(hot_runtime, now):
    runtime = hot_runtime
    merchant, other = make_merchant(runtime), make_merchant(runtime, "别家")
    (a,) = make_members(runtime, merchant, 1, now=now)
    (foreign,) = make_members(runtime, other, 1, now=now)
    envelope = _envelope(runtime, merchant, now)
    _grab(runtime, merchant, envelope, a, now)
    (late,) = make_members(runtime, merchant, 1, now=now)  # after the set was loaded
    assert _grab(runtime, merchant, envelope, late, now).amount > 0
    for member in (foreign, 999_999_999):
        with pytest.raises(NotFound):
            _grab(runtime, merchant, envelope, member, now)
    if runtime.hot.redis is not None:
        sets = runtime.hot.redis.members
        assert sets.contains(merchant, late) and not sets.contains(merchant, foreign)


def test_stale_admission_is_refused_after_an_erasure(hot_runtime, now):
    """A database check that began before an erasure committed must not put the member
    back: the generation moved, the add is refused."""
    runtime = hot_runtime
    merchant = make_merchant(runtime)
    a, b = make_members(runtime, merchant, 2, now=now)
    envelope = _envelope(runtime, merchant, now)
    _grab(runtime, merchant, envelope, a, now)
    if runtime.hot.redis is None:  # SQL reads the member in the session: erased is gone
        with runtime.sessions.begin() as s:
            members.erase(s, merchant, b, now=now, actor="test")
        with pytest.raises(NotFound):
            _grab(runtime, merchant, envelope, b, now)
        return
    sets = runtime.hot.redis.members
    gen_before = sets._generation(merchant)
    with runtime.sessions.begin() as s:
        members.erase(s, merchant, b, now=now, actor="test")
    admitted = sets._admit(keys=[sets.key(merchant), sets._gen_key(merchant)],
                           args=[gen_before, b])
    assert admitted == 0 and not sets.contains(merchant, b)
