"""RFM: quintile scores, the segment grid and the contract's columns, checked by hand."""

from __future__ import annotations

import math
from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from siyu.core.clock import parse_datetime
from siyu.core.money import parse_yuan
from siyu.segments.rfm import SEGMENTS, quintile_scores, rfm, segment_of
from siyu.segments.tables import Order

ASOF = date(2026, 2, 19)


def order(member: str, oid: str, at: str, amount: str) -> Order:
    return Order(member, oid, parse_datetime(at), parse_yuan(amount))


def test_five_distinct_values_score_one_to_five():
    assert quintile_scores([10, 30, 20, 50, 40]) == [1, 3, 2, 5, 4]


def test_ten_distinct_values_two_per_quintile():
    assert quintile_scores(list(range(10))) == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]


def test_lower_is_better_reverses_the_scale():
    assert quintile_scores([0, 1, 30, 29, 80], higher_is_better=False) == [5, 4, 2, 3, 1]


def test_equal_values_share_the_quintile_of_their_middle_rank():
    # three 1s span positions 1..3 of 5, middle 1.5/5 = 0.3 -> quintile 2
    assert quintile_scores([2, 1, 3, 1, 1]) == [4, 2, 5, 2, 2]


def test_everybody_equal_scores_three():
    assert quintile_scores([7] * 8) == [3] * 8
    assert quintile_scores([7]) == [3]


def test_no_values_no_scores():
    assert quintile_scores([]) == []


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=20), min_size=1, max_size=60))
def test_scores_are_monotone_and_ties_share(values):
    scores = quintile_scores(values)
    assert all(1 <= s <= 5 for s in scores)
    pairs = sorted(zip(values, scores, strict=True))
    for (v1, s1), (v2, s2) in zip(pairs, pairs[1:], strict=False):
        assert s1 <= s2
        if v1 == v2:
            assert s1 == s2


@settings(max_examples=30, deadline=None)
@given(st.integers(min_value=1, max_value=30))
def test_distinct_values_fill_the_quintiles_evenly(k):
    scores = quintile_scores(list(range(5 * k)))
    assert [scores.count(s) for s in range(1, 6)] == [k] * 5


def test_segment_grid_cells():
    assert segment_of(5, 5, 5) == "champions"
    assert segment_of(5, 4, 3) == "champions"  # fm = round(3.5) = 4
    assert segment_of(5, 1, 1) == "new"
    assert segment_of(4, 1, 1) == "promising"
    assert segment_of(4, 3, 2) == "potential_loyal"  # fm = round(2.5) = 3
    assert segment_of(4, 5, 4) == "loyal"
    assert segment_of(3, 3, 3) == "need_attention"
    assert segment_of(3, 1, 2) == "about_to_sleep"
    assert segment_of(2, 3, 4) == "at_risk"
    assert segment_of(1, 5, 5) == "cannot_lose"
    assert segment_of(2, 1, 1) == "hibernating"
    assert segment_of(1, 1, 1) == "lost"
    assert segment_of(1, 2, 1) == "hibernating"  # fm = round(1.5) = 2


def test_every_score_triple_has_one_of_the_eleven_names():
    names = {segment_of(r, f, m) for r in range(1, 6) for f in range(1, 6) for m in range(1, 6)}
    assert names == set(SEGMENTS)
    assert len(SEGMENTS) == 11


def test_rfm_rows_by_hand():
    orders = [
        order("a", "o1", "2026-02-19T23:59:59+08:00", "100.00"),
        order("a", "o2", "2026-01-01", "200"),
        order("b", "o3", "2026-02-19T16:00:00Z", "999.00"),  # 02-20 00:00 Beijing: after asof
        order("b", "o4", "2026-02-18T15:59:59Z", "50.00"),  # 02-18 23:59:59 Beijing
        order("c", "o5", "2026-01-20T23:59:59+08:00", "80.00"),
        order("c", "o6", "2026-01-10", "80.00"),
        order("c", "o7", "2026-01-05T09:00:00", "80.00"),  # naive: Beijing
        order("d", "o8", "2026-01-21T00:00:00+08:00", "1000.00"),
        order("e", "o9", "2025-12-01", "10.00"),
    ]
    rows = rfm(orders, ASOF)
    got = {r.member_id: (r.recency_days, r.frequency, r.monetary, r.r_score, r.f_score,
                         r.m_score, r.segment) for r in rows}
    assert [r.member_id for r in rows] == ["a", "b", "c", "d", "e"]
    # recency a0 b1 c30 d29 e80 -> scores 5 4 2 3 1; frequency 1,1,1 | 2 | 3 -> 2 | 4 | 5
    # monetary e10 b50 c240 a300 d1000 -> 1..5; fm = round-half-up((f + m) / 2)
    assert got == {
        "a": (0, 2, 30000, 5, 4, 4, "champions"),
        "b": (1, 1, 5000, 4, 2, 2, "potential_loyal"),
        "c": (30, 3, 24000, 2, 5, 3, "at_risk"),
        "d": (29, 1, 100000, 3, 2, 5, "loyal"),
        "e": (80, 1, 1000, 1, 2, 1, "hibernating"),
    }
    for r in rows:
        fm = math.floor((r.f_score + r.m_score) / 2 + 0.5)
        assert 1 <= fm <= 5


def test_members_with_only_later_orders_are_left_out():
    rows = rfm([order("z", "o1", "2026-02-20T00:00:00+08:00", "5.00")], ASOF)
    assert rows == []


def test_no_orders_no_rows():
    assert rfm([], ASOF) == []
