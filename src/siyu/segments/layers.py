"""The seed's user layers (用户分层, SPEC F): high value, potential, new, low activity.

Pure: members, orders and events in, one layer per member out; `asof` is passed in.

"The N days up to asof" means the timestamps t with asof − N days < t ≤ asof end of
day, in Beijing time. Reading: both ends are taken at the end of a Beijing day, so the
window is exactly N Beijing calendar days, [00:00 of asof − N + 1, 24:00 of asof): for
asof 2026-02-19 and N = 30, an order at 2026-01-20T23:59:59+08:00 is out and one at
2026-01-21T00:00:00+08:00 is in.

Everything is judged as of the end of `asof`: orders and events after it do not exist
yet ("no order ever", the average order amount and "at least one order" all count only
orders up to the end of asof). "Registered ≥ 30 days before asof" means the member's
Beijing registration date is at least 30 days before asof, i.e. registered before the
30-day window. Averages compare exactly (total ≥ threshold × count), never rounded.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from siyu.core.clock import BEIJING, as_utc, beijing_date
from siyu.segments.tables import Event, Member, Order

LAYERS = ("high_value", "potential", "new", "low_activity", "other")


@dataclass(frozen=True)
class LayerRules:
    """Thresholds of the layers (merchant settings); the defaults are the seed's."""

    high_value_min_spend: int = 50000  # fen, total paid in the window
    high_value_min_orders: int = 2
    high_value_days: int = 30
    potential_quiet_days: int = 60  # no order in this window
    potential_min_average: int = 30000  # fen, average order amount over all orders
    low_activity_registered_days: int = 30
    low_activity_max_events: int = 3  # fewer than this many events in the window
    low_activity_days: int = 30

    def __post_init__(self) -> None:
        for name in ("high_value_days", "potential_quiet_days", "low_activity_days"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1 day")
        for name in ("high_value_min_spend", "high_value_min_orders", "potential_min_average",
                     "low_activity_registered_days", "low_activity_max_events"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must not be negative")


def asof_end(asof: date) -> datetime:
    """The end of `asof` in Beijing time: the first instant of the next day (exclusive), UTC."""
    return as_utc(datetime.combine(asof + timedelta(days=1), time(0), tzinfo=BEIJING))


def window_start(asof: date, days: int) -> datetime:
    """The first instant (inclusive) of "the `days` days up to asof", UTC."""
    return asof_end(asof) - timedelta(days=days)


@dataclass
class _Tally:
    orders: int = 0
    spend: int = 0
    hv_orders: int = 0
    hv_spend: int = 0
    quiet_window_orders: int = 0
    events: int = 0


def layers(members: Iterable[Member], orders: Iterable[Order], events: Iterable[Event],
           asof: date, rules: LayerRules | None = None) -> dict[str, str]:
    """{member_id: layer} for every member, in the members' order; the first layer that
    holds in the order high_value, potential, new, low_activity, other."""
    rules = rules or LayerRules()
    end = asof_end(asof)
    hv_from = window_start(asof, rules.high_value_days)
    quiet_from = window_start(asof, rules.potential_quiet_days)
    events_from = window_start(asof, rules.low_activity_days)
    members = list(members)
    tally = {m.member_id: _Tally() for m in members}
    for o in orders:
        t = o.paid_at
        if t >= end:
            continue
        s = _of(tally, o.member_id)
        s.orders += 1
        s.spend += o.amount
        if t >= hv_from:
            s.hv_orders += 1
            s.hv_spend += o.amount
        if t >= quiet_from:
            s.quiet_window_orders += 1
    for e in events:
        if events_from <= e.at < end:
            _of(tally, e.member_id).events += 1
    out: dict[str, str] = {}
    for m in members:
        out[m.member_id] = _layer(tally[m.member_id], beijing_date(m.registered_at), asof, rules)
    return out


def _of(tally: dict[str, _Tally], member_id: str) -> _Tally:
    try:
        return tally[member_id]
    except KeyError:
        raise ValueError(f"member {member_id!r} is not among the members") from None


def _layer(s: _Tally, registered: date, asof: date, rules: LayerRules) -> str:
    if s.hv_spend >= rules.high_value_min_spend and s.hv_orders >= rules.high_value_min_orders:
        return "high_value"
    if (s.quiet_window_orders == 0 and s.orders >= 1
            and s.spend >= rules.potential_min_average * s.orders):
        return "potential"
    if s.orders == 0:
        return "new"
    if ((asof - registered).days >= rules.low_activity_registered_days
            and s.events < rules.low_activity_max_events):
        return "low_activity"
    return "other"
