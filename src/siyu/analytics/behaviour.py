"""Funnels, cohort retention by join week, and share trees, over the snapshot.

Funnel: ordered steps (event kinds) within a window. A member enters at their first
step-1 event in the range; step k counts when an event of that kind follows step k − 1
(at or after it) within `window_hours` of the entry; each step takes the earliest such
event. Drop-off per step = 1 − reached / reached at the step before; `by` splits the
entrants by their layer, lifecycle, RFM segment (the stored member states), channel, or
membership of a saved segment.

Cohorts: members by the Beijing week (Monday) they registered in; week k's retention is
the share of the cohort with an interaction event in the k-th week after it (week 0 is
the join week); weeks not over yet are left out.

Share trees (裂变链路): a member's parent is their referrer (Member.referrer_id), else the
member who sent the first `invite` event naming them (payload invitee_id). Roots are
parents without a parent; depth = the longest chain below a root, reach = everyone
below it.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from siyu.analytics.duck import Snapshot, bj_day, day_end, day_start, utc
from siyu.analytics.states import NOT_INTERACTIONS, _in
from siyu.core.errors import InvalidInput
from siyu.events.models import EVENT_KINDS

BY_STATE = ("layer", "lifecycle", "rfm_segment")
MAX_DEPTH = 64


def funnel(snap: Snapshot, steps: list[str], start: date, end: date, *,
           window_hours: float = 24.0, by: str | None = None,
           segment_sql: str | None = None) -> dict:
    if not 2 <= len(steps) <= 8:
        raise InvalidInput("steps: 需要 2–8 个步骤", field="steps")
    for i, kind in enumerate(steps):
        if kind not in EVENT_KINDS:
            raise InvalidInput(f"steps[{i}]: 未知事件类型 {kind!r}", field=f"steps[{i}]")
    if window_hours <= 0:
        raise InvalidInput("window_hours: 须大于 0", field="window_hours")
    p = {"lo": day_start(start), "hi": day_end(end),
         "win": timedelta(hours=window_hours)}
    ctes = ["s1 AS (SELECT member_id, min(ts) AS t1, min(ts) AS t FROM events "
            "WHERE kind = $k1 AND member_id IS NOT NULL AND ts >= $lo AND ts < $hi "
            "GROUP BY member_id)"]
    p["k1"] = steps[0]
    for i in range(2, len(steps) + 1):
        p[f"k{i}"] = steps[i - 1]
        ctes.append(
            f"s{i} AS (SELECT s.member_id, s.t1, min(e.ts) AS t FROM s{i - 1} s JOIN events e "
            f"ON e.member_id = s.member_id AND e.kind = $k{i} AND e.ts >= s.t "
            f"AND e.ts <= s.t1 + $win GROUP BY s.member_id, s.t1)")
    if by is None:
        dim = "'all'"
        join = ""
    elif by in BY_STATE:
        dim, join = f"coalesce(st.{by}, 'unknown')", "LEFT JOIN states st USING (member_id)"
    elif by == "channel":
        dim = "coalesce(mb.channel, 'unknown')"
        join = "LEFT JOIN members mb ON mb.id = s1.member_id"
    elif by == "segment" and segment_sql:
        dim = "CASE WHEN sg.member_id IS NULL THEN 'out' ELSE 'in' END"
        join = f"LEFT JOIN ({segment_sql}) sg ON sg.member_id = s1.member_id"
    else:
        raise InvalidInput("by: 可选 layer / lifecycle / rfm_segment / channel / segment",
                           field="by")
    reached = ", ".join(f"count(s{i}.member_id) AS n{i}" for i in range(1, len(steps) + 1))
    joins = " ".join(f"LEFT JOIN s{i} USING (member_id)" for i in range(2, len(steps) + 1))
    sql = (f"WITH {', '.join(ctes)} SELECT {dim} AS dim, {reached} FROM s1 {joins} {join} "
           "GROUP BY ALL ORDER BY 1")
    rows = snap.rows(sql, p)
    groups = [{"value": r["dim"], "steps": _steps(steps, [r[f"n{i}"] for i in
                                                        range(1, len(steps) + 1)])}
              for r in rows]
    totals = [sum(r[f"n{i}"] for r in rows) for i in range(1, len(steps) + 1)]
    doc = {"steps": _steps(steps, totals), "window_hours": window_hours,
           "start": start.isoformat(), "end": end.isoformat(), "by": by, "groups": groups,
           "empty": totals[0] == 0, "notes": []}
    if doc["empty"]:
        doc["notes"].append(f"该时间范围内没有 {steps[0]} 事件, 各项为 0")
    else:
        worst = max(range(1, len(steps)), key=lambda i: doc["steps"][i]["drop_off"])
        doc["biggest_drop"] = {"from": steps[worst - 1], "to": steps[worst],
                               "drop_off": doc["steps"][worst]["drop_off"]}
    return doc


def _steps(kinds: list[str], counts: list[int]) -> list[dict]:
    out = []
    for i, (kind, n) in enumerate(zip(kinds, counts, strict=True)):
        prev = counts[i - 1] if i else n
        out.append({"step": i + 1, "kind": kind, "members": n,
                    "from_previous": n / prev if prev else 0.0,
                    "from_start": n / counts[0] if counts[0] else 0.0,
                    "drop_off": (1 - n / prev) if prev and i else 0.0})
    return out


def cohorts(snap: Snapshot, start: date, end: date, now: datetime, weeks: int = 8) -> dict:
    if not 1 <= weeks <= 52:
        raise InvalidInput("weeks: 须在 1–52 之间", field="weeks")
    monday = start - timedelta(days=start.weekday())
    today = (utc(now) + timedelta(hours=8)).date()
    p = {"lo": day_start(monday), "hi": day_end(end), "now": utc(now), "weeks": weeks}
    sql = f"""
