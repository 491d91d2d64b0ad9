"""The New-Year campaign timeline (seed 003): warm-up (预热), burst (爆发), tail (返场).

Pure: dates in, multipliers and times out; randomness comes from the caller's
`random.Random`. Days are Beijing calendar days; times come out as aware UTC.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from itertools import accumulate

from siyu.core.clock import BEIJING, as_utc, beijing_date

PHASES = ("warmup", "burst", "tail")

# Relative traffic by hour of day in Beijing time: a morning climb, a lunch bump and
# the evening peak (20:00–22:00) when people browse and chat in groups.
HOUR_WEIGHTS = (1.2, 0.6, 0.3, 0.2, 0.2, 0.3, 0.8, 2.0, 3.2, 3.6, 4.2, 4.0,
                4.6, 3.8, 3.2, 3.6, 3.4, 3.6, 4.2, 5.4, 7.2, 7.6, 5.6, 3.0)
_HOUR_CUM = list(accumulate(HOUR_WEIGHTS))
_HOURS = list(range(24))


@dataclass(frozen=True)
class Timeline:
    """Campaign days: `warmup_days` from `start`, then `burst_days`, then `tail_days`."""

    start: date
    warmup_days: int = 10
    burst_days: int = 7
    tail_days: int = 4

    @property
    def length(self) -> int:
        return self.warmup_days + self.burst_days + self.tail_days

    @property
    def end(self) -> date:
        return self.start + timedelta(days=self.length - 1)

    def days(self) -> list[date]:
        return [self.start + timedelta(days=i) for i in range(self.length)]

    def phase_of(self, d: date) -> str | None:
        i = (d - self.start).days
        if i < 0 or i >= self.length:
            return None
        if i < self.warmup_days:
            return "warmup"
        if i < self.warmup_days + self.burst_days:
            return "burst"
        return "tail"

    def phases(self) -> dict[str, tuple[date, date]]:
        """First and last day of each phase."""
        w, b = self.warmup_days, self.burst_days
        s = self.start
        return {"warmup": (s, s + timedelta(days=w - 1)),
                "burst": (s + timedelta(days=w), s + timedelta(days=w + b - 1)),
                "tail": (s + timedelta(days=w + b), self.end)}

    def traffic(self, d: date) -> float:
        """Relative traffic of a day: warm-up climbs 0.55→1.0, burst peaks near 2.2 at
        60% of its length, tail fades 1.0→0.55; weekends a little busier."""
        phase = self.phase_of(d)
        if phase is None:
            return 0.35
        i = (d - self.start).days
        if phase == "warmup":
            x = 0.55 + 0.45 * i / max(1, self.warmup_days - 1)
        elif phase == "burst":
            j = i - self.warmup_days
            peak = round(0.6 * (self.burst_days - 1))
            span = max(peak, self.burst_days - 1 - peak, 1)
            x = 1.4 + 0.8 * (1 - abs(j - peak) / span)
        else:
            k = i - self.warmup_days - self.burst_days
            x = 1.0 - 0.45 * k / max(1, self.tail_days - 1)
        return x * (1.1 if d.weekday() >= 5 else 1.0)

    def start_at(self) -> datetime:
        return day_start(self.start)

    def end_at(self) -> datetime:
        return day_start(self.end + timedelta(days=1))


def day_start(d: date) -> datetime:
    """00:00 Beijing time of `d`, as aware UTC."""
    return as_utc(datetime.combine(d, time(0), tzinfo=BEIJING))


def live_timeline(now: datetime, *, burst_day: int = 5, **lengths: int) -> Timeline:
    """A timeline placed so that `now` falls on day `burst_day` (1-based) of the burst."""
    warmup = lengths.get("warmup_days", 10)
    start = beijing_date(now) - timedelta(days=warmup + burst_day - 1)
    return Timeline(start=start, **lengths)


def random_time(rng: random.Random, d: date, *, after: datetime | None = None) -> datetime:
    """A moment of Beijing day `d` drawn from the hour-of-day profile; when `after` falls
    inside the day, uniformly between `after` and midnight instead."""
    start = day_start(d)
    if after is not None and after > start:
        end = start + timedelta(days=1)
        if after >= end:
            return after
        return after + timedelta(seconds=rng.random() * (end - after).total_seconds())
    hour = rng.choices(_HOURS, cum_weights=_HOUR_CUM)[0]
    return start + timedelta(hours=hour, seconds=rng.randrange(3600))


def random_moment(rng: random.Random, lo: datetime, hi: datetime) -> datetime:
    """Uniform moment in [lo, hi)."""
    if hi <= lo:
        return lo
    return lo + timedelta(seconds=rng.random() * (hi - lo).total_seconds())
