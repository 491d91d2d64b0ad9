"""Groups service on SQLite and PostgreSQL: create, list, join, leave, entry review."""

from __future__ import annotations

from datetime import timedelta

import pytest

from siyu.core.errors import NotFound
from siyu.events import service as events
from siyu.groups import join_requests, service
from siyu.groups.errors import AlreadyInGroup, GroupArchived, GroupFull, NotInGroup
from siyu.groups.schemas import EntryReviewRulesIn, GroupIn
from siyu.members import service as members
from siyu.merchants.models import Merchant
from tests.groups.factories import make_group, make_member

PHONE = "13800138000"


def set_rules(session, merchant, **rules):
    return service.set_rules(session, merchant, EntryReviewRulesIn.model_validate(rules),
                             actor="运营小王")


def join(session, merchant, group_id, member_id, now, **kw):
    return service.join(session, merchant, group_id, member_id, now=now, actor="test", **kw)


# ---- groups -------------------------------------------------------------------------


def test_create_group_defaults_to_500_seats(session, merchant, now):
    group = make_group(session, merchant, now=now, capacity=None)
    assert group.capacity == 500
    assert group.member_count == 0 and group.status == "active"


def test_create_group_takes_capacity_from_merchant_settings(session, merchant, now):
    session.get(Merchant, merchant).settings = {"group_capacity": 200}
    session.flush()
    assert make_group(session, merchant, now=now, capacity=None).capacity == 200


def test_list_groups_filters_and_paginates(session, merchant, other_merchant, now):
    for i in range(3):
        make_group(session, merchant, now=now, kind="gift", name=f"送礼群{i}")
    make_group(session, merchant, now=now, kind="flash_sale")
    make_group(session, other_merchant, now=now, kind="gift")
    rows, total = service.list_groups(session, merchant, kind="gift", limit=2, offset=0)
    assert total == 3 and len(rows) == 2
    rows, total = service.list_groups(session, merchant, limit=50)
    assert total == 4
    archived = service.archive_group(session, merchant, rows[0].id, actor="test")
    assert service.list_groups(session, merchant, status="archived")[1] == 1
    assert archived.status == "archived"


def test_another_merchants_group_is_not_found(session, merchant, other_merchant, now):
    theirs = make_group(session, other_merchant, now=now)
    mine = make_member(session, merchant, now=now)
    with pytest.raises(NotFound):
        service.get_group(session, merchant, theirs.id)
    with pytest.raises(NotFound):
        join(session, merchant, theirs.id, mine, now)
    session.refresh(theirs)
    assert theirs.member_count == 0


def test_joining_with_another_merchants_member_is_not_found(session, merchant, other_merchant,
                                                            now):
    group = make_group(session, merchant, now=now)
    theirs = make_member(session, other_merchant, now=now)
    with pytest.raises(NotFound):
        join(session, merchant, group.id, theirs, now)


# ---- join and leave -----------------------------------------------------------------


def test_join_admits_takes_a_seat_records_the_request_and_emits_join(session, merchant, now):
    group = make_group(session, merchant, now=now)
    member = make_member(session, merchant, now=now)
    outcome = join(session, merchant, group.id, member, now, channel="share_link")
    assert outcome.decision == "admit" and outcome.reasons == []
    assert outcome.member_count == 1 and outcome.membership_id
    session.refresh(group)
    assert group.member_count == 1
    request = join_requests.get(session, merchant, outcome.join_request_id)
    assert (request.decision, request.status, request.decided_by) == (
        "admit", "admitted", "entry_review")
    evs = events.list_events(session, merchant, kind="join", group_id=group.id)
    assert [(e.member_id, e.payload["channel"]) for e in evs] == [(member, "share_link")]


def test_join_twice_is_409_already_in_group(session, merchant, now):
    group = make_group(session, merchant, now=now)
    member = make_member(session, merchant, now=now)
    join(session, merchant, group.id, member, now)
    with pytest.raises(AlreadyInGroup) as e:
        join(session, merchant, group.id, member, now)
    assert e.value.status == 409 and e.value.code == "already_in_group"


def test_full_group_is_409_group_full(session, merchant, now):
    group = make_group(session, merchant, now=now, capacity=2)
    for _ in range(2):
        join(session, merchant, group.id, make_member(session, merchant, now=now), now)
    with pytest.raises(GroupFull) as e:
        join(session, merchant, group.id, make_member(session, merchant, now=now), now)
    assert e.value.status == 409 and e.value.code == "group_full"
    session.refresh(group)
    assert group.member_count == 2


def test_archived_group_takes_no_one(session, merchant, now):
    group = make_group(session, merchant, now=now)
    service.archive_group(session, merchant, group.id, actor="test")
    with pytest.raises(GroupArchived):
        join(session, merchant, group.id, make_member(session, merchant, now=now), now)


