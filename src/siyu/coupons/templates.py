"""Use cases of coupon templates: create, list, show, disable, enable, approve or reject
a red-line hold. Every change is audit-logged.

Status (models.TEMPLATE_STATUSES): a new template is checked twice, like a promotion.
Its name is copy members read: one that blocks is refused (422 copy_blocked); one that
needs a review holds it as `pending_review`, queued for the legal role (`copy_review`).
Its rule goes through the price red line (`siyu.promo.service.red_line_for_coupon` on
the template's contract-1 PROMOTION document, as a coupon stacked on the live
promotions): findings hold it as `pending_approval`
(shown in `red_line`) until an approver (owner or legal) approves or rejects it.
The copy review comes first: approved copy runs the red line again. Only an `active`
template can be claimed or issued; disabling stops new coupons, coupons already held
stay usable until they expire.
Enabling a disabled or rejected template runs both checks again. A price, cost or
daily-price change of a product rechecks the active templates (`recheck_red_lines`),
and an active template is in turn part of every promotion's stacked worst case.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from siyu.audit import service as audit
from siyu.core.clock import fmt_beijing
from siyu.core.errors import Conflict, Forbidden, InvalidInput
from siyu.coupons import engine
from siyu.coupons import repository as repo
from siyu.coupons.models import TEMPLATE_STATUSES, CouponTemplate
from siyu.coupons.schemas import ReviewOut, TemplateIn, TemplateOut
from siyu.hot import Hot
from siyu.merchants.service import Principal

APPROVERS = ("owner", "legal")
COPY_SOURCE = "coupon_template"  # risk.reviews HANDLERS -> siyu.coupons.copy_review


def pool_key(template_id: int) -> str:
    return f"coupon:{template_id}"


def rule_of(t: CouponTemplate) -> engine.CouponRule:
    return engine.CouponRule(t.kind, t.face_value_fen, t.percent, t.max_off_fen,
                             t.min_spend_fen, t.scope)


def promotion_document(t: CouponTemplate) -> dict:
    """The template's rule as a contract-1 PROMOTION (what its coupons will do)."""
    return {"name": t.name, **engine.rule_document(rule_of(t))}


def red_line_label(t: CouponTemplate) -> str:
    """How red-line findings name the template (in `stacked_with`, say)."""
    return f"券#{t.id}「{t.name}」"


def active_documents(session: Session, merchant_id: int) -> list[tuple[str, dict]]:
    """The rules of the templates whose coupons can be claimed or issued now, labelled:
    what a promotion's worst case stacks them on."""
    return [(red_line_label(t), promotion_document(t))
            for t in repo.active_templates(session, merchant_id)]


def _red_line(session: Session, t: CouponTemplate, context=None) -> list[dict]:
    """The template's red-line findings; `context`: a promo.RedLineContext read once for
    a loop of checks."""
    from siyu.promo import service as promo  # coupons sit above promo: import late

    return promo.red_line_for_coupon(session, t.merchant_id, red_line_label(t),
                                     promotion_document(t), context)


def _snapshot(t: CouponTemplate) -> dict:
    return {"name": t.name, **engine.rule_document(rule_of(t)), "total": t.total,
            "per_member_limit": t.per_member_limit, "status": t.status,
            "red_line": t.red_line or []}


def _check_times(data: TemplateIn, now: datetime) -> None:
    starts, ends, until = data.claim_starts_at, data.claim_ends_at, data.valid_until
    if starts and ends and ends <= starts:
        raise InvalidInput("claim_ends_at: 须晚于 claim_starts_at", field="claim_ends_at")
    if until is not None and until <= now:
        raise InvalidInput(f"valid_until: 有效期截止时间 {fmt_beijing(until)} (北京时间) 已过",
                           field="valid_until")
    if ends is not None and ends <= now:
        raise InvalidInput(f"claim_ends_at: 领取截止时间 {fmt_beijing(ends)} (北京时间) 已过",
                           field="claim_ends_at")
    if until is not None and starts is not None and until <= starts:
        raise InvalidInput("valid_until: 须晚于 claim_starts_at, 否则领到的券已过期",
                           field="valid_until")


