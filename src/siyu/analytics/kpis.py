"""Seed 001's five KPIs with their targets, plus GMV, UV, CVR, AOV, repurchase, dispute
rate, NPS and ROI — per merchant, group or Beijing day — and the GMV decomposition.

Definitions (a range is Beijing days `start`..`end`, both included):
- new_groups: groups created in the range (target: new_groups_per_month × days / 30);
- activity_rate (群活跃, 日均发言人数占比): per day, distinct members who sent a
  `message` in a group / distinct members in a group at the end of that day; the range's
  value is the mean over its days that had members in groups;
- quality_share (优质内容占比): group messages flagged `quality`, or with media, or with
  at least `quality_min_chars` characters of text / all group messages;
- conversion_rate (群内转化率): distinct members with a paid order placed from a group
  (order.group_id set) / distinct members who were in a group at some time in the
  range (per day: that day; per group: that group);
- retention_30d (30 天留存率): of the group stays whose 30-day mark (joined + 30 days)
  falls in the range and before now, the share still in the group at that mark;
- gmv: totals of orders paid in the range (refunded later or not, as the console
  shows); orders, buyers; uv: distinct members with a view, add_to_cart, order or pay
  event; cvr = orders / uv; aov = gmv / orders, so gmv = uv × cvr × aov;
- repurchase_rate: buyers with ≥ 2 paid orders in the bucket / buyers;
- dispute_rate: (orders paid in the range and now refunded + complaint events) / orders;
- nps: review events with a 0–10 `score`: % promoters (9–10) − % detractors (0–6);
- roi = gmv / spend, when a spend is given (total only).
A ratio whose denominator is zero is 0 and listed in `notes`; an empty range answers
zeros with `empty: true`, never an error.
"""

from __future__ import annotations

import math
from datetime import date, datetime

from siyu.analytics.duck import Snapshot, bj_day, day_end, day_start, utc
from siyu.analytics.rules import KpiTargets

SHOP_KINDS = "('view', 'add_to_cart', 'order', 'pay')"
INF = "TIMESTAMP '9999-12-31'"
KPI_NAMES = ("activity_rate", "quality_share", "conversion_rate", "retention_30d")


def _key(by: str, time_col: str, group_col: str) -> str:
    return {"day": bj_day(time_col), "group": group_col}.get(by, "0")


def _collect(snap: Snapshot, sql: str, params: dict, out: dict) -> None:
    for row in snap.rows(sql, params):
        k = row.pop("k")
        if k is None:
            continue
        out.setdefault(k, {}).update({n: (v or 0) for n, v in row.items()})


