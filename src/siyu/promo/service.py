"""Use cases of stored promotions: create, edit, list, disable, enable, approve, reject;
the merchant's promotion settings. Every change is audit-logged.

Status: `active` (applies in quotes), `pending_approval` (its worst-case price breaks a
red line: held until an approver decides; never applies), `pending_review` (its name
waits for the legal copy review, see `copy_review`; never applies), `rejected`,
`disabled`.
Creating, editing or enabling runs the red-line check again: an edit of an approved
promotion needs approval again if it still breaks a line. Approvers: owner and legal
(法务, who reviews promotion rules in the seeds); a legal reviewer may not approve a
promotion they last edited themselves (four eyes), the owner may.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from siyu.audit import service as audit
from siyu.catalog.models import Product
from siyu.core.clock import beijing_iso
from siyu.core.errors import Conflict, Forbidden, InvalidInput
from siyu.core.money import fmt_yuan, parse_yuan
from siyu.db.scope import scoped
from siyu.merchants import service as merchants
from siyu.merchants.service import Principal
from siyu.promo import copy_review, redline
from siyu.promo import repository as repo
from siyu.promo.documents import Limits, PromotionDocument, parse_document
from siyu.promo.models import PROMOTION_STATUSES, StoredPromotion
from siyu.promo.schemas import Promotion, parse_promotion
from siyu.promo.wallet import COUPON_GROUP

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
    """The merchant's active catalog as the red line reads it."""
    stmt = scoped(Product, merchant_id).where(Product.active.is_(True)).order_by(Product.id)
    return [redline.Product(p.sku, p.price_fen, p.cost_fen, p.daily_price_fen,
                            p.category or None, frozenset(p.tags or []))
            for p in session.scalars(stmt)]


def coupon_offer(label: str, document: dict, index: int = 0) -> Promotion:
    """A coupon template's rule as the engine sees the coupons it issues: in the wallet's
    coupon stack group (one coupon per order), after automatic promotions of equal
    priority."""
    return parse_promotion({**document, "id": label, "stack_group": COUPON_GROUP}, "coupon",
                           is_coupon=True, index=index)


def _live(session: Session, merchant_id: int) -> list[Promotion]:
    """What a promotion or coupon may stack on: the merchant's active promotions and the
    rules of its active coupon templates (the coupons members can claim)."""
    from siyu.coupons import templates  # coupons sit above promo: import late

    live = [engine_promotion(r, i) for i, r in enumerate(repo.active(session, merchant_id))]
    return live + [coupon_offer(label, doc, len(live) + i) for i, (label, doc)
                   in enumerate(templates.active_documents(session, merchant_id))]


@dataclass
class RedLineContext:
    """What every red-line check of one merchant reads: its rules, its catalog and the
    live offers a promotion or coupon may stack on. Read once for a loop of checks."""

    rules: redline.RedLineRules
    products: list[redline.Product]
    live: list[Promotion]

    def without(self, offer_id: str) -> None:
        """An offer held during the loop no longer stacks on the ones checked after it."""
        self.live = [q for q in self.live if q.id != offer_id]


def red_line_context(session: Session, merchant_id: int) -> RedLineContext:
    return RedLineContext(red_line_rules(session, merchant_id),
                          _catalog(session, merchant_id), _live(session, merchant_id))


def _red_line(session: Session, merchant_id: int, promotion: Promotion,
              context: RedLineContext | None = None) -> list[dict]:
    ctx = context or red_line_context(session, merchant_id)
    others = [q for q in ctx.live if q.id != promotion.id]
    return [v.document() for v in redline.check(promotion, ctx.products, ctx.rules, others)]


