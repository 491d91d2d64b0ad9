"""RFM (contract 4), the seed's layers (contract 5) with the dynamic downgrade, and the
lifecycle of every member, in one DuckDB query over the snapshot.

Same definitions as the pure engines `siyu.segments.rfm` and `siyu.segments.layers`
(the tests compare them member by member):
- a paid order is one with `paid_at` up to the end of asof (Beijing) whose status is not
  refunded or cancelled (contract 4: "refunded orders are not in the file"); its amount
  is the order total;
- RFM quintiles by mid-rank with ties sharing a score, in integer arithmetic:
  score = ceil(5 (2·worse + equal) / 2n); the segment from the R × FM grid;
- layers in the order high_value, potential, new, low_activity, other; windows are "the
  N days up to asof" (Beijing days, `segments.layers.window_start`); low activity counts
  the contract's interaction kinds.
Members erased under PIPL are left out; so are members registered after asof.

Dynamic layer (SPEC F "a high-value member with no spend for 2 months drops to
potential"), given the member's stored layer:
- static high_value → high_value;
- stored high_value, last paid order within `downgrade_days` → stays high_value (sticky);
- stored high_value, no paid order within `downgrade_days` → potential (downgraded);
- stored potential by downgrade and still no paid order in that window → potential;
- otherwise the static layer.
Lifecycle (`rules.LifecycleRules`): idle days = asof − the Beijing date of the latest of
(last interaction event, last paid order, registration); churned / dormant / silent by
idle days, else vip (repurchases = paid orders − 1 ≥ 3), else new (never paid and
registered within `new_days`), else active. Interactions are every event kind except
`lifecycle`, `leave` and `refund`.
"""

from __future__ import annotations

from datetime import date

import pyarrow as pa

from siyu.analytics.duck import Snapshot, bj_day, quote, utc
from siyu.analytics.rules import LifecycleRules
from siyu.segments import rfm as rfm_engine
from siyu.segments.layers import LayerRules, asof_end, window_start
from siyu.segments.tables import EVENT_KINDS as LAYER_EVENT_KINDS

NOT_INTERACTIONS = ("lifecycle", "leave", "refund")
PREV_SCHEMA = pa.schema([
    ("member_id", pa.int64()), ("layer", pa.string()), ("layer_reason", pa.string()),
    ("layer_since", pa.date32()), ("lifecycle", pa.string()),
    ("lifecycle_since", pa.date32())])


def _in(values) -> str:
    return ", ".join(quote(v) for v in sorted(values))


def _grid() -> str:
    rows = [f"({r}, {fm}, '{rfm_engine.segment_of(r, fm, fm)}')"
            for r in range(1, 6) for fm in range(1, 6)]
    return "(VALUES " + ", ".join(rows) + ") AS g(r, fm, segment)"


def _score(column: str, worst_first: str) -> str:
    return (f"SELECT v, CAST((5 * (2 * (sum(eq) OVER (ORDER BY v {worst_first} ROWS BETWEEN "
            f"UNBOUNDED PRECEDING AND CURRENT ROW) - eq) + eq) + 2 * n - 1) // (2 * n) "
            f"AS BIGINT) AS score FROM (SELECT {column} AS v, count(*) AS eq FROM rfm_base "
            f"GROUP BY 1), (SELECT count(*) AS n FROM rfm_base)")


PAID = ("paid_at IS NOT NULL AND status NOT IN ('refunded', 'cancelled') "
        "AND member_id IS NOT NULL")


