"""What each console page shows, assembled from the domain services and analytics.

Route handlers stay thin: they resolve the signed-in merchant and the language, then
call one function here and render its dict with a template.
"""

from __future__ import annotations

import math
from datetime import datetime

from sqlalchemy.orm import Session

from siyu.analytics import group_kpis
from siyu.members import repository as members_repo
from siyu.merchants.service import get_merchant
from siyu.web import queries
from siyu.web.charts import Point, bar_chart, line_chart
from siyu.web.format import beijing, num, pct, yuan, yuan_short
from siyu.web.messages import t

PAGE_SIZE = 50


def label(prefix: str, value: str | None, lang: str) -> str:
    """A translated label for a code (channel.kol -> KOL 达人); the code when unknown.
    Looks in the console's own messages first, then the shared catalogue."""
    if not value:
        return ""
    key = f"{prefix}.{value}" if prefix else value
    text = t(key, lang)
    return value if text == key else text


def merchant_name(session: Session, merchant_id: int) -> str:
    return get_merchant(session, merchant_id).name


def _progress(value: float, target: float) -> float:
    return max(0.0, min(1.0, value / target)) if target else 0.0


def home(session: Session, merchant_id: int, now: datetime, lang: str) -> dict:
    k = group_kpis.home(session, merchant_id, now)
    today, yesterday = k.activity[-1], k.activity[-2]
    sales = k.sales_today
    tg = k.targets
    groups_ratio = k.new_groups_month / tg.new_groups_per_month if tg.new_groups_per_month else 0
    in_groups = k.members_in_groups / k.members_total if k.members_total else 0.0
    aov = sales.gmv_fen // sales.orders if sales.orders else 0
    cards = [
        {"key": "new_groups", "title": t("kpi.new_groups", lang), "value": num(k.new_groups_month),
         "target": num(tg.new_groups_per_month), "progress": min(1.0, groups_ratio),
         "note": f"{t('kpi.attainment', lang)} {pct(groups_ratio)}"},
        {"key": "activity", "title": f"{t('kpi.activity_rate', lang)} · {t('kpi.today', lang)}",
         "value": pct(today.rate), "target": pct(tg.activity_rate, 0),
         "progress": _progress(today.rate, tg.activity_rate),
         "note": f"{t('kpi.speakers_of', lang)}: {num(today.speakers)} / {num(today.members)}"
                 f" · {t('kpi.yesterday', lang)} {pct(yesterday.rate)}"},
        {"key": "members", "title": t("kpi.members", lang), "value": num(k.members_total),
         "note": f"{t('kpi.new_today', lang)} {num(k.members_new_today)}"},
        {"key": "group_members", "title": t("kpi.group_members", lang),
         "value": num(k.members_in_groups),
         "note": f"{t('kpi.in_group_share', lang)} {pct(in_groups)}"},
        {"key": "orders", "title": t("kpi.orders_today", lang), "value": num(sales.orders),
         "note": f"{t('kpi.aov', lang)} ¥{yuan(aov)}"},
        {"key": "gmv", "title": t("kpi.gmv_today", lang), "value": f"¥{yuan(sales.gmv_fen)}",
         "note": f"{num(sales.orders)} {t('kpi.paid_orders', lang)}"},
    ]
    activity_chart = line_chart(
        [Point(a.day.strftime("%m-%d"), a.rate,
               f"{a.day.isoformat()} · {pct(a.rate)} · {num(a.speakers)} / {num(a.members)}")
         for a in k.activity],
        title=t("chart.activity", lang), y_fmt=lambda v: pct(v, 0), target=tg.activity_rate,
        target_label=f"{t('chart.target', lang)} {pct(tg.activity_rate, 0)}", partial_last=True)
    gmv_chart = bar_chart(
        [Point(s.day.strftime("%m-%d"), s.gmv_fen,
               f"{s.day.isoformat()} · ¥{yuan(s.gmv_fen)} · {num(s.orders)}") for s in k.sales],
        title=t("chart.gmv", lang), y_fmt=lambda v: yuan_short(int(v), lang))
    top = [_group_row(g, tg.activity_rate, lang)
           for g in group_kpis.most_active_groups(session, merchant_id, now)]
    return {"cards": cards, "activity_chart": activity_chart, "gmv_chart": gmv_chart,
            "asof": beijing(now), "kpis": k, "top_groups": top}


def _pages(total: int, page: int) -> dict:
    pages = max(1, math.ceil(total / PAGE_SIZE))
    return {"total": total, "page": page, "pages": pages, "has_prev": page > 1,
            "has_next": page < pages}


def members(session: Session, merchant_id: int, lang: str, *, q: str | None, tag: str | None,
            channel: str | None, page: int) -> dict:
    rows, total = members_repo.search(session, merchant_id, q=q or None, tag=tag or None,
                                      channel=channel or None, limit=PAGE_SIZE,
                                      offset=(page - 1) * PAGE_SIZE)
    tags = members_repo.tags_of(session, merchant_id, [m.id for m in rows])
    items = [{"nickname": m.nickname or "—", "external_id": m.external_id,
              "phone": m.phone_masked or "—", "channel": label("channel", m.channel, lang),
              "tier": m.tier, "tags": tags.get(m.id, []),
              "lifecycle": label("lifecycle", m.lifecycle, lang),
              "lifecycle_code": m.lifecycle, "registered": beijing(m.registered_at)}
             for m in rows]
    channels = [(c, label("channel", c, lang)) for c in queries.channels(session, merchant_id)]
    return {"items": items, **_pages(total, page),
            "filters": {"q": q or "", "tag": tag or "", "channel": channel or ""},
            "tag_options": queries.tag_names(session, merchant_id), "channel_options": channels}


def _group_row(g: group_kpis.GroupActivity, target: float, lang: str) -> dict:
    level = "good" if g.rate >= target else ("fair" if g.rate >= target * 0.6 else "low")
    return {"name": g.name, "kind": label("", g.kind, lang), "owner": g.owner or "—",
            "members": num(g.member_count), "capacity": num(g.capacity),
            "fill": _progress(g.member_count, g.capacity), "speakers": num(g.speakers_today),
            "rate": pct(g.rate), "level": level, "created": beijing(g.created_at)}


def groups(session: Session, merchant_id: int, now: datetime, lang: str, *, page: int) -> dict:
    rows, total = group_kpis.group_activity(session, merchant_id, now, limit=PAGE_SIZE,
                                            offset=(page - 1) * PAGE_SIZE)
    target = group_kpis.targets(session, merchant_id).activity_rate
    items = [_group_row(g, target, lang) for g in rows]
    return {"items": items, **_pages(total, page), "target": pct(target, 0)}