def recheck_red_lines(session: Session, merchant_id: int, skus: list[str], *, actor: str,
                      now: datetime) -> list[str]:
    """After the price, cost or daily price of `skus` changed: every live promotion whose
    worst case for one of them now breaks a red line it was not approved for (a new SKU
    or rule, or a lower worst price) is held for approval again. The codes held."""
    live = repo.active(session, merchant_id)
    if not live or not skus:
        return []
    ctx = red_line_context(session, merchant_id)
    changed = [p for p in ctx.products if p.sku in set(skus)]
    held = []
    for row in live:
        promotion = engine_promotion(row)
        if not redline.in_scope(promotion, changed):
            continue
        findings = _red_line(session, merchant_id, promotion, ctx)
        worse = newly_broken(findings, row.red_line, skus)
        if not worse:
            continue
        before = _snapshot(row)
        row.red_line, row.status = findings, "pending_approval"
        row.reviewed_by = row.reviewed_at = None
        row.review_note = (f"商品 {'、'.join(sorted({f['sku'] for f in worse}))} 价格或成本变更后"
                           f"触及红线, 已暂停, 待审批")
        session.flush()
        audit.record(session, merchant_id, actor=actor, action="red_line_hold",
                     entity="promotion", entity_id=row.id, before=before,
                     after={**_snapshot(row), "note": row.review_note})
        ctx.without(row.code)
        held.append(row.code)
    return held


def newly_broken(findings: list[dict], approved: list[dict] | None,
                 skus: list[str]) -> list[dict]:
    """The findings for `skus` that go below what was approved: a SKU or rule not among
    the `approved` findings, or a lower worst price than the approved one."""
    was = {(f["sku"], f["rule"]): parse_yuan(f["worst_price"]) for f in approved or []}
    return [f for f in findings if f["sku"] in skus and parse_yuan(f["worst_price"])
            < was.get((f["sku"], f["rule"]), parse_yuan(f["price"]) + 1)]


def red_line_for_coupon(session: Session, merchant_id: int, label: str, document: dict,
                        context: RedLineContext | None = None) -> list[dict]:
    """The red-line findings of a coupon template's rule (a contract-1 PROMOTION document),
    as a coupon stacked on the merchant's live promotions: [] when it breaks none."""
    return _red_line(session, merchant_id, coupon_offer(label, document), context)


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
    review = copy_review.scan(session, merchant_id, parsed.promotion.name)  # blocks: 422
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
    copy_review.hold(session, row, review, actor=actor, now=now)
    session.flush()
    audit.record(session, merchant_id, actor=actor, action="create", entity="promotion",
                 entity_id=row.id, after=_snapshot(row))
    return row


def edit(session: Session, merchant_id: int, code: str, body: object, *, actor: str,
         now: datetime) -> StoredPromotion:
    row = repo.require(session, merchant_id, code)
    parsed = parse_document(body, code=row.code)
    review = copy_review.scan(session, merchant_id, parsed.promotion.name)  # blocks: 422
    before = _snapshot(row)
    _apply(row, parsed)
    if row.status == "disabled":
        row.red_line = _red_line(session, merchant_id, engine_promotion(row))
    else:
        _checked_status(session, merchant_id, row)
    copy_review.hold(session, row, review, actor=actor, now=now)
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
    review = copy_review.scan(session, merchant_id, row.name)  # words may have changed
    _checked_status(session, merchant_id, row)
    copy_review.hold(session, row, review, actor=actor, now=now)
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
        raise Conflict(f"促销 {code} 不在待审批状态 ({row.status})", field="status",
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
        review_doc = {"by": row.reviewed_by, "at": beijing_iso(row.reviewed_at),
                      "note": row.review_note}
    warnings = []
    if row.budget_fen is not None and used[0] >= row.budget_fen:
        warnings.append(f"预算 {fmt_yuan(row.budget_fen)} 元已用完 (已用 {fmt_yuan(used[0])} 元): "
                        "不再给出此优惠")
    if row.total_limit is not None and used[1] >= row.total_limit:
        warnings.append(f"总使用次数 {row.total_limit} 已用完 (已用 {used[1]} 次): 不再给出此优惠")
    return {**doc, "status": row.status, "spent": fmt_yuan(used[0]), "uses": used[1],
            "warnings": warnings, "red_line": row.red_line, "review": review_doc,
            "created_at": beijing_iso(row.created_at), "updated_at": beijing_iso(row.updated_at),
            "updated_by": row.updated_by}