def states_sql(asof: date, layers: LayerRules, life: LifecycleRules) -> tuple[str, dict]:
    params = {
        "asof": asof, "end": utc(asof_end(asof)),
        "hv_from": utc(window_start(asof, layers.high_value_days)),
        "quiet_from": utc(window_start(asof, layers.potential_quiet_days)),
        "ev_from": utc(window_start(asof, layers.low_activity_days)),
        "down_from": utc(window_start(asof, life.downgrade_days)),
    }
    r = {**{k: int(getattr(layers, k)) for k in (
        "high_value_min_spend", "high_value_min_orders", "potential_min_average",
        "low_activity_registered_days", "low_activity_max_events")},
         **{k: int(getattr(life, k)) for k in (
             "silent_days", "dormant_days", "churned_days", "vip_min_repurchases",
             "new_days")}}
    sql = f"""
WITH mem AS (
  SELECT id AS member_id, registered_at FROM members
  WHERE erased = 0 AND registered_at < $end),
agg AS (
  SELECT member_id, count(*) AS frequency, sum(total_fen) AS monetary_fen,
    max({bj_day('paid_at')}) AS last_paid_on, max(paid_at) AS last_paid_at,
    count(*) FILTER (WHERE paid_at >= $hv_from) AS hv_orders,
    coalesce(sum(total_fen) FILTER (WHERE paid_at >= $hv_from), 0) AS hv_spend,
    count(*) FILTER (WHERE paid_at >= $quiet_from) AS quiet_orders
  FROM orders WHERE {PAID} AND paid_at < $end GROUP BY member_id),
ev AS (
  SELECT member_id,
    count(*) FILTER (WHERE kind IN ({_in(LAYER_EVENT_KINDS)}) AND ts >= $ev_from) AS events,
    max(ts) FILTER (WHERE kind NOT IN ({_in(NOT_INTERACTIONS)})) AS last_event_at
  FROM events WHERE member_id IS NOT NULL AND ts < $end GROUP BY member_id),
rfm_base AS (
  SELECT a.member_id, datediff('day', a.last_paid_on, $asof) AS recency_days,
    a.frequency, CAST(a.monetary_fen AS BIGINT) AS monetary_fen
  FROM agg a JOIN mem USING (member_id)),
r_sc AS ({_score('recency_days', 'DESC')}),
f_sc AS ({_score('frequency', 'ASC')}),
m_sc AS ({_score('monetary_fen', 'ASC')}),
base AS (
  SELECT m.member_id, m.registered_at, coalesce(a.frequency, 0) AS frequency,
    CAST(coalesce(a.monetary_fen, 0) AS BIGINT) AS monetary_fen, a.last_paid_on,
    a.last_paid_at, coalesce(a.hv_orders, 0) AS hv_orders, coalesce(a.hv_spend, 0) AS hv_spend,
    coalesce(a.quiet_orders, 0) AS quiet_orders, coalesce(e.events, 0) AS events,
    datediff('day', {bj_day('greatest(m.registered_at, coalesce(e.last_event_at, '
                            'm.registered_at), coalesce(a.last_paid_at, m.registered_at))')},
             $asof) AS idle_days,
    datediff('day', {bj_day('m.registered_at')}, $asof) AS registered_days
  FROM mem m LEFT JOIN agg a USING (member_id) LEFT JOIN ev e USING (member_id)),
layered AS (
  SELECT b.*, CASE
    WHEN b.hv_spend >= {r['high_value_min_spend']} AND b.hv_orders >= {r['high_value_min_orders']}
      THEN 'high_value'
    WHEN b.quiet_orders = 0 AND b.frequency >= 1
      AND b.monetary_fen >= {r['potential_min_average']} * b.frequency THEN 'potential'
    WHEN b.frequency = 0 THEN 'new'
    WHEN b.registered_days >= {r['low_activity_registered_days']}
      AND b.events < {r['low_activity_max_events']} THEN 'low_activity'
    ELSE 'other' END AS static_layer,
    CASE
    WHEN b.idle_days >= {r['churned_days']} THEN 'churned'
    WHEN b.idle_days >= {r['dormant_days']} THEN 'dormant'
    WHEN b.idle_days >= {r['silent_days']} THEN 'silent'
    WHEN b.frequency - 1 >= {r['vip_min_repurchases']} THEN 'vip'
    WHEN b.frequency = 0 AND b.registered_days < {r['new_days']} THEN 'new'
    ELSE 'active' END AS lifecycle
  FROM base b),
dyn AS (
  SELECT l.*, p.layer AS prev_layer, p.layer_since AS prev_layer_since,
    p.lifecycle AS prev_lifecycle, p.lifecycle_since AS prev_lifecycle_since,
    CASE
      WHEN l.static_layer = 'high_value' THEN 'static'
      WHEN p.layer = 'high_value' AND l.last_paid_at >= $down_from THEN 'sticky'
      WHEN p.layer = 'high_value' THEN 'downgraded'
      WHEN p.layer = 'potential' AND p.layer_reason = 'downgraded'
        AND coalesce(l.last_paid_at < $down_from, true) THEN 'downgraded'
      ELSE 'static' END AS layer_reason
  FROM layered l LEFT JOIN prev_states p USING (member_id))
SELECT d.member_id, rb.recency_days, d.last_paid_on, d.frequency, d.monetary_fen,
  rs.score AS r_score, fs.score AS f_score, ms.score AS m_score, g.segment AS rfm_segment,
  d.static_layer,
  CASE d.layer_reason WHEN 'sticky' THEN 'high_value' WHEN 'downgraded' THEN 'potential'
    ELSE d.static_layer END AS layer,
  d.layer_reason, d.prev_layer, d.prev_lifecycle, d.lifecycle,
  d.prev_layer_since, d.prev_lifecycle_since
FROM dyn d
LEFT JOIN rfm_base rb USING (member_id)
LEFT JOIN r_sc rs ON rs.v = rb.recency_days
LEFT JOIN f_sc fs ON fs.v = rb.frequency
LEFT JOIN m_sc ms ON ms.v = rb.monetary_fen
LEFT JOIN {_grid()} ON g.r = rs.score AND g.fm = (fs.score + ms.score + 1) // 2
"""
    final = f"""
SELECT member_id, recency_days, last_paid_on, frequency, monetary_fen, r_score, f_score,
  m_score, rfm_segment, static_layer, layer, layer_reason,
  CASE WHEN prev_layer = layer THEN prev_layer_since ELSE $asof END AS layer_since,
  lifecycle,
  CASE WHEN prev_lifecycle = lifecycle THEN prev_lifecycle_since ELSE $asof END
    AS lifecycle_since,
  prev_layer, prev_lifecycle, $asof AS updated_on
FROM ({sql}) ORDER BY member_id"""
    return final, params


def compute(snap: Snapshot, asof: date, layers: LayerRules, life: LifecycleRules,
            prev: pa.Table | None = None) -> pa.Table:
    """Every member's state as of `asof`, given the stored states `prev` (None: none)."""
    snap.con.register("prev_states", prev if prev is not None else PREV_SCHEMA.empty_table())
    try:
        sql, params = states_sql(asof, layers, life)
        return snap.arrow(sql, params)
    finally:
        snap.con.unregister("prev_states")
