"""Member states from the snapshot equal the committed pure engines (contracts 4 and 5),
with the dynamic downgrade, the lifecycle, their history and the lifecycle events."""

import random
from datetime import date, timedelta

from sqlalchemy import select

from siyu.analytics import queries, service
from siyu.analytics.models import LayerChange, LifecycleChange
from siyu.events.models import Event
from siyu.members.models import Member
from siyu.segments import layers as layers_engine
from siyu.segments import rfm as rfm_engine
from siyu.segments import tables
from tests.analytics import factories as f

ASOF = date(2026, 2, 19)
# Instants around the window edges of asof 2026-02-19 (30 and 60 Beijing days).
EDGES = [f.bj(2026, 1, 20, 23, 59, 59), f.bj(2026, 1, 21, 0, 0, 0), f.bj(2025, 12, 21, 0, 0),
         f.bj(2025, 12, 20, 23, 59, 59), f.bj(2026, 2, 19, 23, 59, 59), f.bj(2026, 2, 20, 0, 0),
         f.bj(2026, 2, 19, 0, 0, 0)]


def _states(rt, m):
    with rt.sessions() as s:
        return {r["member_id"]: r for r in queries.member_states(s, m, limit=None)["items"]}


def test_rfm_and_layers_equal_the_pure_engines(rt):
    rng = random.Random(7)
    m = f.merchant(rt)
    members, orders, events = [], [], []
    for _ in range(24):
        reg = rng.choice([f.bj(2025, 6, 1), f.bj(2026, 1, 20, 23, 59), f.bj(2026, 1, 21, 0, 1),
                          f.bj(2026, 2, 10)])
        mid = f.member(rt, m, reg)
        members.append(tables.Member(str(mid), reg))
        for _ in range(rng.choice([0, 0, 1, 2, 3, 5])):
            t = rng.choice(EDGES + [f.bj(2026, 2, 1) + timedelta(hours=rng.randrange(400))])
            amount = rng.choice([9900, 25000, 30000, 40000, 120000])
            status = rng.choice(["paid", "completed", "refunded", "paid"])
            oid = f.order(rt, m, mid, t, amount, status=status)
            if status != "refunded":
                orders.append(tables.Order(str(mid), str(oid), t, amount))
        for _ in range(rng.choice([0, 1, 2, 3, 4])):
            t = rng.choice(EDGES)
            kind = rng.choice(["view", "message", "share", "join", "lifecycle"])
            f.event(rt, m, mid, kind, t)
            if kind in tables.EVENT_KINDS:
                events.append(tables.Event(str(mid), kind, t))
    service.compute_member_states(rt, m, ASOF)
    got = _states(rt, m)
    want_layers = layers_engine.layers(members, orders, events, ASOF)
    assert {str(k): v["layer"] for k, v in got.items()} == want_layers
    want_rfm = {r.member_id: r for r in rfm_engine.rfm(orders, ASOF)}
    assert {str(k) for k, v in got.items() if v["frequency"]} == set(want_rfm)
    for key, r in want_rfm.items():
        g = got[int(key)]
        assert (g["recency_days"], g["frequency"], g["m_score"], g["r_score"], g["f_score"],
                g["rfm_segment"]) == (r.recency_days, r.frequency, r.m_score, r.r_score,
                                      r.f_score, r.segment)
        assert g["monetary"] == f"{r.monetary / 100:.2f}"


