"""Use cases of coupons members hold: claims on the hot backend, grants from any source,
a member's coupons. Templates are `templates`, 发券 batches `issue`.

A template's stock is a hot pool (`coupon:<id>`, units = total stock, the template's
per-member limit), so coupons are never over-issued however many members claim (or
are issued coupons) at once. `grant` issues a coupon from any source (a claim, an
issue, a tiered envelope), once per `source_ref`. A claim is refused without touching
the pool when the template is not active or its claim window has not opened (409
not_active), when the window has closed (410 claim_ended) or when its coupons are no
longer valid (410 coupon_expired); a retry of a claim that succeeded still gets its
coupon back.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from siyu.core.clock import fmt_beijing
from siyu.core.errors import Conflict, Gone
from siyu.coupons import engine
from siyu.coupons import repository as repo
from siyu.coupons.engine import CouponRule
from siyu.coupons.models import CouponTemplate, MemberCoupon
from siyu.coupons.schemas import CouponOut
from siyu.coupons.templates import (  # noqa: F401 - create_template, template_out: callers
    create_template,
    pool_key,
    rule_of,
    template_out,
)
from siyu.hot import Hot, LimitReached, PoolEmpty, Taken


class CouponsSoldOut(Gone):
    code = "sold_out"


class ClaimLimitReached(Conflict):
    code = "limit_reached"


class ClaimNotActive(Conflict):
    code = "not_active"


class ClaimEnded(Gone):
    code = "claim_ended"


class CouponExpired(Gone):
    code = "coupon_expired"


def refuse_expired(template: CouponTemplate, *, now: datetime) -> None:
    """Coupons of this template would be born expired: 410."""
    if template.valid_until is not None and now >= template.valid_until:
        raise CouponExpired(
            f"优惠券 {template.id} 已过有效期 (截至北京时间 {fmt_beijing(template.valid_until)}),"
            " 不能再领取或发放", field="template_id")


def refuse_inactive(template: CouponTemplate) -> None:
    if not template.active:
        raise ClaimNotActive(f"优惠券 {template.id} 当前不可领取或发放 (状态 {template.status})",
                             field="template_id")


def _refuse_claim(template: CouponTemplate, *, now: datetime) -> None:
    why = engine.claim_refusal(now=now, claim_starts_at=template.claim_starts_at,
                               claim_ends_at=template.claim_ends_at,
                               valid_until=template.valid_until)
    if why == "expired":
        refuse_expired(template, now=now)
    if why == "ended":
        raise ClaimEnded(f"优惠券 {template.id} 的领取已结束 (截至北京时间 "
                         f"{fmt_beijing(template.claim_ends_at)})", field="template_id")
    refuse_inactive(template)
    if why == "not_started":
        raise ClaimNotActive(f"优惠券 {template.id} 尚未开始领取 (北京时间 "
                             f"{fmt_beijing(template.claim_starts_at)} 开始)",
                             field="template_id")


def grant(session: Session, merchant_id: int, member_id: int, *, name: str, face_value: int,
          valid_from: datetime, valid_until: datetime | None, source_ref: str, now: datetime,
          min_spend: int = 0, template_id: int | None = None,
          rule: CouponRule | None = None) -> MemberCoupon:
    """Give a member a coupon, once per source_ref (a retry returns the same coupon).
    Without `rule` it is a fixed coupon of `face_value` from `min_spend`."""
    rule = rule or CouponRule("fixed", face_value, None, None, min_spend, None)
    return repo.insert_once(session, {
        "merchant_id": merchant_id, "template_id": template_id, "member_id": member_id,
        "name": name, "kind": rule.kind, "face_value_fen": rule.face_value,
        "percent": rule.percent, "max_off_fen": rule.max_off, "min_spend_fen": rule.min_spend,
        "scope": rule.scope, "valid_from": valid_from, "valid_until": valid_until,
        "status": "unused", "source_ref": source_ref, "created_at": now})


def grant_taken(session: Session, template: CouponTemplate, taken: Taken, *,
                now: datetime) -> MemberCoupon:
    """The coupon of one unit taken from the template's pool (a claim or an issue)."""
    valid_until = template.valid_until
    if template.valid_days:
        by_days = taken.at + timedelta(days=template.valid_days)
        valid_until = by_days if valid_until is None else min(valid_until, by_days)
    return grant(session, template.merchant_id, taken.member_id, name=template.name,
                 face_value=template.face_value_fen, valid_from=taken.at,
                 valid_until=valid_until, source_ref=f"{template.pool_key}:{taken.seq}",
                 now=now, template_id=template.id, rule=rule_of(template))


def claim(session: Session, hot: Hot, merchant_id: int, template_id: int, member_id: int, *,
          idem_key: str, now: datetime) -> MemberCoupon:
    from siyu.members import service as members

    template = repo.require_template(session, merchant_id, template_id)
    members.require_active(session, merchant_id, member_id)
    try:
        _refuse_claim(template, now=now)
    except (ClaimNotActive, Gone):
        stored = hot.find(session, template.pool_key, member_id, idem_key)
        if stored is None:
            raise
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
    return grant_taken(session, template, taken, now=now)


def coupon_out(c: MemberCoupon, *, now: datetime) -> CouponOut:
    expired = c.status == "unused" and c.valid_until is not None and c.valid_until < now
    return CouponOut(id=c.id, template_id=c.template_id, member_id=c.member_id, code=c.code,
                     name=c.name, kind=c.kind,
                     face_value=c.face_value_fen if c.kind == "fixed" else None,
                     percent=c.percent, max_off=c.max_off_fen, min_spend=c.min_spend_fen,
                     scope=c.scope, valid_from=c.valid_from, valid_until=c.valid_until,
                     status="expired" if expired else c.status)


def promotion_rule(c: CouponOut) -> dict:
    """A held coupon's rule as contract-1 PROMOTION fields (kind, amounts, scope): what
    the promotion engine prices (`promo.wallet`)."""
    return engine.rule_document(CouponRule(c.kind, c.face_value or 0, c.percent, c.max_off,
                                           c.min_spend, c.scope))


def member_coupons(session: Session, merchant_id: int, member_id: int, *, now: datetime,
                   status: str | None = None) -> list[CouponOut]:
    from siyu.members import service as members

    members.require_active(session, merchant_id, member_id)
    rows = repo.of_member(session, merchant_id, member_id, status=status, now=now)
    return [coupon_out(c, now=now) for c in rows]


def claims_between(session: Session, merchant_id: int, *, since: datetime | None,
                   until: datetime | None) -> list[tuple[int, datetime]]:
    """Coupons members took from templates in [since, until), for risk control."""
    return repo.claims_between(session, merchant_id, since=since, until=until)