def test_leave_closes_the_stay_frees_the_seat_and_emits_leave(session, merchant, now):
    group = make_group(session, merchant, now=now, capacity=1)
    member = make_member(session, merchant, now=now)
    join(session, merchant, group.id, member, now)
    later = now + timedelta(hours=2)
    result = service.leave(session, merchant, group.id, member, now=later, actor="test")
    assert result.member_count == 0 and result.left_at == later
    assert [e.member_id for e in events.list_events(session, merchant, kind="leave")] == [member]
    # The seat is free again, and the member may come back: a second stay.
    join(session, merchant, group.id, member, later + timedelta(hours=1))
    stays, total = service.history(session, merchant, member)
    assert total == 2
    assert stays[0].left_at is None and stays[1].left_at == later


def test_leave_when_not_in_the_group_is_409(session, merchant, now):
    group = make_group(session, merchant, now=now)
    with pytest.raises(NotInGroup):
        service.leave(session, merchant, group.id, make_member(session, merchant, now=now),
                      now=now, actor="test")


def test_current_members_are_paginated(session, merchant, now):
    group = make_group(session, merchant, now=now)
    ids = [make_member(session, merchant, now=now) for _ in range(5)]
    for i, m in enumerate(ids):
        join(session, merchant, group.id, m, now + timedelta(minutes=i))
    service.leave(session, merchant, group.id, ids[0], now=now + timedelta(hours=1), actor="t")
    page, total = service.current_members(session, merchant, group.id, limit=2, offset=1)
    assert total == 4
    assert [s.member_id for s in page] == ids[2:4]


def test_erasure_leaves_every_group(session, merchant, now):
    group = make_group(session, merchant, now=now)
    member = make_member(session, merchant, now=now)
    join(session, merchant, group.id, member, now)
    members.erase(session, merchant, member, now=now, actor="test")
    session.refresh(group)
    assert group.member_count == 0


# ---- entry review -------------------------------------------------------------------


def test_rules_default_then_saved_and_audited(session, merchant):
    assert service.get_rules(session, merchant).device.max_joins == 3
    set_rules(session, merchant, device={"max_joins": 5, "window_hours": 12})
    rules = service.get_rules(session, merchant)
    assert (rules.device.max_joins, rules.device.window_hours) == (5, 12)
    assert rules.ip.max_joins == 10


def test_blacklisted_phone_is_kept_as_a_hash_and_rejects(session, merchant, now):
    set_rules(session, merchant, blacklist={"phones": [PHONE]})
    settings = session.get(Merchant, merchant).settings
    assert PHONE not in str(settings)
    group = make_group(session, merchant, now=now)
    member = make_member(session, merchant, now=now, phone=PHONE)
    outcome = join(session, merchant, group.id, member, now)
    assert outcome.decision == "reject"
    assert outcome.reasons[0]["rule"] == "blacklist" and outcome.membership_id is None
    request = join_requests.get(session, merchant, outcome.join_request_id)
    assert (request.decision, request.status) == ("reject", "rejected")
    session.refresh(group)
    assert group.member_count == 0
    assert events.list_events(session, merchant, kind="join") == []


def test_duplicate_phone_in_the_group_is_held(session, merchant, now):
    group = make_group(session, merchant, now=now)
    first = make_member(session, merchant, now=now, phone=PHONE)
    second = make_member(session, merchant, now=now, phone=PHONE)
    assert join(session, merchant, group.id, first, now).decision == "admit"
    outcome = join(session, merchant, group.id, second, now)
    assert outcome.decision == "hold"
    assert outcome.reasons[0]["rule"] == "duplicate_phone"
    assert str(first) in outcome.reasons[0]["message"]
    pending, total = join_requests.list_requests(session, merchant, status="pending")
    assert total == 1 and pending[0].member_id == second


def test_duplicate_phone_outside_the_window_is_admitted(session, merchant, now):
    group = make_group(session, merchant, now=now)
    first = make_member(session, merchant, now=now, phone=PHONE)
    join(session, merchant, group.id, first, now - timedelta(days=8))
    service.leave(session, merchant, group.id, first, now=now - timedelta(days=7, hours=23),
                  actor="test")
    second = make_member(session, merchant, now=now, phone=PHONE)
    assert join(session, merchant, group.id, second, now).decision == "admit"


def test_fourth_member_from_one_device_within_a_day_is_held(session, merchant, now):
    group = make_group(session, merchant, now=now)
    decisions = [join(session, merchant, group.id, make_member(session, merchant, now=now),
                      now + timedelta(minutes=i), device="farm-phone").decision
                 for i in range(4)]
    assert decisions == ["admit", "admit", "admit", "hold"]
    # A day later the window has moved on.
    later = join(session, merchant, group.id, make_member(session, merchant, now=now),
                 now + timedelta(hours=25), device="farm-phone")
    assert later.decision == "admit"