def raw(snap: Snapshot, start: date, end: date, now: datetime, by: str,
        t: KpiTargets, group_id: int | None = None) -> dict:
    """{bucket: counts} straight from DuckDB; `by` is total, day or group."""
    p = {"lo": day_start(start), "hi": day_end(end), "start": start, "end": end,
         "now": utc(now), "q": t.quality_min_chars, "rd": t.retention_days}
    g_ev = g_ord = g_st = ""
    if group_id is not None:
        p["g"] = group_id
        g_ev, g_ord, g_st = " AND group_id = $g", " AND group_id = $g", " AND s.group_id = $g"
    out: dict = {}
    _collect(snap, f"""
SELECT {_key(by, 'ts', 'group_id')} AS k,
  count(DISTINCT member_id) FILTER (WHERE kind IN {SHOP_KINDS}) AS uv,
  count(*) FILTER (WHERE kind = 'message' AND group_id IS NOT NULL) AS messages,
  count(*) FILTER (WHERE kind = 'message' AND group_id IS NOT NULL AND (quality = 1
    OR has_media = 1 OR text_len >= $q)) AS quality_messages,
  count(*) FILTER (WHERE kind = 'complaint') AS complaints,
  count(*) FILTER (WHERE kind = 'review' AND score BETWEEN 0 AND 10) AS reviews,
  count(*) FILTER (WHERE kind = 'review' AND score >= 9 AND score <= 10) AS promoters,
  count(*) FILTER (WHERE kind = 'review' AND score BETWEEN 0 AND 6) AS detractors
FROM events WHERE ts >= $lo AND ts < $hi{g_ev} GROUP BY ALL""", p, out)
    _collect(snap, f"""
SELECT k, sum(n) AS orders, sum(gmv) AS gmv, count(DISTINCT member_id) AS buyers,
  count(DISTINCT member_id) FILTER (WHERE n >= 2) AS repeat_buyers,
  sum(refunded) AS refunded,
  count(DISTINCT member_id) FILTER (WHERE from_group > 0) AS converters
FROM (SELECT {_key(by, 'paid_at', 'group_id')} AS k, member_id, count(*) AS n,
        sum(total_fen) AS gmv, count(*) FILTER (WHERE status = 'refunded') AS refunded,
        count(*) FILTER (WHERE group_id IS NOT NULL) AS from_group
      FROM orders WHERE paid_at >= $lo AND paid_at < $hi{g_ord} GROUP BY ALL)
GROUP BY k""", p, out)
    # Members in groups per day: stays overlapping the day (any) and open at its end.
    per_day = f"""
SELECT d.day, {'s.group_id' if by == 'group' else '0'} AS k,
  count(DISTINCT s.member_id) AS present_any,
  count(DISTINCT s.member_id) FILTER (WHERE coalesce(s.left_at, {INF}) >= d.hi) AS present_end
FROM (SELECT CAST(x AS DATE) AS day, CAST(x AS TIMESTAMP) - INTERVAL 8 HOUR AS lo,
        CAST(x AS TIMESTAMP) + INTERVAL 16 HOUR AS hi
      FROM generate_series(CAST($start AS TIMESTAMP), CAST($end AS TIMESTAMP),
                           INTERVAL 1 DAY) AS t(x)) d
JOIN memberships s ON s.joined_at < d.hi AND coalesce(s.left_at, {INF}) >= d.lo{g_st}
GROUP BY ALL"""
    speakers = f"""
SELECT {bj_day('ts')} AS day, {'group_id' if by == 'group' else '0'} AS k,
  count(DISTINCT member_id) AS speakers
FROM events WHERE kind = 'message' AND group_id IS NOT NULL AND member_id IS NOT NULL
  AND ts >= $lo AND ts < $hi{g_ev} GROUP BY ALL"""
    rows = snap.rows(f"""
SELECT pd.day, pd.k, pd.present_any, pd.present_end, coalesce(sp.speakers, 0) AS speakers
FROM ({per_day}) pd LEFT JOIN ({speakers}) sp ON sp.day = pd.day AND sp.k = pd.k""", p)
    for r in rows:
        k = r["day"] if by == "day" else r["k"]
        b = out.setdefault(k, {})
        b.setdefault("_days", []).append((r["speakers"], r["present_end"]))
        if by == "day":
            b["in_groups"] = r["present_any"]
    if by != "day":
        _collect(snap, f"""
SELECT {'s.group_id' if by == 'group' else '0'} AS k, count(DISTINCT s.member_id) AS in_groups
FROM memberships s WHERE s.joined_at < $hi AND coalesce(s.left_at, {INF}) >= $lo{g_st}
GROUP BY ALL""", p, out)
    mark = "s.joined_at + to_days(CAST($rd AS INTEGER))"
    _collect(snap, f"""
SELECT {_key(by, mark, 's.group_id')} AS k, count(*) AS cohort,
  count(*) FILTER (WHERE coalesce(s.left_at, {INF}) >= {mark}) AS retained
FROM memberships s WHERE {mark} >= $lo AND {mark} < $hi AND {mark} <= $now{g_st}
GROUP BY ALL""", p, out)
    if by != "group" and group_id is None:
        _collect(snap, f"SELECT {_key(by, 'created_at', 'id')} AS k, count(*) AS new_groups "
                       "FROM groups WHERE created_at >= $lo AND created_at < $hi GROUP BY ALL",
                 p, out)
        _collect(snap, f"SELECT {_key(by, 'registered_at', 'id')} AS k, count(*) AS new_members "
                       "FROM members WHERE registered_at >= $lo AND registered_at < $hi "
                       "GROUP BY ALL", p, out)
    return out


EMPTY_RANGE = "该时间范围内没有数据, 各项为 0。 No data in this range: every figure is 0."
COUNTS = ("uv", "messages", "quality_messages", "complaints", "reviews", "promoters",
          "detractors", "orders", "gmv", "buyers", "repeat_buyers", "refunded", "converters",
          "in_groups", "cohort", "retained", "new_groups", "new_members")


