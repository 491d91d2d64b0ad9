"""Use cases of stored promotions: create, edit, list, disable, enable, approve, reject;
the merchant's promotion settings. Every change is audit-logged.

Status: `active` (applies in quotes), `pending_approval` (its worst-case price breaks a
red line: held until an approver decides; never applies), `rejected`, `disabled`.
Creating, editing or enabling runs the red-line check again: an edit of an approved
promotion needs approval again if it still breaks a line. Approvers: owner and legal
(法务, who reviews promotion rules in the seeds); a legal reviewer may not approve a
promotion they last edited themselves (four eyes), the owner may.
"""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy.orm import Session

from siyu.audit import service as audit
from siyu.catalog.models import Product
from siyu.core.errors import Conflict, Forbidden, InvalidInput
from siyu.core.money import fmt_yuan
from siyu.db.scope import scoped
from siyu.merchants import service as merchants
from siyu.merchants.service import Principal
from siyu.promo import redline
from siyu.promo import repository as repo
from siyu.promo.documents import Limits, PromotionDocument, parse_document
from siyu.promo.models import PROMOTION_STATUSES, StoredPromotion
from siyu.promo.schemas import Promotion, parse_promotion

APPROVERS = ("owner", "legal")

# Merchant settings of this domain, with their defaults and bounds.
SETTINGS = {
    "margin_floor_percent": (25, 0, 1000),
    "daily_price_band_percent": (50, 0, 100),
    "price_protection_days": (30, 0, 365),
}


def settings_of(session: Session, merchant_id: int) -> dict[str, int]:
    merchant = merchants.get_merchant(session, merchant_id)
    return {k: int(merchants.merchant_setting(merchant, k, default))
            for k, (default, _, _) in SETTINGS.items()}


def update_settings(session: Session, merchant_id: int, values: dict, *,
                    actor: str) -> dict[str, int]:
    if not isinstance(values, dict):
        raise InvalidInput("body: 需要 JSON 对象", field="body")
    before = settings_of(session, merchant_id)
    for key, value in values.items():
        if key not in SETTINGS:
            raise InvalidInput(f"{key}: 未知设置 (可用: {', '.join(SETTINGS)})", field=key)
        _, low, high = SETTINGS[key]
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise InvalidInput(f"{key}: 需要 {low} 到 {high} 之间的整数", field=key)
    for key, value in values.items():
        merchants.set_setting(session, merchant_id, key, value)
    after = settings_of(session, merchant_id)
    if after != before:
        audit.record(session, merchant_id, actor=actor, action="update",
                     entity="promo_settings", entity_id=None, before=before, after=after)
    return after


def red_line_rules(session: Session, merchant_id: int) -> redline.RedLineRules:
    s = settings_of(session, merchant_id)
    return redline.RedLineRules(s["margin_floor_percent"], s["daily_price_band_percent"])


def engine_promotion(row: StoredPromotion, index: int = 0) -> Promotion:
    """The engine's view of a stored promotion (its document is valid: it was checked)."""
    return parse_promotion({**row.rule, "id": row.code}, row.code, is_coupon=False, index=index)


def _catalog(session: Session, merchant_id: int) -> list[redline.Product]:
    stmt = scoped(Product, merchant_id).where(Product.active.is_(True)).order_by(Product.id)
    return [redline.Product(p.sku, p.price_fen, p.cost_fen, p.daily_price_fen,
                            p.category or None, frozenset(p.tags or []))
            for p in session.scalars(stmt)]


def _red_line(session: Session, merchant_id: int, promotion: Promotion) -> list[dict]:
    rules = red_line_rules(session, merchant_id)
    return [v.document() for v in redline.check(promotion, _catalog(session, merchant_id), rules)]


def _snapshot(row: StoredPromotion) -> dict:
    return {"code": row.code, "status": row.status, "rule": row.rule,
            "budget_fen": row.budget_fen, "per_member_limit": row.per_member_limit,
            "total_limit": row.total_limit, "red_line": row.red_line}


def _apply(row: StoredPromotion, parsed: PromotionDocument) -> None:
    row.name, row.kind, row.rule = parsed.promotion.name, parsed.promotion.kind, parsed.doc
    limits: Limits = parsed.limits
    row.budget_fen, row.per_member_limit, row.total_limit = (limits.budget, limits.per_member,
                                                             limits.total)


def _checked_status(session: Session, merchant_id: int, row: StoredPromotion) -> None:
    """Run the red line on the stored document; hold the promotion when it breaks one."""
    row.red_line = _red_line(session, merchant_id, engine_promotion(row))
    row.status = "pending_approval" if row.red_line else "active"
    row.reviewed_by = row.reviewed_at = row.review_note = None