def test_high_value_is_sticky_then_downgraded_after_two_months(rt):
    m = f.merchant(rt)
    a = f.member(rt, m, f.bj(2025, 1, 1))
    f.order(rt, m, a, f.bj(2026, 1, 5, 10), 30000)
    f.order(rt, m, a, f.bj(2026, 1, 6, 10), 30000)  # 600 in two orders: high value
    f.order(rt, m, a, f.bj(2025, 1, 2, 10), 100)  # average below 300: never static potential
    service.compute_member_states(rt, m, date(2026, 1, 10))
    assert _states(rt, m)[a]["layer"] == "high_value"
    service.compute_member_states(rt, m, date(2026, 2, 20))  # statically "other" by now
    s = _states(rt, m)[a]
    assert (s["layer"], s["layer_reason"]) == ("high_value", "sticky")
    service.compute_member_states(rt, m, date(2026, 3, 7))  # last order 2026-01-06 + 60 days
    s = _states(rt, m)[a]
    assert (s["layer"], s["layer_reason"]) == ("potential", "downgraded")
    service.compute_member_states(rt, m, date(2026, 3, 20))
    assert _states(rt, m)[a]["layer"] == "potential"
    with rt.sessions() as session:
        history = session.scalars(select(LayerChange).where(
            LayerChange.member_id == a).order_by(LayerChange.id)).all()
        assert [(h.from_layer, h.to_layer, h.reason) for h in history] == [
            ("high_value", "potential", "downgraded")]


def test_lifecycle_walks_new_active_silent_dormant_churned_and_emits_events(rt):
    m = f.merchant(rt)
    a = f.member(rt, m, f.bj(2026, 1, 1, 10))
    v = f.member(rt, m, f.bj(2025, 1, 1, 10))
    for day in (1, 2, 3, 4):
        f.order(rt, m, v, f.bj(2026, 1, day, 12), 1000)
    steps = [(date(2026, 1, 5), "new"), (date(2026, 1, 31), "silent"),
             (date(2026, 4, 6), "dormant"), (date(2026, 7, 5), "churned")]
    service.compute_member_states(rt, m, steps[0][0])
    assert _states(rt, m)[a]["lifecycle"] == "new"
    assert _states(rt, m)[v]["lifecycle"] == "vip"
    f.event(rt, m, a, "view", f.bj(2026, 1, 6, 9))
    service.compute_member_states(rt, m, date(2026, 1, 6))
    assert _states(rt, m)[a]["lifecycle"] == "new"  # never paid, registered < 30 days
    service.compute_member_states(rt, m, date(2026, 2, 1))
    assert _states(rt, m)[a]["lifecycle"] == "active"  # 26 days idle, registered 31 days
    service.compute_member_states(rt, m, date(2026, 2, 5))  # 30 days after 2026-01-06
    assert _states(rt, m)[a]["lifecycle"] == "silent"
    for asof, stage in steps[2:]:
        service.compute_member_states(rt, m, asof)
        assert _states(rt, m)[a]["lifecycle"] == stage
    with rt.sessions() as session:
        changes = session.scalars(select(LifecycleChange).where(
            LifecycleChange.member_id == a).order_by(LifecycleChange.id)).all()
        assert [(c.from_stage, c.to_stage) for c in changes] == [
            ("new", "active"), ("active", "silent"), ("silent", "dormant"),
            ("dormant", "churned")]
        emitted = session.scalars(select(Event).where(
            Event.member_id == a, Event.kind == "lifecycle").order_by(Event.id)).all()
        assert [e.payload["to"] for e in emitted] == ["active", "silent", "dormant", "churned"]
        assert session.get(Member, a).lifecycle == "churned"


def test_computing_twice_changes_nothing_and_going_back_is_refused(rt):
    m = f.merchant(rt)
    a = f.member(rt, m, f.bj(2026, 1, 1))
    f.order(rt, m, a, f.bj(2026, 1, 2), 100)
    first = service.compute_member_states(rt, m, date(2026, 1, 10))
    second = service.compute_member_states(rt, m, date(2026, 1, 10))
    assert first["changed"] == 1 and second["changed"] == 0
    try:
        service.compute_member_states(rt, m, date(2026, 1, 9))
    except Exception as e:  # noqa: BLE001
        assert getattr(e, "field", None) == "asof"
    else:
        raise AssertionError("going back in time was accepted")


def test_a_merchant_without_members_computes_nothing(rt):
    m = f.merchant(rt)
    doc = service.compute_member_states(rt, m, date(2026, 1, 10))
    assert doc["members"] == 0 and doc["changed"] == 0
