"""1,000 concurrent clients on one envelope of 100 shares, on every backend: exactly 100
winners, nobody twice, the shares sum to the amount, the ledger reconciles, and every
grab became one event."""

from __future__ import annotations

import random
from collections import Counter

from sqlalchemy import func, select

from siyu.events.models import Event
from siyu.hongbao import grabs, service
from siyu.hongbao.schemas import EnvelopeIn, GrabOut
from tests.hot.backends import hammer, make_members, make_merchant


def test_thousand_clients_one_envelope_of_hundred_shares(hot_runtime, now):
    runtime, hot = hot_runtime, hot_runtime.hot
    merchant = make_merchant(runtime)
    members = make_members(runtime, merchant, 800, now=now)
    with runtime.sessions.begin() as s:
        envelope = service.create(s, hot, merchant, EnvelopeIn(amount="888.88", count=100),
                                  now=now, actor="老板")
        eid, key = envelope.id, envelope.pool_key
    # 800 members; 200 of them send a second request (a retry with the same key, or a
    # new key): 1,000 requests in all.
    rng = random.Random(4)
    requests = [(m, f"k{m}") for m in members]
    requests += [(m, f"k{m}" if rng.random() < 0.5 else f"again{m}")
                 for m in rng.sample(members, 200)]
    rng.shuffle(requests)
    results = hammer(runtime, [
        (lambda s, m=m, k=k: (m, grabs.grab(s, hot, merchant, eid, m, idem_key=k, now=now)))
        for m, k in requests], workers=32)

    wins = [r for r in results if isinstance(r, tuple)]
    codes = Counter(r for r in results if isinstance(r, str))
    assert set(codes) <= {"envelope_empty", "already_grabbed"}, codes
    by_grab = {g.grab_id: (m, g) for m, g in wins if isinstance(g, GrabOut)}
    assert len(by_grab) == 100  # exactly 100 winners
    winners = [m for m, _ in by_grab.values()]
    assert len(set(winners)) == 100  # nobody twice
    assert sum(g.amount for _, g in by_grab.values()) == 88888
    assert all(g.amount >= 1 for _, g in by_grab.values())

    hot.flush()
    with runtime.sessions.begin() as s:
        status = service.status(s, hot, merchant, eid, now=now)
        reconciled = hot.reconcile(s, key, now=now)
        grab_events = s.scalar(select(func.count()).select_from(Event).where(
            Event.merchant_id == merchant, Event.kind == "grab"))
    assert reconciled.agree and reconciled.entries == 100, reconciled.problems
    assert (status.remaining_count, status.remaining_amount, status.status) == (0, 0, "empty")
    assert sorted(g.member_id for g in status.grabs) == sorted(winners)
    assert grab_events == 100
