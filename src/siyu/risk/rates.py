"""Dispute rate and complaint rate per group and per campaign (纠纷率, 投诉率), pure.

From event facts in a period:
- orders: the distinct orders paid (`pay` events) — the denominator;
- disputes: the distinct orders among them with a `refund`, or a `complaint` that
  names the order (交易纠纷率, seed 000: below 3%);
- complaints: `complaint` events (投诉率, seed 002: above 5% in 24 h calls for a
  compensation plan).
A refund or complaint naming an order counts where the order was paid (its group, its
campaign); one naming no order counts where it happened. The campaign is a free-text
tag (`payload["campaign"]`), `None` when untagged.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal


@dataclass(frozen=True, slots=True)
class RateFact:
    kind: str  # pay / refund / complaint
    order_id: int | None
    group_id: int | None
    campaign: str | None


@dataclass(frozen=True, slots=True)
class RateRow:
    key: int | str | None
    orders: int
    disputes: int
    complaints: int
    dispute_rate: Decimal | None  # percent, two decimals; None without orders
    complaint_rate: Decimal | None
    dispute_over: bool
    complaint_over: bool

    def to_dict(self, by: str) -> dict:
        def pct(d: Decimal | None) -> str | None:
            return None if d is None else f"{d:.2f}"

        return {by: self.key, "orders": self.orders, "disputes": self.disputes,
                "complaints": self.complaints, "dispute_rate": pct(self.dispute_rate),
                "complaint_rate": pct(self.complaint_rate), "dispute_over": self.dispute_over,
                "complaint_over": self.complaint_over}


def _percent(part: int, whole: int) -> Decimal | None:
    if whole == 0:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.01"), ROUND_HALF_UP)


def rates(facts: Iterable[RateFact], by: str, *, max_dispute: Decimal = Decimal(3),
          max_complaint: Decimal = Decimal(5)) -> list[RateRow]:
    """One row per group (`by="group"`) or campaign (`by="campaign"`), most orders first."""
    if by not in ("group", "campaign"):
        raise ValueError("by must be group or campaign")
    facts = list(facts)

    def key_of(f: RateFact):
        return f.group_id if by == "group" else f.campaign

    home: dict[int, object] = {}
    for f in facts:
        if f.kind == "pay" and f.order_id is not None and f.order_id not in home:
            home[f.order_id] = key_of(f)
    orders: dict[object, set[int]] = defaultdict(set)
    disputes: dict[object, set[int]] = defaultdict(set)
    complaints: dict[object, int] = defaultdict(int)
    for order_id, key in home.items():
        orders[key].add(order_id)
    for f in facts:
        if f.kind not in ("refund", "complaint"):
            continue
        paid_here = f.order_id is not None and f.order_id in home
        key = home[f.order_id] if paid_here else key_of(f)
        if paid_here:
            disputes[key].add(f.order_id)
        if f.kind == "complaint":
            complaints[key] += 1
    out = []
    for key in set(orders) | set(disputes) | set(complaints):
        n, d, c = len(orders[key]), len(disputes[key]), complaints[key]
        dr, cr = _percent(d, n), _percent(c, n)
        out.append(RateRow(key, n, d, c, dr, cr, dr is not None and dr >= max_dispute,
                           cr is not None and cr > max_complaint))
    out.sort(key=lambda r: (-r.orders, str(r.key)))
    return out
