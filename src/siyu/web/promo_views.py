"""What the promotion pages show (促销, 审批, 优惠券, 价保), assembled from the promo and
coupons services; nothing here decides a business rule.

Money leaves as "¥1,234.56" from integer fen; times as Beijing time.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy.orm import Session

from siyu.core.errors import NotFound
from siyu.core.money import parse_yuan
from siyu.coupons import service as coupons
from siyu.coupons import templates as coupon_templates_
from siyu.coupons.models import CouponTemplate
from siyu.hot import Hot
from siyu.merchants.service import Principal
from siyu.promo import repository as promo_repo
from siyu.promo import service as promos
from siyu.promo.models import PROMOTION_STATUSES, StoredPromotion
from siyu.web import promo_text, queries
from siyu.web.format import beijing, num
from siyu.web.messages import t
from siyu.web.promo_text import money
from siyu.web.views import PAGE_SIZE, _pages, _progress, label

# The statuses the console filters by, in the order an operator thinks of them; a status
# the promo domain adds later still gets its tab.
_ORDER = ("active", "pending_approval", "pending_review", "rejected", "disabled")
STATUS_TABS = (tuple(s for s in _ORDER if s in PROMOTION_STATUSES)
               + tuple(s for s in PROMOTION_STATUSES if s not in _ORDER))


def _level(share: float) -> str:
    return "low" if share >= 0.9 else ("fair" if share >= 0.6 else "")


def _finding(v: dict, lang: str) -> dict:
    """One red-line finding as the service stored it (yuan strings) made readable."""
    worst, floor = money(parse_yuan(v["worst_price"])), money(parse_yuan(v["floor"]))
    what = label("redline", v["rule"], lang)
    stacked = v.get("stacked_with") or []
    if lang == "zh-CN":
        how = f"与 {'、'.join(stacked)} 叠加后" if stacked else ""
        reason = f"{v['sku']} {how}最低可到 {worst}, {what} {floor}"
    else:
        how = f" stacked with {', '.join(stacked)}" if stacked else ""
        reason = f"{v['sku']}{how} can go down to {worst}: {what.lower()} {floor}"
    return {"sku": v["sku"], "price": money(parse_yuan(v["price"])), "worst_price": worst,
            "floor": floor, "rule": what, "reason": reason}


def _promotion(row: StoredPromotion, doc: dict, now: datetime, lang: str) -> dict:
    p = promos.engine_promotion(row)
    spent = parse_yuan(doc["spent"])
    phase = None
    if row.status == "active" and p.starts_at is not None and now < p.starts_at:
        phase = "not_started"
    elif row.status == "active" and p.ends_at is not None and now >= p.ends_at:
        phase = "ended"
    budget_share = _progress(spent, row.budget_fen)
    return {
        "code": row.code, "name": row.name, "kind": label("promo.kind", row.kind, lang),
        "kind_code": row.kind, "status": row.status,
        "status_label": label("promo.status", row.status, lang),
        "phase": t(f"promo.window.{phase}", lang) if phase else "",
        "starts": beijing(p.starts_at) if p.starts_at else "",
        "ends": beijing(p.ends_at) if p.ends_at else "",
        "rule": promo_text.describe_rule(p.rule, lang),
        "scope": promo_text.describe_scope(p, lang),
        "audience": promo_text.describe_audience(p, lang),
        "stacking": promo_text.describe_stacking(p, lang),
        "spent": money(spent),
        "budget": money(row.budget_fen) if row.budget_fen is not None else "",
        "budget_share": budget_share, "budget_level": _level(budget_share),
        "uses": num(doc["uses"]),
        "total_limit": num(row.total_limit) if row.total_limit is not None else "",
        "per_member_limit": num(row.per_member_limit) if row.per_member_limit else "",
        "red_line": [_finding(v, lang) for v in row.red_line or []],
        "red_line_skus": len({v["sku"] for v in row.red_line or []}),
        "review": ({"by": row.reviewed_by, "at": beijing(row.reviewed_at),
                    "note": row.review_note or ""} if row.reviewed_by else None),
        "updated_by": row.updated_by, "updated_at": beijing(row.updated_at),
    }


def _status_counts(session: Session, merchant_id: int) -> dict[str, int]:
    counts = promo_repo.status_counts(session, merchant_id)
    return {s: counts.get(s, 0) for s in STATUS_TABS}


def promotions(session: Session, merchant_id: int, now: datetime, lang: str, *,
               status: str | None, page: int) -> dict:
    status = status if status in STATUS_TABS else None
    rows, total = promos.list_promotions(session, merchant_id, status=status, limit=PAGE_SIZE,
                                         offset=(page - 1) * PAGE_SIZE)
    docs = promos.documents(session, merchant_id, rows)
    counts = _status_counts(session, merchant_id)
    tabs = [("", t("promo.status.all", lang), sum(counts.values()))]
    tabs += [(s, label("promo.status", s, lang), counts[s]) for s in STATUS_TABS]
    return {"items": [_promotion(r, d, now, lang) for r, d in zip(rows, docs, strict=True)],
            **_pages(total, page), "status": status or "", "tabs": tabs,
            "any": sum(counts.values()) > 0}


def promotion(session: Session, merchant_id: int, code: str, now: datetime, lang: str,
              principal: Principal) -> dict:
    """One promotion; raises NotFound for a code the merchant does not have."""
    row = promos.get(session, merchant_id, code)
    doc = promos.documents(session, merchant_id, [row])[0]
    return {"p": _promotion(row, doc, now, lang),
            "can_review": principal.role in promos.APPROVERS}


def approvals(session: Session, merchant_id: int, now: datetime, lang: str,
              principal: Principal, *, page: int) -> dict:
    """The 待审批 queue: promotions held by the red line, oldest first."""
    rows, total = promos.list_promotions(session, merchant_id, status="pending_approval",
                                         limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
    docs = promos.documents(session, merchant_id, rows)
    return {"items": [_promotion(r, d, now, lang) for r, d in zip(rows, docs, strict=True)],
            **_pages(total, page), "can_review": principal.role in promos.APPROVERS}


def review(session: Session, principal: Principal, code: str, *, approve: bool,
           note: str | None, now: datetime) -> StoredPromotion:
    """Approve or reject through the same use case as the API (role checks, four eyes,
    audit log all live there)."""
    return promos.review(session, principal.merchant_id, code, approve=approve,
                         principal=principal, now=now, note=note or None)


def reviewed(session: Session, merchant_id: int, code: str, action: str) -> str | None:
    """The code to confirm after a redirect, if that promotion really is in the state
    the action leaves it in (so a crafted link confirms nothing)."""
    want = {"approved": "active", "rejected": "rejected"}.get(action)
    if want is None:
        return None
    try:
        row = promos.get(session, merchant_id, code)
    except NotFound:
        return None
    return code if row.status == want else None


# -- coupons (优惠券) ------------------------------------------------------------------------

def _coupon_status(tpl: CouponTemplate, remaining: int, now: datetime) -> str:
    if not tpl.active:
        return "inactive"
    if remaining <= 0:
        return "sold_out"
    if tpl.claim_starts_at is not None and now < tpl.claim_starts_at:
        return "not_started"
    if tpl.claim_ends_at is not None and now >= tpl.claim_ends_at:
        return "ended"
    return "claimable"


def _validity(tpl: CouponTemplate, lang: str) -> str:
    parts = []
    if tpl.valid_days:
        parts.append(t("coupon.valid_days", lang).format(n=tpl.valid_days))
    if tpl.valid_until is not None:
        parts.append(t("coupon.valid_until", lang).format(at=beijing(tpl.valid_until)))
    return " · ".join(parts) or t("coupon.valid_forever", lang)


def _claim_window(tpl: CouponTemplate, lang: str) -> str:
    if tpl.claim_starts_at is None and tpl.claim_ends_at is None:
        return t("coupon.any_time", lang)
    return f"{beijing(tpl.claim_starts_at) or '…'} – {beijing(tpl.claim_ends_at) or '…'}"


def _face_value(tpl: CouponTemplate, lang: str) -> str:
    """¥10.00 for 满减/无门槛; 8.5折 (最高减 ¥20.00) for a 折扣券."""
    if tpl.kind != "percent" or not tpl.percent:
        return money(tpl.face_value_fen)
    off = Decimal(tpl.percent)
    text = (f"{(100 - off) / 10:g}折" if lang == "zh-CN" else f"{off:g}% off")
    if tpl.max_off_fen:
        cap = money(tpl.max_off_fen)
        text += f" (最高减 {cap})" if lang == "zh-CN" else f" (up to {cap})"
    return text


def coupon_templates(session: Session, hot: Hot, merchant_id: int, now: datetime, lang: str,
                     *, page: int) -> dict:
    rows, total = coupon_templates_.list_templates(session, merchant_id, limit=PAGE_SIZE,
                                                   offset=(page - 1) * PAGE_SIZE)
    used = queries.coupons_used(session, merchant_id, [r.id for r in rows])
    items = []
    for tpl in rows:
        out = coupons.template_out(session, hot, tpl)
        status = _coupon_status(tpl, out.remaining, now)
        share = _progress(out.claimed, out.total)
        items.append({
            "id": tpl.id, "name": tpl.name, "face_value": _face_value(tpl, lang),
            "min_spend": (t("coupon.min_spend", lang).format(amount=money(tpl.min_spend_fen))
                          if tpl.min_spend_fen else t("coupon.no_threshold", lang)),
            "claimed": num(out.claimed), "stock": num(out.total), "share": share,
            "level": _level(share), "per_member": num(tpl.per_member_limit),
            "claim_window": _claim_window(tpl, lang), "validity": _validity(tpl, lang),
            "used": num(used.get(tpl.id, 0)), "status": status,
            "status_label": t(f"coupon.status.{status}", lang)})
    return {"items": items, **_pages(total, page)}


# -- price protection (价保) -----------------------------------------------------------------

def price_protection(session: Session, merchant_id: int, lang: str, *, sku: str | None,
                     page: int) -> dict:
    skus = queries.protected_skus(session, merchant_id)
    sku = sku if sku in skus else None
    drops = [{"at": beijing(d.drop.dropped_at), "sku": d.drop.sku,
              "old_price": money(d.drop.old_price_fen) if d.drop.old_price_fen is not None
              else "—", "new_price": money(d.drop.new_price_fen),
              "window_days": d.drop.window_days,
              "source": label("pp.source", d.drop.source, lang), "orders": num(d.orders),
              "refund": money(d.refund_fen)}
             for d in queries.price_drops(session, merchant_id, sku)]
    rows, total = queries.refunds(session, merchant_id, sku, limit=PAGE_SIZE,
                                  offset=(page - 1) * PAGE_SIZE)
    refunds = [{"order_no": r.order_no, "member": r.member or "—", "sku": r.refund.sku,
                "qty": num(r.refund.qty), "paid": money(r.refund.paid_fen),
                "unit_paid": money(r.refund.paid_fen // r.refund.qty),
                "new_price": money(r.refund.new_price_fen), "refund": money(r.refund.refund_fen),
                "status": r.refund.status,
                "status_label": label("pp.status", r.refund.status, lang),
                "dropped_at": beijing(r.dropped_at)} for r in rows]
    totals = queries.refund_totals(session, merchant_id, sku)
    days = promos.settings_of(session, merchant_id)["price_protection_days"]
    return {"drops": drops, "refunds": refunds, **_pages(total, page), "skus": skus,
            "sku": sku or "", "days": days, "orders": num(totals["orders"]),
            "total_refund": money(totals["refund_fen"]), "total_owed": money(totals["owed_fen"]),
            "drops_count": num(len(drops))}