def _ratio(num: float, den: float, name: str, notes: list[str]) -> float:
    if not den:
        notes.append(f"{name}: 分母为 0, 记为 0")
        return 0.0
    return num / den


def finish(counts: dict, t: KpiTargets, days: int, spend_fen: int | None = None) -> dict:
    """Ratios, targets and notes of one bucket's counts."""
    c = {n: int(counts.get(n, 0) or 0) for n in COUNTS}
    notes: list[str] = []
    daily = [s / m for s, m in counts.get("_days", []) if m]
    activity = sum(daily) / len(daily) if daily else 0.0
    if not daily:
        notes.append("activity_rate: 没有群成员的日子, 记为 0")
    reviews = c["reviews"]
    out = {
        **c,
        "activity_rate": activity,
        "quality_share": _ratio(c["quality_messages"], c["messages"], "quality_share", notes),
        "conversion_rate": _ratio(c["converters"], c["in_groups"], "conversion_rate", notes),
        "retention_30d": _ratio(c["retained"], c["cohort"], "retention_30d", notes),
        "cvr": _ratio(c["orders"], c["uv"], "cvr", notes),
        "aov_fen": round(_ratio(c["gmv"], c["orders"], "aov", notes)),
        "repurchase_rate": _ratio(c["repeat_buyers"], c["buyers"], "repurchase_rate", notes),
        "dispute_rate": _ratio(c["refunded"] + c["complaints"], c["orders"], "dispute_rate",
                               notes),
        "nps": (100.0 * (c["promoters"] - c["detractors"]) / reviews) if reviews else 0.0,
    }
    if spend_fen is not None:
        out["spend_fen"] = spend_fen
        out["roi"] = _ratio(c["gmv"], spend_fen, "roi", notes)
    targets = {"new_groups": t.new_groups_per_month * days / 30,
               "activity_rate": t.activity_rate, "quality_share": t.quality_share,
               "conversion_rate": t.conversion_rate, "retention_30d": t.retention_30d,
               "dispute_rate_max": t.dispute_rate_max}
    out["targets"] = targets
    out["met"] = {**{k: out[k] >= targets[k] for k in KPI_NAMES},
                  "new_groups": c["new_groups"] >= targets["new_groups"],
                  "dispute_rate": out["dispute_rate"] <= t.dispute_rate_max}
    out["empty"] = not any(c[n] for n in ("uv", "messages", "orders", "in_groups", "cohort",
                                          "new_groups", "new_members"))
    if out["empty"]:
        notes.insert(0, EMPTY_RANGE)
    out["notes"] = notes
    return out


def decompose(before: dict, after: dict) -> dict:
    """GMV = UV × CVR × AOV between two periods, by log-decomposition:
    ln(GMV₂/GMV₁) = ln(UV₂/UV₁) + ln(CVR₂/CVR₁) + ln(AOV₂/AOV₁); each factor's share of
    the change is its term / the total; the driver is the largest term in size."""
    def parts(x: dict) -> dict:
        uv, orders, gmv = x.get("uv", 0), x.get("orders", 0), x.get("gmv", 0)
        return {"gmv_fen": gmv, "uv": uv, "cvr": orders / uv if uv else 0.0,
                "aov_fen": gmv / orders if orders else 0.0}
    a, b = parts(before), parts(after)
    doc = {"before": a, "after": b, "terms": None, "shares": None, "driver": None, "notes": []}
    if any(v <= 0 for x in (a, b) for v in (x["uv"], x["cvr"], x["aov_fen"])):
        doc["notes"].append("某一期的 UV、转化率或客单价为 0, 无法做对数分解")
        return doc
    terms = {k: math.log(b[k] / a[k]) for k in ("uv", "cvr", "aov_fen")}
    total = math.log(b["gmv_fen"] / a["gmv_fen"])
    doc["terms"] = {**terms, "gmv_fen": total}
    doc["shares"] = {k: (v / total if total else 0.0) for k, v in terms.items()}
    doc["driver"] = max(terms, key=lambda k: abs(terms[k]))
    if total == 0:
        doc["notes"].append("GMV 未变化")
    return doc