def create(session: Session, merchant_id: int, body: object, *, actor: str,
           now: datetime) -> StoredPromotion:
    parsed = parse_document(body)
    code = parsed.doc.get("id")
    if code is not None and repo.by_code(session, merchant_id, code) is not None:
        raise Conflict(f"id: 促销 {code} 已存在", field="id", code="duplicate_promotion")
    row = StoredPromotion(merchant_id=merchant_id, code=code or "new-" + secrets.token_hex(6),
                          status="active", updated_by=actor, updated_at=now, created_at=now)
    _apply(row, parsed)
    session.add(row)
    session.flush()
    if code is None:
        row.code = f"P{row.id}"
    _checked_status(session, merchant_id, row)
    session.flush()
    audit.record(session, merchant_id, actor=actor, action="create", entity="promotion",
                 entity_id=row.id, after=_snapshot(row))
    return row


def edit(session: Session, merchant_id: int, code: str, body: object, *, actor: str,
         now: datetime) -> StoredPromotion:
    row = repo.require(session, merchant_id, code)
    parsed = parse_document(body, code=row.code)
    before = _snapshot(row)
    _apply(row, parsed)
    if row.status == "disabled":
        row.red_line = _red_line(session, merchant_id, engine_promotion(row))
    else:
        _checked_status(session, merchant_id, row)
    row.updated_by, row.updated_at = actor, now
    session.flush()
    audit.record(session, merchant_id, actor=actor, action="update", entity="promotion",
                 entity_id=row.id, before=before, after=_snapshot(row))
    return row


def _set_status(session: Session, row: StoredPromotion, status: str, *, actor: str,
                action: str, now: datetime, note: str | None = None) -> StoredPromotion:
    before = _snapshot(row)
    row.status = status
    if action in ("approve", "reject"):
        row.reviewed_by, row.reviewed_at, row.review_note = actor, now, note
    session.flush()
    audit.record(session, row.merchant_id, actor=actor, action=action, entity="promotion",
                 entity_id=row.id, before=before, after={**_snapshot(row), "note": note})
    return row


def disable(session: Session, merchant_id: int, code: str, *, actor: str,
            now: datetime) -> StoredPromotion:
    row = repo.require(session, merchant_id, code)
    if row.status == "disabled":
        return row
    return _set_status(session, row, "disabled", actor=actor, action="disable", now=now)


def enable(session: Session, merchant_id: int, code: str, *, actor: str,
           now: datetime) -> StoredPromotion:
    row = repo.require(session, merchant_id, code)
    if row.status not in ("disabled", "rejected"):
        return row
    before = _snapshot(row)
    _checked_status(session, merchant_id, row)
    row.updated_by, row.updated_at = actor, now
    session.flush()
    audit.record(session, merchant_id, actor=actor, action="enable", entity="promotion",
                 entity_id=row.id, before=before, after=_snapshot(row))
    return row


def review(session: Session, merchant_id: int, code: str, *, approve: bool,
           principal: Principal, now: datetime, note: str | None = None) -> StoredPromotion:
    if principal.role not in APPROVERS:
        raise Forbidden(f"角色 {principal.role} 无权审批促销 (需要 owner 或 legal)",
                        field="role")
    row = repo.require(session, merchant_id, code)
    if row.status != "pending_approval":
        raise Conflict(f"promotion {code} 不在待审批状态 ({row.status})", field="status",
                       code="not_pending")
    if principal.role != "owner" and row.updated_by == principal.actor:
        raise Forbidden("不能审批自己最后修改的促销", field="role", code="self_approval")
    return _set_status(session, row, "active" if approve else "rejected",
                       actor=principal.actor, action="approve" if approve else "reject",
                       now=now, note=note)


def list_promotions(session: Session, merchant_id: int, *, status: str | None = None,
                    limit: int = 50, offset: int = 0) -> tuple[list[StoredPromotion], int]:
    if status is not None and status not in PROMOTION_STATUSES:
        raise InvalidInput(f"status: 可选 {', '.join(PROMOTION_STATUSES)}", field="status")
    return repo.search(session, merchant_id, status=status, limit=limit, offset=offset)


def get(session: Session, merchant_id: int, code: str) -> StoredPromotion:
    return repo.require(session, merchant_id, code)


def documents(session: Session, merchant_id: int, rows: list[StoredPromotion]) -> list[dict]:
    used = repo.usage(session, merchant_id, [r.id for r in rows])
    return [document(r, used.get(r.id, (0, 0))) for r in rows]


def document(row: StoredPromotion, used: tuple[int, int] = (0, 0)) -> dict:
    """The promotion as the API shows it: its contract-1 document with budget fields,
    then what the server adds (status, what orders used, red line, review)."""
    doc = {"id": row.code, **{k: v for k, v in row.rule.items() if k != "id"}}
    if row.budget_fen is not None:
        doc["budget"] = fmt_yuan(row.budget_fen)
    if row.per_member_limit is not None:
        doc["per_member_limit"] = row.per_member_limit
    if row.total_limit is not None:
        doc["total_limit"] = row.total_limit
    review_doc = None
    if row.reviewed_by:
        review_doc = {"by": row.reviewed_by, "at": row.reviewed_at.isoformat(),
                      "note": row.review_note}
    return {**doc, "status": row.status, "spent": fmt_yuan(used[0]), "uses": used[1],
            "red_line": row.red_line, "review": review_doc,
            "created_at": row.created_at.isoformat(), "updated_at": row.updated_at.isoformat(),
            "updated_by": row.updated_by}

