"""The simulator writing a merchant's tables: deterministic, consistent, campaign-shaped.

Runs on SQLite and PostgreSQL (the `session` fixture), each test rolled back.
"""

from collections import Counter, defaultdict
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from siyu.audit.models import AuditEntry
from siyu.catalog.models import Product
from siyu.core.clock import beijing_date, to_beijing
from siyu.core.errors import InvalidInput
from siyu.events.models import Event
from siyu.groups.models import Group, GroupMembership
from siyu.members.models import Member
from siyu.merchants.service import create_merchant
from siyu.orders.models import Order, OrderLine
from siyu.sim.runner import SimConfig, simulate
from siyu.sim.timeline import Timeline

START = date(2026, 1, 5)
CONFIG = SimConfig(members=200, seed=7, start=START)


def run(session, now, config=CONFIG, name="模拟商户"):
    merchant, _key = create_merchant(session, name)
    return merchant.id, simulate(session, merchant.id, config, now=now)


def rows(session, model, merchant_id):
    return list(session.scalars(select(model).where(model.merchant_id == merchant_id)))


def fingerprint(session, merchant_id):
    """Everything generated, keyed by natural keys rather than database ids."""
    members = {m.id: m for m in rows(session, Member, merchant_id)}
    groups = {g.id: g for g in rows(session, Group, merchant_id)}
    ext = {i: m.external_id for i, m in members.items()}
    orders = {o.id: o for o in rows(session, Order, merchant_id)}
    return {
        "members": sorted((m.external_id, m.nickname, m.phone_masked, m.channel, m.tier,
                           m.registered_at, ext.get(m.referrer_id), m.lifecycle)
                          for m in members.values()),
        "groups": sorted((g.name, g.kind, g.member_count, g.created_at) for g in groups.values()),
        "stays": sorted((groups[s.group_id].name, ext[s.member_id], s.joined_at,
                         s.left_at or s.joined_at) for s in rows(session, GroupMembership,
                                                                 merchant_id)),
        "events": sorted((e.kind, e.at, ext.get(e.member_id), groups[e.group_id].name
                          if e.group_id else "") for e in rows(session, Event, merchant_id)),
        "orders": sorted((o.order_no, o.status, o.total_fen, o.placed_at, ext[o.member_id])
                         for o in orders.values()),
        "lines": sorted((orders[ln.order_id].order_no, ln.sku, ln.qty, ln.total_fen)
                        for ln in rows(session, OrderLine, merchant_id)),
    }


def test_same_seed_gives_the_same_merchant(session, now):
    a, result_a = run(session, now, name="甲")
    b, result_b = run(session, now, name="乙")
    assert result_a.summary() | {"merchant_id": 0} == result_b.summary() | {"merchant_id": 0}
    assert fingerprint(session, a) == fingerprint(session, b)


def test_another_seed_gives_other_data(session, now):
    a, _ = run(session, now)
    b, _ = run(session, now, SimConfig(members=200, seed=8, start=START))
    assert fingerprint(session, a)["members"] != fingerprint(session, b)["members"]


def test_summary_counts_match_the_tables(session, now):
    merchant, result = run(session, now)
    s = result.summary()
    count = lambda model: session.scalar(  # noqa: E731
        select(func.count()).select_from(model).where(model.merchant_id == merchant))
    assert s["members"] == count(Member) == 200
    assert s["groups"] == count(Group)
    assert s["memberships"] == count(GroupMembership)
    assert s["orders"] == count(Order) and s["order_lines"] == count(OrderLine)
    assert s["events"] == count(Event) == sum(s["events_by_kind"].values())
    assert sum(s["orders_by_status"].values()) == s["orders"]


def test_group_member_count_is_open_memberships_within_capacity(session, now):
    merchant, _ = run(session, now)
    open_stays = Counter(s.group_id for s in rows(session, GroupMembership, merchant)
                         if s.left_at is None)
    groups = rows(session, Group, merchant)
    assert groups
    for g in groups:
        assert g.member_count == open_stays[g.id]
        assert g.member_count <= g.capacity == 500


