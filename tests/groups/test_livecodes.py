"""Live codes (活码) on SQLite and PostgreSQL: routing, overflow, attribution, review."""

from __future__ import annotations

from datetime import timedelta

import pytest

from siyu.events import service as events
from siyu.groups import join_requests, livecodes, service
from siyu.groups.errors import AlreadyInGroup, LiveCodeNotFound
from siyu.groups.schemas import EntryReviewRulesIn
from tests.groups.factories import make_code, make_member


def scan(session, merchant, code, member, now, **kw):
    return livecodes.join_by_code(session, merchant, code.code, member, now=now, actor="test",
                                  **kw)


def pool_of(session, merchant, code):
    return livecodes.to_out(session, merchant, [code])[0].groups


def test_creating_a_code_opens_the_first_group_of_its_pool(session, merchant, now):
    code = make_code(session, merchant, now=now, capacity=3)
    assert len(code.code) == 10
    [group] = pool_of(session, merchant, code)
    assert (group.name, group.pool_position, group.capacity, group.member_count) == (
        "年货囤货群1", 1, 3, 0)
    assert service.get_group(session, merchant, group.id).kind == "stock_up"


def test_seven_joiners_at_capacity_three_fill_three_groups(session, merchant, now):
    code = make_code(session, merchant, now=now, capacity=3)
    for i in range(7):
        outcome = scan(session, merchant, code, make_member(session, merchant, now=now),
                       now + timedelta(minutes=i))
        assert outcome.decision == "admit"
    groups = pool_of(session, merchant, code)
    assert [(g.name, g.pool_position, g.member_count) for g in groups] == [
        ("年货囤货群1", 1, 3), ("年货囤货群2", 2, 3), ("年货囤货群3", 3, 1)]
    session.refresh(code)
    assert code.joins == 7


def test_the_join_is_attributed_to_the_codes_channel(session, merchant, now):
    code = make_code(session, merchant, now=now, channel="kol")
    member = make_member(session, merchant, now=now)
    outcome = scan(session, merchant, code, member, now)
    assert outcome.channel == "kol" and outcome.live_code_id == code.id
    [stay], _ = service.history(session, merchant, member)
    assert (stay.channel, stay.live_code_id) == ("kol", code.id)
    [event] = events.list_events(session, merchant, kind="join", member_id=member)
    assert event.payload["channel"] == "kol" and event.payload["live_code_id"] == code.id


def test_a_member_already_in_the_pool_is_409(session, merchant, now):
    code = make_code(session, merchant, now=now, capacity=1)
    member = make_member(session, merchant, now=now)
    scan(session, merchant, code, member, now)
    scan(session, merchant, code, make_member(session, merchant, now=now), now)
    with pytest.raises(AlreadyInGroup):
        scan(session, merchant, code, member, now)
    assert len(pool_of(session, merchant, code)) == 2


def test_a_freed_seat_in_an_earlier_group_is_filled_first(session, merchant, now):
    code = make_code(session, merchant, now=now, capacity=2)
    joiners = [make_member(session, merchant, now=now) for _ in range(3)]
    outcomes = [scan(session, merchant, code, m, now) for m in joiners]
    first_group = outcomes[0].group_id
    service.leave(session, merchant, first_group, joiners[0], now=now, actor="test")
    outcome = scan(session, merchant, code, make_member(session, merchant, now=now), now)
    assert outcome.group_id == first_group
    assert len(pool_of(session, merchant, code)) == 2


def test_archived_pool_groups_are_skipped(session, merchant, now):
    code = make_code(session, merchant, now=now, capacity=5)
    [first] = pool_of(session, merchant, code)
    service.archive_group(session, merchant, first.id, actor="test")
    outcome = scan(session, merchant, code, make_member(session, merchant, now=now), now)
    groups = pool_of(session, merchant, code)
    assert outcome.group_id == groups[1].id and groups[1].pool_position == 2


def test_a_held_scan_waits_without_a_group_and_is_routed_on_approval(session, merchant, now):
    service.set_rules(session, merchant, EntryReviewRulesIn.model_validate(
        {"device": {"max_joins": 1, "window_hours": 24}}), actor="test")
    code = make_code(session, merchant, now=now, capacity=1, channel="share_link")
    scan(session, merchant, code, make_member(session, merchant, now=now), now, device="d1")
    held = scan(session, merchant, code, make_member(session, merchant, now=now), now,
                device="d1")
    assert held.decision == "hold" and held.group_id is None
    request = join_requests.get(session, merchant, held.join_request_id)
    assert (request.group_id, request.live_code_id, request.status) == (None, code.id, "pending")
    approved = join_requests.approve(session, merchant, request.id, now=now, actor="运营")
    # The only group is full: approval opened the second group of the pool.
    groups = pool_of(session, merchant, code)
    assert approved.group_id == groups[1].id and approved.channel == "share_link"
    assert join_requests.get(session, merchant, request.id).group_id == groups[1].id
    session.refresh(code)
    assert code.joins == 2


def test_another_merchants_code_is_not_found(session, merchant, other_merchant, now):
    code = make_code(session, other_merchant, now=now)
    with pytest.raises(LiveCodeNotFound) as e:
        scan(session, merchant, code, make_member(session, merchant, now=now), now)
    assert e.value.status == 404
    assert pool_of(session, other_merchant, code)[0].member_count == 0


def test_list_codes_shows_joins_and_groups_per_code(session, merchant, other_merchant, now):
    a = make_code(session, merchant, now=now, capacity=2, channel="store_counter")
    make_code(session, merchant, now=now, capacity=2, channel="order_card")
    make_code(session, other_merchant, now=now)
    for _ in range(3):
        scan(session, merchant, a, make_member(session, merchant, now=now), now)
    items, total = livecodes.list_codes(session, merchant)
    assert total == 2
    assert [(c.channel, c.joins, [g.member_count for g in c.groups]) for c in items] == [
        ("store_counter", 3, [2, 1]), ("order_card", 0, [0])]
    only, total = livecodes.list_codes(session, merchant, channel="order_card")
    assert total == 1 and only[0].channel == "order_card"