WITH c AS (
  SELECT id AS member_id, date_trunc('week', {bj_day('registered_at')}) AS week
  FROM members WHERE registered_at >= $lo AND registered_at < $hi),
a AS (
  SELECT DISTINCT e.member_id, CAST(datediff('day', c.week,
         date_trunc('week', {bj_day('e.ts')})) / 7 AS INTEGER) AS k
  FROM events e JOIN c USING (member_id)
  WHERE e.kind NOT IN ({_in(NOT_INTERACTIONS)}) AND e.ts < $now
    AND e.ts >= c.week - INTERVAL 8 HOUR)
SELECT CAST(c.week AS DATE) AS week, a.k, count(a.member_id) AS active
FROM c LEFT JOIN a ON a.member_id = c.member_id AND a.k BETWEEN 0 AND $weeks - 1
GROUP BY ALL ORDER BY 1, 2"""
    table: dict[date, dict] = {}
    for r in snap.rows(sql, p):
        row = table.setdefault(r["week"], {"cohort": r["week"].isoformat(), "active": {}})
        if r["k"] is not None:
            row["active"][r["k"]] = r["active"]
    sizes = {r["week"]: r["size"] for r in snap.rows(
        f"SELECT CAST(date_trunc('week', {bj_day('registered_at')}) AS DATE) AS week, "
        "count(*) AS size "
        "FROM members WHERE registered_at >= $lo AND registered_at < $hi GROUP BY 1", p)}
    out = []
    for week in sorted(table):
        row = table[week]
        size = sizes.get(week, 0)
        elapsed = (today - week).days // 7 + 1  # weeks begun so far
        out.append({"cohort": row["cohort"], "size": size,
                    "retention": [(row["active"].get(k, 0) / size if size else 0.0)
                                  for k in range(min(weeks, max(elapsed, 0)))]})
    doc = {"weeks": weeks, "cohorts": out, "empty": not out, "notes": []}
    if not out:
        doc["notes"].append("该时间范围内没有新注册会员, 没有队列")
    return doc


def share_trees(snap: Snapshot, *, top: int = 20, member_id: int | None = None) -> dict:
    sql = f"""
WITH RECURSIVE edges AS (
  SELECT id AS child, referrer_id AS parent FROM members WHERE referrer_id IS NOT NULL
  UNION ALL
  SELECT invitee_id, arg_min(member_id, ts) FROM events
  WHERE kind = 'invite' AND invitee_id IS NOT NULL AND member_id IS NOT NULL
    AND invitee_id <> member_id
    AND invitee_id NOT IN (SELECT id FROM members WHERE referrer_id IS NOT NULL)
  GROUP BY invitee_id),
roots AS (SELECT DISTINCT parent AS root FROM edges
          WHERE parent NOT IN (SELECT child FROM edges)),
walk(root, member, depth) AS (
  SELECT root, root, 0 FROM roots
  UNION ALL
  SELECT w.root, e.child, w.depth + 1 FROM walk w JOIN edges e ON e.parent = w.member
  WHERE w.depth < {MAX_DEPTH})
SELECT root, count(*) - 1 AS reach, max(depth) AS depth,
  count(*) FILTER (WHERE depth = 1) AS direct
FROM walk GROUP BY root"""
    snap.con.execute(f"CREATE OR REPLACE TEMP TABLE share_roots AS {sql}")
    summary = snap.one("SELECT count(*) AS trees, coalesce(sum(reach), 0) AS reached, "
                       "coalesce(max(depth), 0) AS max_depth, coalesce(avg(depth), 0) "
                       "AS mean_depth FROM share_roots")
    hist = snap.rows("SELECT depth, count(*) AS trees FROM share_roots GROUP BY 1 ORDER BY 1")
    tops = snap.rows("SELECT root AS member_id, reach, depth, direct FROM share_roots "
                     "ORDER BY reach DESC, depth DESC, root LIMIT $n", {"n": top})
    doc = {"trees": int(summary["trees"]), "members_reached": int(summary["reached"]),
           "max_depth": int(summary["max_depth"]),
           "mean_depth": float(summary["mean_depth"]),
           "depth_histogram": [{"depth": r["depth"], "trees": r["trees"]} for r in hist],
           "top": tops, "empty": not summary["trees"], "notes": []}
    if member_id is not None:
        doc["member"] = _subtree(snap, sql.split("roots AS")[0].rstrip().rstrip(","),
                                 member_id)
    if doc["empty"]:
        doc["notes"].append("还没有推荐或邀请关系")
    return doc


def _subtree(snap: Snapshot, edges_cte: str, member_id: int) -> dict:
    row = snap.one(f"""{edges_cte},
walk(member, depth) AS (
  SELECT CAST($m AS BIGINT), 0
  UNION ALL
  SELECT e.child, w.depth + 1 FROM walk w JOIN edges e ON e.parent = w.member
  WHERE w.depth < {MAX_DEPTH})
SELECT count(*) - 1 AS reach, max(depth) AS depth,
  count(*) FILTER (WHERE depth = 1) AS direct FROM walk""", {"m": member_id})
    return {"member_id": member_id, "reach": int(row["reach"]), "depth": int(row["depth"]),
            "direct": int(row["direct"])}
