"""RFM (最近一次消费 / 消费频率 / 消费金额): scores by quintile and the classic segments.

Pure: orders in, rows out; `asof` is passed in.

Reading of the contract (section 4):
- Only orders paid up to the end of `asof` (Beijing time) count: the analysis is as of
  that day, so later orders are left out (the caller may say so).
- recency_days = asof − the Beijing date of the member's last paid_at, in whole days.
- frequency = number of orders; monetary = their total, in fen (printed as yuan).

Quintile scores (1–5, 5 best) with equal values sharing a score: line the members up
from worst to best (recency: larger is worse; frequency and monetary: smaller is
worse). A group of `eq` members with an equal value, preceded by `worse` members,
spans the positions (worse, worse + eq] out of n; its score is the quintile holding the
middle of that span, i.e. the mid-rank percentile p = (worse + eq / 2) / n and
score = ceil(5 p), computed in exact integer arithmetic. Distinct values over 5 members
give 1..5; over 10 members 1,1,2,2,…,5,5; when everybody is equal, everybody gets 3.

Segments: the widely published R × FM segment grid (the "RFM segment map" regex
table on recency and frequency scores, with the 11-name version that adds `lost`),
where FM = the average of f_score and m_score rounded half up, (f + m + 1) // 2:

    r \\ fm   1               2                3                4      5
    5        new             potential_loyal  potential_loyal  champions  champions
    4        promising       potential_loyal  potential_loyal  loyal      loyal
    3        about_to_sleep  about_to_sleep   need_attention   loyal      loyal
    2        hibernating     hibernating      at_risk          at_risk    cannot_lose
    1        lost            hibernating      at_risk          at_risk    cannot_lose
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from siyu.core.clock import beijing_date
from siyu.segments.tables import Order

SEGMENTS = (
    "champions", "loyal", "potential_loyal", "new", "promising", "need_attention",
    "about_to_sleep", "at_risk", "cannot_lose", "hibernating", "lost",
)

_GRID: dict[int, tuple[str, str, str, str, str]] = {
    5: ("new", "potential_loyal", "potential_loyal", "champions", "champions"),
    4: ("promising", "potential_loyal", "potential_loyal", "loyal", "loyal"),
    3: ("about_to_sleep", "about_to_sleep", "need_attention", "loyal", "loyal"),
    2: ("hibernating", "hibernating", "at_risk", "at_risk", "cannot_lose"),
    1: ("lost", "hibernating", "at_risk", "at_risk", "cannot_lose"),
}


@dataclass(frozen=True, slots=True)
class RfmRow:
    member_id: str
    recency_days: int
    frequency: int
    monetary: int  # fen
    r_score: int
    f_score: int
    m_score: int
    segment: str


def quintile_scores(values: Sequence[int], *, higher_is_better: bool = True) -> list[int]:
    """Score each value 1–5 by mid-rank quintile (see the module docstring); ties share."""
    n = len(values)
    if n == 0:
        return []
    counts: dict[int, int] = {}
    for v in values:
        counts[v] = counts.get(v, 0) + 1
    score_of: dict[int, int] = {}
    worse = 0
    for v in sorted(counts, reverse=not higher_is_better):  # worst value first
        eq = counts[v]
        # ceil(5 * (worse + eq/2) / n) == ceil(5 * (2*worse + eq) / (2n))
        score_of[v] = -(-5 * (2 * worse + eq) // (2 * n))
        worse += eq
    return [score_of[v] for v in values]


def segment_of(r_score: int, f_score: int, m_score: int) -> str:
    """The segment name of one score triple (grid in the module docstring)."""
    for s in (r_score, f_score, m_score):
        if not 1 <= s <= 5:
            raise ValueError(f"scores must be 1..5, got {(r_score, f_score, m_score)}")
    fm = (f_score + m_score + 1) // 2
    return _GRID[r_score][fm - 1]


def rfm(orders: Iterable[Order], asof: date) -> list[RfmRow]:
    """One row per member with an order paid on or before `asof`, sorted by member_id."""
    last: dict[str, date] = {}
    freq: dict[str, int] = {}
    total: dict[str, int] = {}
    for o in orders:
        day = beijing_date(o.paid_at)
        if day > asof:
            continue
        m = o.member_id
        if m not in last or day > last[m]:
            last[m] = day
        freq[m] = freq.get(m, 0) + 1
        total[m] = total.get(m, 0) + o.amount
    members = sorted(last)
    recency = [(asof - last[m]).days for m in members]
    frequency = [freq[m] for m in members]
    monetary = [total[m] for m in members]
    r = quintile_scores(recency, higher_is_better=False)
    f = quintile_scores(frequency)
    mo = quintile_scores(monetary)
    return [
        RfmRow(m, recency[i], frequency[i], monetary[i], r[i], f[i], mo[i],
               segment_of(r[i], f[i], mo[i]))
        for i, m in enumerate(members)
    ]


def count_after(orders: Iterable[Order], asof: date) -> int:
    """How many orders were paid after `asof` (Beijing date), i.e. left out."""
    return sum(1 for o in orders if beijing_date(o.paid_at) > asof)
