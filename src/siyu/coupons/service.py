"""Use cases of limited coupons: templates, claims on the hot backend, a member's coupons.

A template's stock is a hot pool (`coupon:<id>`, units = total stock, the template's
per-member limit), so coupons are never over-issued however many members claim at
once. `grant` issues a coupon from any source (a claim, a tiered envelope), once per
`source_ref`.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from siyu.audit import service as audit
from siyu.core.errors import Conflict, Gone, InvalidInput
from siyu.core.money import fmt_yuan
from siyu.coupons import repository as repo
from siyu.coupons.models import CouponTemplate, MemberCoupon
from siyu.coupons.schemas import CouponOut, TemplateIn, TemplateOut
from siyu.hot import Hot, LimitReached, PoolEmpty


class CouponsSoldOut(Gone):
    code = "sold_out"


class ClaimLimitReached(Conflict):
    code = "limit_reached"


class ClaimNotActive(Conflict):
    code = "not_active"


def pool_key(template_id: int) -> str:
    return f"coupon:{template_id}"


def create_template(session: Session, hot: Hot, merchant_id: int, data: TemplateIn, *,
                    now: datetime, actor: str) -> CouponTemplate:
    from siyu.hongbao.service import check_copy

    if data.face_value <= 0:
        raise InvalidInput("face_value: 面额必须大于 0", field="face_value")
    if data.min_spend and data.face_value > data.min_spend:
        raise InvalidInput("face_value: 面额不能高于使用门槛", field="face_value")
    if data.claim_starts_at and data.claim_ends_at and data.claim_ends_at <= data.claim_starts_at:
        raise InvalidInput("claim_ends_at: 须晚于 claim_starts_at", field="claim_ends_at")
    check_copy(data.name, "name")
    template = CouponTemplate(
        merchant_id=merchant_id, name=data.name, face_value_fen=data.face_value,
        min_spend_fen=data.min_spend, total=data.total, per_member_limit=data.per_member_limit,
        claim_starts_at=data.claim_starts_at, claim_ends_at=data.claim_ends_at,
        valid_until=data.valid_until, valid_days=data.valid_days, active=True, created_at=now)
    session.add(template)
    session.flush()
    template.pool_key = pool_key(template.id)
    hot.create_pool(session, template.pool_key, merchant_id=merchant_id, units=data.total,
                    per_member_limit=data.per_member_limit, now=now)
    audit.record(session, merchant_id, actor=actor, action="create", entity="coupon_template",
                 entity_id=template.id,
                 after={"name": data.name, "face_value": fmt_yuan(data.face_value),
                        "total": data.total, "per_member_limit": data.per_member_limit})
    session.flush()
    return template


def grant(session: Session, merchant_id: int, member_id: int, *, name: str, face_value: int,
          valid_from: datetime, valid_until: datetime | None, source_ref: str, now: datetime,
          min_spend: int = 0, template_id: int | None = None) -> MemberCoupon:
    """Give a member a coupon, once per source_ref (a retry returns the same coupon)."""
    return repo.insert_once(session, {
        "merchant_id": merchant_id, "template_id": template_id, "member_id": member_id,
        "name": name, "face_value_fen": face_value, "min_spend_fen": min_spend,
        "valid_from": valid_from, "valid_until": valid_until, "status": "unused",
        "source_ref": source_ref, "created_at": now})


def claim(session: Session, hot: Hot, merchant_id: int, template_id: int, member_id: int, *,
          idem_key: str, now: datetime) -> MemberCoupon:
    from siyu.members import service as members

    template = repo.require_template(session, merchant_id, template_id)
    members.require_active(session, merchant_id, member_id)
    if (not template.active or (template.claim_starts_at and now < template.claim_starts_at)
            or (template.claim_ends_at and now >= template.claim_ends_at)):
        stored = hot.find(session, template.pool_key, member_id, idem_key)
        if stored is None:
            raise ClaimNotActive(f"优惠券 {template_id} 不在领取时间内", field="template_id")
        taken = stored
    else:
        try:
            taken = hot.take(session, template.pool_key, member_id, 1, idem_key=idem_key,
                             now=now, amount=template.face_value_fen)
        except LimitReached:
            raise ClaimLimitReached(f"已达每人限领 {template.per_member_limit} 张",
                                    field="member_id") from None
        except PoolEmpty:
            raise CouponsSoldOut(f"优惠券 {template_id} 已领完", field="template_id") from None
    valid_until = template.valid_until
    if template.valid_days:
        by_days = taken.at + timedelta(days=template.valid_days)
        valid_until = by_days if valid_until is None else min(valid_until, by_days)
    return grant(session, merchant_id, member_id, name=template.name,
                 face_value=template.face_value_fen, min_spend=template.min_spend_fen,
                 valid_from=taken.at, valid_until=valid_until,
                 source_ref=f"{template.pool_key}:{taken.seq}", now=now,
                 template_id=template.id)


def template_out(session: Session, hot: Hot, template: CouponTemplate) -> TemplateOut:
    state = hot.state(session, template.pool_key)
    return TemplateOut(
        id=template.id, name=template.name, face_value=template.face_value_fen,
        min_spend=template.min_spend_fen, total=template.total,
        per_member_limit=template.per_member_limit, claimed=template.total - state.remaining,
        remaining=state.remaining, claim_starts_at=template.claim_starts_at,
        claim_ends_at=template.claim_ends_at, valid_until=template.valid_until,
        valid_days=template.valid_days, active=template.active)


def get_template(session: Session, hot: Hot, merchant_id: int, template_id: int) -> TemplateOut:
    return template_out(session, hot, repo.require_template(session, merchant_id, template_id))


def coupon_out(c: MemberCoupon, *, now: datetime) -> CouponOut:
    expired = c.status == "unused" and c.valid_until is not None and c.valid_until < now
    return CouponOut(id=c.id, template_id=c.template_id, member_id=c.member_id, code=c.code,
                     name=c.name, face_value=c.face_value_fen, min_spend=c.min_spend_fen,
                     valid_from=c.valid_from, valid_until=c.valid_until,
                     status="expired" if expired else c.status)


def member_coupons(session: Session, merchant_id: int, member_id: int, *, now: datetime,
                   status: str | None = None) -> list[CouponOut]:
    from siyu.members import service as members

    members.require_active(session, merchant_id, member_id)
    rows = repo.of_member(session, merchant_id, member_id, status=status, now=now)
    return [coupon_out(c, now=now) for c in rows]
