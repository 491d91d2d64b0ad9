"""Tables for CSV/XLSX export (written by `siyu.io.writers`): KPI rows, member states,
a segment's members."""

from __future__ import annotations

from siyu.core.money import fmt_yuan
from siyu.io.writers import INTEGER, MONEY

KPI_COLUMNS = ("bucket", "gmv", "orders", "buyers", "uv", "cvr", "aov", "repurchase_rate",
               "activity_rate", "quality_share", "conversion_rate", "retention_30d",
               "new_groups", "new_members", "dispute_rate", "nps")
KPI_KINDS = {"gmv": MONEY, "aov": MONEY, "orders": INTEGER, "buyers": INTEGER, "uv": INTEGER,
             "new_groups": INTEGER, "new_members": INTEGER}
KPI_NOTES = {"bucket": "日期 / 群 id / total", "gmv": "成交额 (元)", "uv": "访客数",
             "cvr": "转化率 = 订单 / 访客", "aov": "客单价 (元)", "activity_rate": "群活跃率",
             "quality_share": "优质内容占比", "conversion_rate": "群内转化率",
             "retention_30d": "30 天留存率", "dispute_rate": "纠纷率", "nps": "净推荐值"}
STATE_COLUMNS = ("member_id", "recency_days", "frequency", "monetary", "r_score", "f_score",
                 "m_score", "rfm_segment", "layer", "layer_reason", "lifecycle")
STATE_KINDS = {"monetary": MONEY, "recency_days": INTEGER, "frequency": INTEGER}


def _rate(x: float) -> str:
    return f"{x:.4f}"


def kpi_rows(report: dict) -> list[list]:
    return [[r["bucket"], fmt_yuan(r["gmv"]), r["orders"], r["buyers"], r["uv"], _rate(r["cvr"]),
             fmt_yuan(r["aov_fen"]), _rate(r["repurchase_rate"]), _rate(r["activity_rate"]),
             _rate(r["quality_share"]), _rate(r["conversion_rate"]), _rate(r["retention_30d"]),
             r["new_groups"], r["new_members"], _rate(r["dispute_rate"]), f"{r['nps']:.1f}"]
            for r in report["rows"]]


def state_rows(doc: dict) -> list[list]:
    return [[s[c] if s[c] is not None else "" for c in STATE_COLUMNS] for s in doc["items"]]


MEDIA = {"csv": "text/csv; charset=utf-8",
         "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def render(fmt: str, name: str, columns, rows, *, kinds=None, notes=None) -> bytes:
    import io

    from siyu.core.errors import InvalidInput
    from siyu.io.writers import write_table

    if fmt not in MEDIA:
        raise InvalidInput("format: 只支持 csv 或 xlsx", field="format")
    buffer = io.BytesIO()
    write_table(buffer, fmt, columns, rows, kinds=kinds, notes=notes, title=name[:31])
    return buffer.getvalue()
