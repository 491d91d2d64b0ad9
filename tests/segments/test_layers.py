"""The seed's user layers: windows at Beijing-day edges, precedence, thresholds."""

from __future__ import annotations

from datetime import date, datetime

from siyu.core.clock import BEIJING, parse_datetime
from siyu.core.money import parse_yuan
from siyu.segments.layers import LayerRules, asof_end, layers, window_start
from siyu.segments.tables import Event, Member, Order

ASOF = date(2026, 2, 19)
LONG_AGO = "2025-01-01"


def member(mid: str, registered: str = LONG_AGO) -> Member:
    return Member(mid, parse_datetime(registered))


def orders_of(mid: str, *pairs: tuple[str, str]) -> list[Order]:
    return [Order(mid, f"{mid}-{i}", parse_datetime(at), parse_yuan(amount))
            for i, (at, amount) in enumerate(pairs)]


def events_of(mid: str, *ats: str) -> list[Event]:
    return [Event(mid, "view", parse_datetime(at)) for at in ats]


def layer(orders=(), events=(), registered=LONG_AGO, rules=None) -> str:
    return layers([member("m", registered)], list(orders), list(events), ASOF, rules)["m"]


def test_window_is_n_beijing_days_ending_with_asof():
    assert asof_end(ASOF) == datetime(2026, 2, 20, tzinfo=BEIJING)
    assert window_start(ASOF, 30) == datetime(2026, 1, 21, tzinfo=BEIJING)
    assert window_start(ASOF, 60) == datetime(2025, 12, 22, tzinfo=BEIJING)


def test_high_value_counts_orders_from_the_first_second_of_the_window():
    orders = orders_of("m", ("2026-01-21T00:00:00+08:00", "300.00"),
                       ("2026-02-19T23:59:59+08:00", "200.00"))
    assert layer(orders) == "high_value"


def test_an_order_one_second_before_the_window_does_not_count():
    orders = orders_of("m", ("2026-01-20T23:59:59+08:00", "300.00"),
                       ("2026-02-19T23:59:59+08:00", "200.00"))
    assert layer(orders, registered="2026-02-01") == "other"


def test_utc_offsets_are_read_in_beijing_time():
    orders = orders_of("m", ("2026-01-20T16:00:00Z", "250.00"),  # 01-21 00:00 Beijing
                       ("2026-02-19T15:59:59Z", "250.00"))  # 02-19 23:59:59 Beijing
    assert layer(orders) == "high_value"
    early = orders_of("m", ("2026-01-20T15:59:59Z", "250.00"),  # 01-20 23:59:59 Beijing
                      ("2026-02-19T15:59:59Z", "250.00"))
    assert layer(early, events_of("m", "2026-02-01", "2026-02-02", "2026-02-03")) == "other"


def test_orders_after_asof_do_not_exist_yet():
    orders = orders_of("m", ("2026-02-19T16:00:00Z", "300.00"),  # 02-20 00:00 Beijing
                       ("2026-02-10", "300.00"))
    assert layer(orders, registered="2026-02-01") == "other"
    assert layer(orders_of("m", ("2026-02-20", "900.00"))) == "new"


def test_high_value_needs_both_spend_and_two_orders():
    assert layer(orders_of("m", ("2026-02-10", "499.99"), ("2026-02-11", "0.01"))) == "high_value"
    assert layer(orders_of("m", ("2026-02-10", "499.98"), ("2026-02-11", "0.01")),
                 registered="2026-02-01") == "other"
    assert layer(orders_of("m", ("2026-02-10", "900.00")), registered="2026-02-01") == "other"


def test_potential_is_quiet_for_sixty_days_with_a_high_average():
    orders = orders_of("m", ("2025-12-21T23:59:59+08:00", "300.00"), ("2025-06-01", "300.00"))
    assert layer(orders) == "potential"


def test_an_order_on_the_first_day_of_the_sixty_breaks_potential():
    orders = orders_of("m", ("2025-12-22T00:00:00+08:00", "300.00"), ("2025-06-01", "300.00"))
    assert layer(orders, events_of("m", "2026-02-01", "2026-02-02", "2026-02-03")) == "other"


def test_potential_average_is_exact_not_rounded():
    orders = orders_of("m", ("2025-11-01", "299.99"), ("2025-10-01", "300.00"))  # avg 299.995
    assert layer(orders) == "low_activity"


def test_no_order_ever_is_new_even_when_inactive():
    assert layer() == "new"


def test_low_activity_needs_thirty_days_since_registration():
    orders = orders_of("m", ("2026-02-10", "10.00"))
    assert layer(orders, registered="2026-01-20T23:59:59+08:00") == "low_activity"
    assert layer(orders, registered="2026-01-21T00:00:00+08:00") == "other"


def test_low_activity_counts_events_in_the_window_only():
    orders = orders_of("m", ("2026-02-10", "10.00"))
    two_in = events_of("m", "2026-01-20T23:59:59+08:00", "2026-01-21T00:00:00+08:00",
                       "2026-02-19T23:59:59+08:00", "2026-02-20T00:00:00+08:00")
    assert layer(orders, two_in) == "low_activity"
    three_in = events_of("m", "2026-01-21", "2026-02-01", "2026-02-19T23:00:00+08:00")
    assert layer(orders, three_in) == "other"


def test_high_value_comes_before_low_activity():
    orders = orders_of("m", ("2026-02-10", "300.00"), ("2026-02-11", "300.00"))
    assert layer(orders) == "high_value"


def test_thresholds_are_settings():
    rules = LayerRules(high_value_min_spend=10000, high_value_min_orders=1, high_value_days=7)
    assert layer(orders_of("m", ("2026-02-13", "100.00")), rules=rules) == "high_value"
    assert layer(orders_of("m", ("2026-02-12T23:59:59+08:00", "100.00")), rules=rules,
                 registered="2026-02-01") == "other"
    cheap = LayerRules(potential_min_average=5000, potential_quiet_days=10)
    assert layer(orders_of("m", ("2026-02-09", "50.00")), rules=cheap) == "potential"
    loose = LayerRules(low_activity_registered_days=0, low_activity_max_events=1)
    assert layer(orders_of("m", ("2026-02-10", "1.00")), registered="2026-02-19",
                 rules=loose) == "low_activity"


def test_every_member_gets_a_layer_in_file_order():
    members = [member("z"), member("a", "2026-02-18"), member("k")]
    orders = orders_of("k", ("2026-02-10", "600.00"), ("2026-02-11", "1.00"))
    assert list(layers(members, orders, [], ASOF).items()) == [
        ("z", "new"), ("a", "new"), ("k", "high_value")]


def test_no_members_no_layers():
    assert layers([], [], [], ASOF) == {}