def test_order_totals_are_line_sums_and_stock_is_taken_for_paid_orders(session, now):
    merchant, _ = run(session, now)
    lines = defaultdict(list)
    for ln in rows(session, OrderLine, merchant):
        assert ln.total_fen == ln.qty * ln.unit_price_fen - ln.discount_fen >= 0
        lines[ln.order_id].append(ln)
    orders = rows(session, Order, merchant)
    sold = Counter()
    for o in orders:
        assert o.total_fen == sum(ln.total_fen for ln in lines[o.id])
        assert o.subtotal_fen == sum(ln.qty * ln.unit_price_fen for ln in lines[o.id])
        assert o.discount_fen == sum(ln.discount_fen for ln in lines[o.id])
        assert (o.paid_at is not None) == (o.status in ("paid", "shipped", "completed",
                                                        "refunded"))
        if o.paid_at is not None:
            sold.update({ln.sku: ln.qty for ln in lines[o.id]})
    initial = {a.after["sku"]: a.after["stock"] for a in rows(session, AuditEntry, merchant)
               if a.entity == "product" and a.action == "create"}
    for p in rows(session, Product, merchant):
        assert p.stock >= 0
        assert p.stock + sold[p.sku] == initial[p.sku]


def test_events_are_unique_and_orders_have_their_events(session, now):
    merchant, _ = run(session, now)
    events = rows(session, Event, merchant)
    keys = [e.idempotency_key for e in events]
    assert len(keys) == len(set(keys))
    member_ids = {m.id for m in rows(session, Member, merchant)}
    assert {e.member_id for e in events} <= member_ids
    by_key = {e.idempotency_key: e for e in events}
    for o in rows(session, Order, merchant):
        assert by_key[f"order:{o.id}"].at == o.placed_at
        assert (f"pay:{o.id}" in by_key) == (o.paid_at is not None)


def test_campaign_has_its_three_phases_and_a_funnel(session, now):
    merchant, result = run(session, now)
    tl = Timeline(START)
    per_day = Counter()
    kinds = Counter()
    for e in rows(session, Event, merchant):
        if e.kind in ("view", "message", "add_to_cart", "pay"):
            per_day[(tl.phase_of(beijing_date(e.at)), e.kind)] += 1
            kinds[e.kind] += 1
    for phase in ("warmup", "burst", "tail"):
        assert per_day[(phase, "message")] > 0 and per_day[(phase, "view")] > 0
    daily = {p: (per_day[(p, "view")] / n) for p, n in (("warmup", 10), ("burst", 7),
                                                          ("tail", 4))}
    assert daily["burst"] > 1.5 * daily["warmup"] and daily["burst"] > daily["tail"]
    assert kinds["view"] > kinds["add_to_cart"] > kinds["pay"] > 0
    assert result.until == tl.end_at()


def test_daily_speakers_are_around_a_quarter_of_group_members(session, now):
    merchant, _ = run(session, now, SimConfig(members=400, seed=3, start=START))
    stays = rows(session, GroupMembership, merchant)
    speakers = defaultdict(set)
    for e in rows(session, Event, merchant):
        if e.kind == "message" and e.group_id:
            speakers[beijing_date(e.at)].add(e.member_id)
    rates = []
    for d in Timeline(START).days():
        end = Timeline(d).start_at() + timedelta(days=1)
        members = {s.member_id for s in stays
                   if s.joined_at <= end and (s.left_at is None or s.left_at > end)}
        rates.append(len(speakers[d]) / len(members))
    assert 0.15 < sum(rates) / len(rates) < 0.35


def test_messages_peak_in_the_beijing_evening(session, now):
    merchant, _ = run(session, now)
    hours = Counter(to_beijing(e.at).hour for e in rows(session, Event, merchant)
                    if e.kind == "message")
    assert sum(hours[h] for h in range(19, 23)) > 4 * sum(hours[h] for h in range(2, 6))


def test_live_placement_stops_at_now_inside_the_burst(session, now):
    merchant, result = run(session, now, SimConfig(members=150, seed=4))
    assert result.timeline.phase_of(beijing_date(now)) == "burst"
    latest = session.scalar(select(func.max(Event.at)).where(Event.merchant_id == merchant))
    assert latest <= now
    assert session.scalar(select(func.max(Order.placed_at)).where(
        Order.merchant_id == merchant)) <= now


def test_same_seed_twice_into_one_merchant_is_refused(session, now):
    merchant, _ = run(session, now, SimConfig(members=20, seed=9, start=START))
    with pytest.raises(InvalidInput) as e:
        simulate(session, merchant, SimConfig(members=20, seed=9, start=START), now=now)
    assert e.value.field == "seed"