def test_eleventh_joiner_from_one_ip_within_an_hour_is_held(session, merchant, now):
    group = make_group(session, merchant, now=now)
    decisions = [join(session, merchant, group.id, make_member(session, merchant, now=now),
                      now, ip="10.0.0.1").decision for _ in range(11)]
    assert decisions.count("admit") == 10 and decisions[-1] == "hold"


def test_velocity_counts_only_this_merchants_requests(session, merchant, other_merchant, now):
    theirs = make_group(session, other_merchant, now=now)
    for _ in range(5):
        join(session, other_merchant, theirs.id, make_member(session, other_merchant, now=now),
             now, device="shared")
    group = make_group(session, merchant, now=now)
    mine = make_member(session, merchant, now=now)
    assert join(session, merchant, group.id, mine, now, device="shared").decision == "admit"


def test_risk_score_over_threshold_is_rejected_when_enabled(session, merchant, now):
    set_rules(session, merchant, risk={"enabled": True, "hold_at": 50, "reject_at": 80})
    group = make_group(session, merchant, now=now)
    assert join(session, merchant, group.id, make_member(session, merchant, now=now), now,
                risk_score=85).decision == "reject"
    assert join(session, merchant, group.id, make_member(session, merchant, now=now), now,
                risk_score=55).decision == "hold"


# ---- the operator's review ----------------------------------------------------------


def _held(session, merchant, now, group=None):
    set_rules(session, merchant, blacklist={"devices": ["d-x"], "action": "hold"})
    group = group or make_group(session, merchant, now=now)
    member = make_member(session, merchant, now=now)
    outcome = join(session, merchant, group.id, member, now, device="d-x")
    assert outcome.decision == "hold"
    return group, member, outcome.join_request_id


def test_approving_a_held_request_performs_the_join(session, merchant, now):
    group, member, request_id = _held(session, merchant, now)
    later = now + timedelta(minutes=30)
    outcome = join_requests.approve(session, merchant, request_id, now=later, actor="运营小王",
                                    note="人工核实为真实用户")
    assert outcome.decision == "admit" and outcome.member_count == 1
    request = join_requests.get(session, merchant, request_id)
    assert (request.status, request.decided_by, request.decided_at) == (
        "approved", "运营小王", later)
    assert request.reasons[-1]["rule"] == "operator"
    assert "人工核实" in request.reasons[-1]["message"]
    stays, _ = service.current_members(session, merchant, group.id)
    assert [s.member_id for s in stays] == [member]
    assert len(events.list_events(session, merchant, kind="join")) == 1


def test_a_request_is_decided_once(session, merchant, now):
    _, _, request_id = _held(session, merchant, now)
    join_requests.approve(session, merchant, request_id, now=now, actor="a")
    with pytest.raises(Exception) as e:
        join_requests.approve(session, merchant, request_id, now=now, actor="b")
    assert e.value.code == "request_not_pending" and e.value.status == 409


def test_rejecting_a_held_request_joins_no_one(session, merchant, now):
    group, _, request_id = _held(session, merchant, now)
    request = join_requests.reject(session, merchant, request_id, now=now, actor="运营小王")
    assert request.status == "rejected" and request.reasons[-1]["decision"] == "reject"
    session.refresh(group)
    assert group.member_count == 0


def test_approving_into_a_full_group_is_409_and_stays_pending(session, merchant, now):
    group = make_group(session, merchant, now=now, capacity=1)
    _, _, request_id = _held(session, merchant, now, group=group)
    join(session, merchant, group.id, make_member(session, merchant, now=now), now)
    with pytest.raises(GroupFull):
        join_requests.approve(session, merchant, request_id, now=now, actor="a")
    assert join_requests.get(session, merchant, request_id).status == "pending"


def test_another_merchants_request_is_not_found(session, merchant, other_merchant, now):
    _, _, request_id = _held(session, merchant, now)
    with pytest.raises(NotFound):
        join_requests.approve(session, other_merchant, request_id, now=now, actor="x")
    with pytest.raises(NotFound):
        join_requests.reject(session, other_merchant, request_id, now=now, actor="x")
    assert join_requests.get(session, merchant, request_id).status == "pending"


def test_group_in_schema_refuses_unknown_kind():
    with pytest.raises(ValueError):
        GroupIn(name="x", kind="secret")


def test_approved_held_join_keeps_its_channel(session, merchant, now):
    set_rules(session, merchant, blacklist={"devices": ["d-x"], "action": "hold"})
    group = make_group(session, merchant, now=now)
    member = make_member(session, merchant, now=now)
    outcome = join(session, merchant, group.id, member, now, device="d-x", channel="kol")
    assert outcome.decision == "hold"
    join_requests.approve(session, merchant, outcome.join_request_id, now=now, actor="运营")
    stays, _ = service.current_members(session, merchant, group.id)
    assert [s.channel for s in stays] == ["kol"]
