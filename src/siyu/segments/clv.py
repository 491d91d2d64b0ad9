"""Customer lifetime value (CLV, 客户终身价值): BG/NBD on the members' purchase days.

Reading of the contract (section 6):
- Only orders whose Beijing date is on or before calibration-end are used.
- Orders on the same Beijing day count as one purchase (purchase day).
- frequency x = purchase days − 1 (repeat purchase days); recency t_x = last purchase
  day − first purchase day; T = calibration-end − first purchase day; both in the unit
  (a day, or a week = 7 days, so weeks may be fractional).
- `--predict DAYS` gives, per member, the expected purchases (purchase days) in the
  DAYS days after calibration-end, and the probability the member is still alive at
  calibration-end.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

import numpy as np

from siyu.core.clock import beijing_date
from siyu.segments import bgnbd
from siyu.segments.tables import Order

UNITS = {"day": 1, "week": 7}
NotComputable = bgnbd.NotComputable  # a horizon the model cannot be summed over


@dataclass(frozen=True, slots=True)
class PurchaseSummary:
    member_id: str
    frequency: int  # repeat purchase days
    recency: float  # in the unit
    T: float  # in the unit


@dataclass(frozen=True, slots=True)
class Prediction:
    member_id: str
    summary: PurchaseSummary
    expected_purchases: float
    probability_alive: float


def unit_days(unit: str) -> int:
    try:
        return UNITS[unit]
    except KeyError:
        raise ValueError(f"unit must be one of {', '.join(UNITS)}") from None


def summarise(orders: Iterable[Order], calibration_end: date,
              unit: str = "week") -> list[PurchaseSummary]:
    """(frequency, recency, T) per member with a purchase up to calibration_end, by member."""
    per_unit = unit_days(unit)
    days: dict[str, set[date]] = {}
    for o in orders:
        day = beijing_date(o.paid_at)
        if day <= calibration_end:
            days.setdefault(o.member_id, set()).add(day)
    out = []
    for member_id in sorted(days):
        first, last = min(days[member_id]), max(days[member_id])
        out.append(PurchaseSummary(
            member_id, len(days[member_id]) - 1, (last - first).days / per_unit,
            (calibration_end - first).days / per_unit,
        ))
    return out


def _arrays(rows: list[PurchaseSummary]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    return (np.array([s.frequency for s in rows], dtype=float),
            np.array([s.recency for s in rows], dtype=float),
            np.array([s.T for s in rows], dtype=float))


def fit(rows: list[PurchaseSummary]) -> bgnbd.BgNbdFit:
    return bgnbd.fit(*_arrays(rows))


def predict(params: bgnbd.BgNbdParams, rows: list[PurchaseSummary], days: int,
            unit: str = "week") -> list[Prediction]:
    """Expected purchase days in the `days` days after calibration-end, and P(alive);
    finite for every fit, or NotComputable (a horizon far too long for the model)."""
    if not rows:
        return []
    x, t_x, T = _arrays(rows)
    horizon = days / unit_days(unit)
    expected = bgnbd.expected_purchases(params, horizon, x, t_x, T)
    alive = bgnbd.probability_alive(params, x, t_x, T)
    return [Prediction(s.member_id, s, float(e), float(p))
            for s, e, p in zip(rows, expected, alive, strict=True)]
