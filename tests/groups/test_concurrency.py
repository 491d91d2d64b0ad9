"""Capacity under concurrency: real threads, one session and one commit each, against the
real database (PostgreSQL row locks; SQLite BEGIN IMMEDIATE serialises writers)."""

from __future__ import annotations

import threading
from collections import Counter

from sqlalchemy import func, select

from siyu.core.errors import SiyuError
from siyu.db.engine import transaction
from siyu.groups import livecodes, service
from siyu.groups.models import Group, GroupMembership
from tests.conftest import new_merchant
from tests.groups.factories import make_code, make_group, make_member


def race(runtime, n: int, work) -> Counter:
    """Run `work(session, i)` in n threads at once; count outcomes and error codes."""
    barrier = threading.Barrier(n)
    results: list[str] = []
    lock = threading.Lock()

    def run(i: int) -> None:
        barrier.wait()
        try:
            with transaction(runtime.sessions) as session:
                outcome = work(session, i)
            result = outcome.decision
        except SiyuError as e:
            result = e.code
        except Exception as e:  # noqa: BLE001 - a crash must fail the test, not vanish
            result = f"crash:{type(e).__name__}:{e}"
        with lock:
            results.append(result)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert len(results) == n, "a thread did not finish"
    return Counter(results)


def test_concurrent_joins_never_exceed_capacity(runtime, now):
    merchant, _ = new_merchant(runtime, "并发商户")
    with runtime.sessions.begin() as s:
        group_id = make_group(s, merchant, now=now, capacity=5).id
        joiners = [make_member(s, merchant, now=now) for _ in range(16)]
    outcomes = race(runtime, 16, lambda s, i: service.join(
        s, merchant, group_id, joiners[i], now=now, actor="test"))
    assert outcomes == Counter({"admit": 5, "group_full": 11})
    with runtime.sessions() as s:
        assert s.get(Group, group_id).member_count == 5
        open_stays = s.scalar(select(func.count()).select_from(GroupMembership).where(
            GroupMembership.group_id == group_id, GroupMembership.left_at.is_(None)))
        assert open_stays == 5


def test_the_same_member_joining_at_once_gets_in_once(runtime, now):
    merchant, _ = new_merchant(runtime, "并发商户")
    with runtime.sessions.begin() as s:
        group_id = make_group(s, merchant, now=now, capacity=50).id
        member = make_member(s, merchant, now=now)
    outcomes = race(runtime, 8, lambda s, i: service.join(
        s, merchant, group_id, member, now=now, actor="test"))
    assert outcomes == Counter({"admit": 1, "already_in_group": 7})
    with runtime.sessions() as s:
        assert s.get(Group, group_id).member_count == 1


def test_concurrent_live_code_joins_overflow_without_oversubscribing(runtime, now):
    merchant, _ = new_merchant(runtime, "并发商户")
    with runtime.sessions.begin() as s:
        code = make_code(s, merchant, now=now, capacity=3)
        code_value, code_id = code.code, code.id
        joiners = [make_member(s, merchant, now=now) for _ in range(10)]
    outcomes = race(runtime, 10, lambda s, i: livecodes.join_by_code(
        s, merchant, code_value, joiners[i], now=now, actor="test"))
    assert outcomes == Counter({"admit": 10})
    with runtime.sessions() as s:
        groups = s.scalars(select(Group).where(Group.live_code_id == code_id)
                           .order_by(Group.pool_position)).all()
        assert [g.pool_position for g in groups] == [1, 2, 3, 4]
        assert [g.member_count for g in groups] == [3, 3, 3, 1]
        for g in groups:
            stays = s.scalar(select(func.count()).select_from(GroupMembership).where(
                GroupMembership.group_id == g.id, GroupMembership.left_at.is_(None)))
            assert stays == g.member_count <= g.capacity