def _check(session: Session, t: CouponTemplate, copy_review: dict, *, actor: str,
           now: datetime) -> None:
    """Run the red line and set the status from both checks; queue held copy."""
    from siyu.risk import reviews as copy_reviews

    t.red_line = _red_line(session, t)
    t.reviewed_by = t.reviewed_at = t.review_note = None
    if copy_review:
        t.status = "pending_review"
        session.flush()
        copy_reviews.submit(session, t.merchant_id, source=COPY_SOURCE, source_id=t.id,
                            texts={"name": t.name}, findings=copy_review, actor=actor, now=now)
        return
    t.status = "pending_approval" if t.red_line else "active"
    copy_reviews.withdraw(session, t.merchant_id, source=COPY_SOURCE, source_id=t.id,
                          actor=actor, now=now)


def after_copy_review(session: Session, t: CouponTemplate, *, actor: str,
                      now: datetime) -> None:
    """Legal approved the name: the red line decides (active or pending_approval)."""
    _check(session, t, {}, actor=actor, now=now)


def create_template(session: Session, hot: Hot, merchant_id: int, data: TemplateIn, *,
                    now: datetime, actor: str) -> CouponTemplate:
    """A new template, active or held (see the module docstring); bad input is 422
    naming the field and stores nothing."""
    from siyu.risk import service as copy_risk

    rule = engine.check_rule(
        data.kind, face_value=data.face_value, percent=data.percent, max_off=data.max_off,
        min_spend=data.min_spend,
        scope=data.scope.model_dump(exclude_none=True) if data.scope else None)
    _check_times(data, now)
    review = copy_risk.check_copy(session, merchant_id, {"name": data.name})  # blocks: 422
    t = CouponTemplate(
        merchant_id=merchant_id, name=data.name, kind=rule.kind, face_value_fen=rule.face_value,
        percent=rule.percent, max_off_fen=rule.max_off, min_spend_fen=rule.min_spend,
        scope=rule.scope, total=data.total, per_member_limit=data.per_member_limit,
        claim_starts_at=data.claim_starts_at, claim_ends_at=data.claim_ends_at,
        valid_until=data.valid_until, valid_days=data.valid_days, status="active",
        created_by=actor, created_at=now)
    session.add(t)
    session.flush()
    t.pool_key = pool_key(t.id)
    hot.create_pool(session, t.pool_key, merchant_id=merchant_id, units=data.total,
                    per_member_limit=data.per_member_limit, now=now)
    _check(session, t, review, actor=actor, now=now)
    session.flush()
    audit.record(session, merchant_id, actor=actor, action="create", entity="coupon_template",
                 entity_id=t.id, after=_snapshot(t))
    return t


def get(session: Session, merchant_id: int, template_id: int) -> CouponTemplate:
    return repo.require_template(session, merchant_id, template_id)


def list_templates(session: Session, merchant_id: int, *, status: str | None = None,
                   active: bool | None = None, limit: int = 50,
                   offset: int = 0) -> tuple[list[CouponTemplate], int]:
    if status is not None and status not in TEMPLATE_STATUSES:
        raise InvalidInput(f"status: 可选 {', '.join(TEMPLATE_STATUSES)}", field="status")
    return repo.search_templates(session, merchant_id, status=status, active=active,
                                 limit=limit, offset=offset)


def _set_status(session: Session, t: CouponTemplate, status: str, *, actor: str,
                action: str, before: dict) -> CouponTemplate:
    t.status = status
    session.flush()
    audit.record(session, t.merchant_id, actor=actor, action=action, entity="coupon_template",
                 entity_id=t.id, before=before, after=_snapshot(t))
    return t


