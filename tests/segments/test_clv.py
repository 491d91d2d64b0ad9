"""CLV data preparation: purchase days in Beijing time, frequency, recency and T."""

from __future__ import annotations

from datetime import date

import pytest

from siyu.core.clock import parse_datetime
from siyu.segments.bgnbd import BgNbdParams, expected_purchases, probability_alive
from siyu.segments.clv import PurchaseSummary, predict, summarise
from siyu.segments.tables import Order

END = date(2026, 2, 28)


def orders(*rows: tuple[str, str]) -> list[Order]:
    return [Order(m, f"o{i}", parse_datetime(at), 100) for i, (m, at) in enumerate(rows)]


def test_orders_on_one_beijing_day_are_one_purchase():
    rows = orders(("m", "2026-01-04T16:00:00Z"),  # 01-05 00:00 Beijing
                  ("m", "2026-01-05T01:00:00+08:00"),
                  ("m", "2026-01-05T15:59:59Z"),  # 01-05 23:59:59 Beijing
                  ("m", "2026-01-12"),
                  ("m", "2026-01-26T10:00:00"))
    assert summarise(rows, END, "day") == [PurchaseSummary("m", 2, 21.0, 54.0)]
    assert summarise(rows, END, "week") == [PurchaseSummary("m", 2, 3.0, 54 / 7)]


def test_a_purchase_one_second_before_midnight_is_the_previous_day():
    rows = orders(("m", "2026-01-04T15:59:59Z"), ("m", "2026-01-05T00:00:00+08:00"))
    assert summarise(rows, END, "day") == [PurchaseSummary("m", 1, 1.0, 55.0)]


def test_orders_after_calibration_end_are_not_seen():
    rows = orders(("a", "2026-02-28T23:59:59+08:00"), ("a", "2026-03-01T00:00:00+08:00"),
                  ("b", "2026-03-02"), ("c", "2026-02-20"), ("c", "2026-02-28T16:00:00Z"))
    assert summarise(rows, END, "day") == [PurchaseSummary("a", 0, 0.0, 0.0),
                                           PurchaseSummary("c", 0, 0.0, 8.0)]


def test_members_are_sorted_and_unknown_units_refused():
    rows = orders(("z", "2026-01-01"), ("b", "2026-01-02"))
    assert [s.member_id for s in summarise(rows, END)] == ["b", "z"]
    with pytest.raises(ValueError):
        summarise(rows, END, "month")


def test_predict_converts_days_to_the_unit():
    params = BgNbdParams(0.5, 3.0, 0.8, 2.5)
    rows = [PurchaseSummary("m", 3, 4.0, 6.0), PurchaseSummary("n", 0, 0.0, 2.0)]
    got = predict(params, rows, 14, "week")
    assert got[0].expected_purchases == pytest.approx(
        expected_purchases(params, 2.0, [3], [4.0], [6.0])[0], rel=1e-12)
    assert got[0].probability_alive == pytest.approx(
        probability_alive(params, [3], [4.0], [6.0])[0], rel=1e-12)
    assert got[1].probability_alive == 1.0
    assert predict(params, [], 14) == []
