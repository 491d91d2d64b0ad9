"""Entry review (入群审核) engine: each rule alone, their combination, and properties."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from siyu.groups.entry_review import (
    ADMIT,
    HOLD,
    REJECT,
    EntryReviewRules,
    JoinFacts,
    Reason,
    review,
)


def rules(**overrides) -> EntryReviewRules:
    return EntryReviewRules.model_validate(overrides)


def test_clean_joiner_is_admitted_with_no_reasons():
    verdict = review(rules(), JoinFacts(member_id=1, phone_hash="h1", device="d1", ip="1.1.1.1"))
    assert verdict.decision == ADMIT
    assert verdict.reasons == ()


@pytest.mark.parametrize("facts, hit", [
    (JoinFacts(member_id=7), "会员 7"),
    (JoinFacts(member_id=1, phone_hash="bad-hash"), "手机号"),
    (JoinFacts(member_id=1, device="farm-1"), "设备 farm-1"),
    (JoinFacts(member_id=1, ip="6.6.6.6"), "IP 6.6.6.6"),
])
def test_blacklist_rejects_each_kind_of_entry(facts, hit):
    r = rules(blacklist={"member_ids": [7], "phone_hashes": ["bad-hash"], "devices": ["farm-1"],
                         "ips": ["6.6.6.6"]})
    verdict = review(r, facts)
    assert verdict.decision == REJECT
    assert verdict.reasons[0].rule == "blacklist"
    assert hit in verdict.reasons[0].message
    assert "黑名单" in verdict.reasons[0].message


def test_blacklist_can_hold_instead_of_reject():
    r = rules(blacklist={"member_ids": [7], "action": "hold"})
    assert review(r, JoinFacts(member_id=7)).decision == HOLD


def test_disabled_blacklist_admits():
    r = rules(blacklist={"member_ids": [7], "enabled": False})
    assert review(r, JoinFacts(member_id=7)).decision == ADMIT


def test_duplicate_phone_holds_by_default_and_names_the_other_member():
    facts = JoinFacts(member_id=2, phone_hash="h", same_phone_members=(5,))
    verdict = review(rules(), facts)
    assert verdict.decision == HOLD
    assert verdict.reasons[0].rule == "duplicate_phone"
    assert "5" in verdict.reasons[0].message and "手机号" in verdict.reasons[0].message


def test_duplicate_phone_can_reject():
    facts = JoinFacts(member_id=2, phone_hash="h", same_phone_members=(5, 6))
    assert review(rules(duplicate_phone={"action": "reject"}), facts).decision == REJECT


def test_no_phone_no_duplicate_finding():
    assert review(rules(), JoinFacts(member_id=2, same_phone_members=(5,))).decision == ADMIT


def test_device_allows_three_joiners_a_day_and_holds_the_fourth():
    # device_joins counts the *other* members: 2 others + this one = 3, still fine.
    assert review(rules(), JoinFacts(member_id=1, device="d", device_joins=2)).decision == ADMIT
    verdict = review(rules(), JoinFacts(member_id=1, device="d", device_joins=3))
    assert verdict.decision == HOLD
    assert verdict.reasons[0].rule == "device"
    assert "设备" in verdict.reasons[0].message and "上限 3" in verdict.reasons[0].message


def test_ip_allows_ten_an_hour_and_holds_the_eleventh():
    assert review(rules(), JoinFacts(member_id=1, ip="a", ip_joins=9)).decision == ADMIT
    verdict = review(rules(), JoinFacts(member_id=1, ip="a", ip_joins=10))
    assert verdict.decision == HOLD
    assert verdict.reasons[0].rule == "ip"
    assert "IP" in verdict.reasons[0].message and "上限 10" in verdict.reasons[0].message


def test_velocity_without_a_device_is_not_checked():
    assert review(rules(), JoinFacts(member_id=1, device=None, device_joins=99)).decision == ADMIT


def test_velocity_limits_and_action_are_the_merchants():
    r = rules(device={"max_joins": 1, "window_hours": 24, "action": "reject"})
    assert review(r, JoinFacts(member_id=1, device="d", device_joins=1)).decision == REJECT


def test_risk_score_is_off_by_default():
    assert review(rules(), JoinFacts(member_id=1, risk_score=99)).decision == ADMIT


@pytest.mark.parametrize("score, decision", [
    (None, ADMIT), (0, ADMIT), (59.9, ADMIT), (60, HOLD), (89, HOLD), (90, REJECT), (100, REJECT),
])
def test_risk_score_thresholds(score, decision):
    r = rules(risk={"enabled": True})
    verdict = review(r, JoinFacts(member_id=1, risk_score=score))
    assert verdict.decision == decision
    if decision != ADMIT:
        assert "风险分" in verdict.reasons[0].message


def test_risk_reject_threshold_below_hold_is_refused():
    with pytest.raises(ValidationError):
        rules(risk={"hold_at": 80, "reject_at": 50})


def test_most_severe_wins_and_every_reason_is_kept():
    r = rules(blacklist={"ips": ["x"]})
    facts = JoinFacts(member_id=1, phone_hash="h", ip="x", device="d", device_joins=5,
                      same_phone_members=(2,))
    verdict = review(r, facts)
    assert verdict.decision == REJECT
    assert [x.rule for x in verdict.reasons] == ["blacklist", "duplicate_phone", "device"]


def test_review_disabled_admits_everyone():
    r = rules(enabled=False, blacklist={"member_ids": [1]})
    assert review(r, JoinFacts(member_id=1)).decision == ADMIT


def test_checks_are_pluggable():
    def no_night_owls(_rules, facts):
        return Reason("custom", HOLD, "自定义规则") if facts.member_id == 13 else None

    verdict = review(rules(), JoinFacts(member_id=13), checks=[no_night_owls])
    assert verdict.decision == HOLD and verdict.reasons[0].rule == "custom"


def test_unknown_rule_field_is_refused():
    with pytest.raises(ValidationError):
        rules(blacklist={"emails": ["x"]})


# ---- properties ---------------------------------------------------------------------

facts_strategy = st.builds(
    JoinFacts,
    member_id=st.integers(1, 50),
    phone_hash=st.sampled_from([None, "h1", "h2"]),
    device=st.sampled_from([None, "d1", "d2"]),
    ip=st.sampled_from([None, "i1", "i2"]),
    risk_score=st.one_of(st.none(), st.floats(0, 100)),
    same_phone_members=st.lists(st.integers(51, 60), max_size=3).map(tuple),
    device_joins=st.integers(0, 20),
    ip_joins=st.integers(0, 40),
)
rules_strategy = st.builds(
    lambda bl_members, dev_max, ip_max, risk_on: rules(
        blacklist={"member_ids": bl_members, "devices": ["d2"]},
        device={"max_joins": dev_max, "window_hours": 24},
        ip={"max_joins": ip_max, "window_hours": 1},
        risk={"enabled": risk_on}),
    st.lists(st.integers(1, 50), max_size=5), st.integers(1, 10), st.integers(1, 20),
    st.booleans())
SEVERITY = {ADMIT: 0, HOLD: 1, REJECT: 2}


@given(rules_strategy, facts_strategy)
def test_decision_is_the_most_severe_reason(r, facts):
    verdict = review(r, facts)
    expected = max((SEVERITY[x.decision] for x in verdict.reasons), default=0)
    assert SEVERITY[verdict.decision] == expected
    assert all(x.message for x in verdict.reasons)
    assert (verdict.decision == ADMIT) == (verdict.reasons == ())


@given(rules_strategy, facts_strategy)
def test_blacklisted_member_is_always_rejected(r, facts):
    r.blacklist.member_ids.append(facts.member_id)
    assert review(r, facts).decision == REJECT


@given(rules_strategy, facts_strategy, st.integers(0, 20))
def test_more_joins_from_a_device_is_never_milder(r, facts, more):
    busier = JoinFacts(**{**facts.__dict__, "device_joins": facts.device_joins + more})
    assert SEVERITY[review(r, busier).decision] >= SEVERITY[review(r, facts).decision]


@given(rules_strategy, facts_strategy)
def test_review_is_deterministic(r, facts):
    assert review(r, facts) == review(r, facts)