def disable(session: Session, merchant_id: int, template_id: int, *, actor: str,
            now: datetime) -> CouponTemplate:
    """No new claims or issues; coupons already held stay usable until they expire."""
    t = repo.require_template(session, merchant_id, template_id, for_update=True)
    if t.status == "disabled":
        return t
    return _set_status(session, t, "disabled", actor=actor, action="disable",
                       before=_snapshot(t))


def enable(session: Session, merchant_id: int, template_id: int, *, actor: str,
           now: datetime) -> CouponTemplate:
    """A disabled or rejected template goes through the copy scan and the red line again."""
    from siyu.risk import service as copy_risk

    t = repo.require_template(session, merchant_id, template_id, for_update=True)
    if t.status not in ("disabled", "rejected"):
        return t
    before = _snapshot(t)
    review = copy_risk.check_copy(session, merchant_id, {"name": t.name})  # blocks: 422
    _check(session, t, review, actor=actor, now=now)
    session.flush()
    audit.record(session, merchant_id, actor=actor, action="enable", entity="coupon_template",
                 entity_id=t.id, before=before, after=_snapshot(t))
    return t


def review(session: Session, merchant_id: int, template_id: int, *, approve: bool,
           principal: Principal, now: datetime, note: str | None = None) -> CouponTemplate:
    """An approver's decision on a template held by the red line."""
    if principal.role not in APPROVERS:
        raise Forbidden(f"角色 {principal.role} 无权审批优惠券 (需要 owner 或 legal)",
                        field="role")
    t = repo.require_template(session, merchant_id, template_id, for_update=True)
    if t.status != "pending_approval":
        raise Conflict(f"status: 优惠券 {template_id} 不在待审批状态 ({t.status})",
                       field="status", code="not_pending")
    before = _snapshot(t)
    t.reviewed_by, t.reviewed_at, t.review_note = principal.actor, now, note
    return _set_status(session, t, "active" if approve else "rejected", actor=principal.actor,
                       action="approve" if approve else "reject", before=before)


def recheck_red_lines(session: Session, merchant_id: int, skus: list[str], *, actor: str,
                      now: datetime) -> list[int]:
    """After the price, cost or daily price of `skus` changed: every active template whose
    worst case for one of them now breaks a red line it was not approved for is held for
    approval again (audited as `red_line_hold`). The ids held."""
    from siyu.promo import service as promo

    live = repo.active_templates(session, merchant_id)
    if not live or not skus:
        return []
    ctx = promo.red_line_context(session, merchant_id)
    held = []
    for t in live:
        findings = _red_line(session, t, ctx)
        worse = promo.newly_broken(findings, t.red_line, skus)
        if not worse:
            continue
        before = _snapshot(t)
        t.red_line, t.reviewed_by, t.reviewed_at = findings, None, None
        t.review_note = (f"商品 {'、'.join(sorted({f['sku'] for f in worse}))} 价格或成本变更后"
                         f"触及红线, 已暂停, 待审批")
        _set_status(session, t, "pending_approval", actor=actor, action="red_line_hold",
                    before=before)
        ctx.without(red_line_label(t))
        held.append(t.id)
    return held


def template_out(session: Session, hot: Hot, t: CouponTemplate) -> TemplateOut:
    state = hot.state(session, t.pool_key)
    review_doc = (ReviewOut(by=t.reviewed_by, at=t.reviewed_at, note=t.review_note)
                  if t.reviewed_by and t.reviewed_at else None)
    return TemplateOut(
        id=t.id, name=t.name, kind=t.kind, label=engine.describe(rule_of(t)),
        face_value=t.face_value_fen if t.kind == "fixed" else None, percent=t.percent,
        max_off=t.max_off_fen, min_spend=t.min_spend_fen, scope=t.scope, total=t.total,
        per_member_limit=t.per_member_limit, claimed=t.total - state.remaining,
        remaining=state.remaining, claim_starts_at=t.claim_starts_at,
        claim_ends_at=t.claim_ends_at, valid_until=t.valid_until, valid_days=t.valid_days,
        status=t.status, active=t.active, red_line=t.red_line or [], review=review_doc,
        created_at=t.created_at)

