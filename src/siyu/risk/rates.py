"""Dispute rate and complaint rate per group and per campaign (纠纷率, 投诉率), pure.

From event facts in a period:
- orders: the distinct orders paid (`pay` events) — the denominator of both rates;
- disputes: the distinct orders among them the customer disputed — a `refund` the
  customer asked for, or a `complaint` naming the order (交易纠纷率, seed 000: below
  3%). A refund the merchant made itself (a risk-control intercept or refund, 风控拦截)
  is not a dispute: it is counted apart as `merchant_refunds`;
- complained orders: the distinct orders among them a `complaint` names (投诉率, seed
  002: above 5% in 24 h calls for a compensation plan);
- complaints: every `complaint` event, and `complaints_unlinked` those naming no order
  paid in the period — shown, never in a rate, so neither rate can pass 100%.
A refund or complaint naming an order counts where the order was paid (its group, its
campaign); one naming no order counts where it happened. The campaign is a free-text
tag (`payload["campaign"]`), `None` when untagged.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

# What each figure of a row is, for people reading the report.
BASIS = {
    "orders": "期间内已支付的订单数 (去重), 两个比率的分母",
    "dispute_rate": "有纠纷的订单数 / 已支付订单数: 顾客申请的退款或点名该订单的投诉; "
                    "商户自己的风控拦截/退款不计入",
    "complaint_rate": "被投诉的订单数 (去重) / 已支付订单数; 未关联本期订单的投诉只计入 "
                      "complaints_unlinked, 不计入比率",
}


@dataclass(frozen=True, slots=True)
class RateFact:
    kind: str  # pay / refund / complaint
    order_id: int | None
    group_id: int | None
    campaign: str | None
    by_merchant: bool = False  # a refund the merchant made itself (risk control)


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
    complained_orders: int = 0
    complaints_unlinked: int = 0
    merchant_refunds: int = 0
    name: str | None = None  # the group's name (by group)

    def to_dict(self, by: str) -> dict:
        def pct(d: Decimal | None) -> str | None:
            return None if d is None else f"{d:.2f}"

        head: dict = {by: self.key}
        if by == "group":
            head["group_name"] = self.name
        return {**head, "orders": self.orders, "disputes": self.disputes,
                "complaints": self.complaints, "dispute_rate": pct(self.dispute_rate),
                "complaint_rate": pct(self.complaint_rate), "dispute_over": self.dispute_over,
                "complaint_over": self.complaint_over,
                "complained_orders": self.complained_orders,
                "complaints_unlinked": self.complaints_unlinked,
                "merchant_refunds": self.merchant_refunds}


def _percent(part: int, whole: int) -> Decimal | None:
    if whole == 0:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.01"), ROUND_HALF_UP)


def rates(facts: Iterable[RateFact], by: str, *, max_dispute: Decimal = Decimal(3),
          max_complaint: Decimal = Decimal(5),
          names: dict[int, str] | None = None) -> list[RateRow]:
    """One row per group (`by="group"`) or campaign (`by="campaign"`), most orders first.
    `names`: group names by id, shown next to the id."""
    if by not in ("group", "campaign"):
        raise ValueError("by must be group or campaign")
    facts = list(facts)
    names = names or {}

    def key_of(f: RateFact):
        return f.group_id if by == "group" else f.campaign

    home: dict[int, object] = {}
    for f in facts:
        if f.kind == "pay" and f.order_id is not None and f.order_id not in home:
            home[f.order_id] = key_of(f)
    orders: dict[object, set[int]] = defaultdict(set)
    disputes: dict[object, set[int]] = defaultdict(set)
    complained: dict[object, set[int]] = defaultdict(set)
    complaints: dict[object, int] = defaultdict(int)
    unlinked: dict[object, int] = defaultdict(int)
    merchant_refunds: dict[object, set[int]] = defaultdict(set)
    for order_id, key in home.items():
        orders[key].add(order_id)
    for f in facts:
        if f.kind not in ("refund", "complaint"):
            continue
        paid_here = f.order_id is not None and f.order_id in home
        key = home[f.order_id] if paid_here else key_of(f)
        if f.kind == "refund":
            if paid_here and f.by_merchant:
                merchant_refunds[key].add(f.order_id)
            elif paid_here:
                disputes[key].add(f.order_id)
            continue
        complaints[key] += 1
        if paid_here:
            disputes[key].add(f.order_id)
            complained[key].add(f.order_id)
        else:
            unlinked[key] += 1
    out = []
    for key in set(orders) | set(disputes) | set(complaints) | set(merchant_refunds):
        n, d, c = len(orders[key]), len(disputes[key]), complaints[key]
        dr, cr = _percent(d, n), _percent(len(complained[key]), n)
        out.append(RateRow(key, n, d, c, dr, cr, dr is not None and dr >= max_dispute,
                           cr is not None and cr > max_complaint, len(complained[key]),
                           unlinked[key], len(merchant_refunds[key]),
                           names.get(key) if isinstance(key, int) else None))
    out.sort(key=lambda r: (-r.orders, str(r.key)))
    return out
