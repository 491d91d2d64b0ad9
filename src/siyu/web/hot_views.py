"""What the 秒杀 and 红包 pages show, assembled from the flash-sale and envelope services'
own status functions (the figures of GET /api/v1/flash-sales/{id} and
GET /api/v1/envelopes/{id}, read through the hot backend); nothing here counts stock
or shares itself.

Money leaves as "¥1,234.56" from integer fen; times as Beijing time.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from siyu.flashsale import service as flash_sales_
from siyu.flashsale.models import FlashSale
from siyu.hongbao import service as envelopes_
from siyu.hongbao.models import Envelope
from siyu.hot import Hot
from siyu.web import queries
from siyu.web.format import beijing, num
from siyu.web.messages import t
from siyu.web.promo_text import money
from siyu.web.views import PAGE_SIZE, _pages, _progress, label


def duration(seconds: int, lang: str) -> str:
    """3900 -> "1小时05分" (en "1h 05m"); 750 -> "12分30秒" ("12m 30s"); days and hours
    beyond a day, seconds alone under a minute."""
    days, rest = divmod(max(0, seconds), 86_400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    zh = lang == "zh-CN"
    if days:
        return f"{days}天{hours}小时" if zh else f"{days}d {hours}h"
    if hours:
        return f"{hours}小时{minutes:02d}分" if zh else f"{hours}h {minutes:02d}m"
    if minutes:
        return f"{minutes}分{secs:02d}秒" if zh else f"{minutes}m {secs:02d}s"
    return f"{secs}秒" if zh else f"{secs}s"


def countdown(starts_at: datetime, ends_at: datetime, seconds: int, now: datetime,
              lang: str) -> str:
    """距开始 … before the window, 距结束 … in it, 已结束 after; `seconds` is the
    service's countdown to whichever edge comes next."""
    if now < starts_at:
        return t("countdown.to_start", lang).format(left=duration(seconds, lang))
    if now < ends_at:
        return t("countdown.to_end", lang).format(left=duration(seconds, lang))
    return t("countdown.over", lang)


# -- flash sales (秒杀) ----------------------------------------------------------------------

def _end(starts_at: datetime, ends_at: datetime) -> str:
    """The end's time alone when the sale ends on the day it starts (Beijing)."""
    same_day = beijing(starts_at, "%Y-%m-%d") == beijing(ends_at, "%Y-%m-%d")
    return beijing(ends_at, "%H:%M") if same_day else beijing(ends_at)


def _flash_sale(session: Session, hot: Hot, sale: FlashSale, now: datetime, lang: str) -> dict:
    out = flash_sales_.to_out(session, hot, sale, now=now)
    share = out.percent_sold / 100
    return {
        "id": out.id, "name": out.name, "label": out.label, "sku": out.sku,
        "price": money(out.price), "sold": num(out.sold), "stock": num(out.stock),
        "share": _progress(share, 1), "level": "done" if out.remaining == 0 else "",
        "percent": f"{out.percent_sold:.1f}%", "remaining": num(out.remaining),
        "buyers": num(out.buyers), "status": out.status,
        "status_label": label("flash.status", out.status, lang),
        "per_member": t("flash.per_member", lang).format(n=out.per_member_limit),
        "starts": beijing(out.starts_at), "ends": _end(out.starts_at, out.ends_at),
        "countdown": countdown(out.starts_at, out.ends_at, out.countdown_seconds, now, lang),
    }


def flash_sales(session: Session, hot: Hot, merchant_id: int, now: datetime, lang: str, *,
                page: int) -> dict:
    rows, total = queries.flash_sales(session, merchant_id, limit=PAGE_SIZE,
                                      offset=(page - 1) * PAGE_SIZE)
    return {"items": [_flash_sale(session, hot, s, now, lang) for s in rows],
            **_pages(total, page)}


# -- red envelopes (红包) --------------------------------------------------------------------

def kind_of(envelope: Envelope) -> str:
    """红包雨 for a rain's envelope; 拼手气 / 普通 by the split of a plain one; else its kind
    (定向, 分享解锁, 盲盒)."""
    if envelope.rain_id is not None:
        return "rain"
    return envelope.mode if envelope.kind == "normal" else envelope.kind


def _envelope(session: Session, hot: Hot, envelope: Envelope, now: datetime,
              lang: str) -> dict:
    st = envelopes_.status(session, hot, envelope.merchant_id, envelope.id, now=now)
    grabbed = len(st.grabs)
    kind = kind_of(envelope)
    return {
        "id": st.id, "kind": kind, "kind_label": label("env.kind", kind, lang),
        "wave": t("env.wave", lang).format(n=envelope.wave) if envelope.wave else "",
        "greeting": st.greeting, "amount": money(st.amount), "grabbed": num(grabbed),
        "count": num(st.count), "share": _progress(grabbed, st.count),
        "level": "done" if grabbed >= st.count else "",
        "grabbed_amount": money(sum(g.amount for g in st.grabs)),
        "remaining_amount": money(st.remaining_amount),
        "refunded": (t("env.refunded", lang).format(amount=money(st.refunded))
                     if st.refunded is not None else ""),
        "starts": beijing(st.starts_at), "expires": beijing(st.expires_at),
        "status": st.status, "status_label": label("env.status", st.status, lang),
    }


def envelopes(session: Session, hot: Hot, merchant_id: int, now: datetime, lang: str, *,
              page: int) -> dict:
    rows, total = queries.envelopes(session, merchant_id, limit=PAGE_SIZE,
                                    offset=(page - 1) * PAGE_SIZE)
    return {"items": [_envelope(session, hot, e, now, lang) for e in rows],
            **_pages(total, page)}
