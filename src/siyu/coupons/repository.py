"""Every query of coupons, scoped to one merchant."""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from siyu.coupons.models import CouponIssue, CouponTemplate, MemberCoupon
from siyu.db.scope import require_scoped, scoped


def require_template(session: Session, merchant_id: int, template_id: int, *,
                     for_update: bool = False) -> CouponTemplate:
    return require_scoped(session, CouponTemplate, merchant_id, template_id, "coupon_template",
                          for_update=for_update)


def search_templates(session: Session, merchant_id: int, *, status: str | None,
                     active: bool | None, limit: int,
                     offset: int) -> tuple[list[CouponTemplate], int]:
    stmt = scoped(CouponTemplate, merchant_id)
    if status is not None:
        stmt = stmt.where(CouponTemplate.status == status)
    if active is True:
        stmt = stmt.where(CouponTemplate.status == "active")
    elif active is False:
        stmt = stmt.where(CouponTemplate.status != "active")
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = session.scalars(stmt.order_by(CouponTemplate.id.desc()).limit(limit).offset(offset))
    return list(rows), total


def active_templates(session: Session, merchant_id: int) -> list[CouponTemplate]:
    stmt = scoped(CouponTemplate, merchant_id).where(CouponTemplate.status == "active")
    return list(session.scalars(stmt.order_by(CouponTemplate.id)))


def by_source(session: Session, merchant_id: int, source_ref: str) -> MemberCoupon | None:
    stmt = scoped(MemberCoupon, merchant_id).where(MemberCoupon.source_ref == source_ref)
    return session.scalars(stmt).one_or_none()


def _insert(session: Session):
    dialect = session.get_bind().dialect.name
    return postgresql.insert if dialect == "postgresql" else sqlite.insert


def insert_once(session: Session, row: dict) -> MemberCoupon:
    """Insert a coupon unless its source_ref is stored already; return the stored one."""
    stmt = _insert(session)(MemberCoupon.__table__).values(code=secrets.token_hex(6).upper(),
                                                            **row)
    session.execute(stmt.on_conflict_do_nothing(index_elements=["merchant_id", "source_ref"]))
    return by_source(session, row["merchant_id"], row["source_ref"])


def of_member(session: Session, merchant_id: int, member_id: int, *, status: str | None = None,
              now: datetime | None = None) -> list[MemberCoupon]:
    stmt = scoped(MemberCoupon, merchant_id).where(MemberCoupon.member_id == member_id)
    if status == "expired":
        stmt = stmt.where(MemberCoupon.status.in_(("unused", "expired")),
                          MemberCoupon.valid_until < now)
    elif status == "unused":
        stmt = stmt.where(MemberCoupon.status == "unused")
        stmt = stmt.where((MemberCoupon.valid_until.is_(None)) | (MemberCoupon.valid_until >= now))
    elif status:
        stmt = stmt.where(MemberCoupon.status == status)
    return list(session.scalars(stmt.order_by(MemberCoupon.id.desc())))


def issue_by_key(session: Session, merchant_id: int, key: str) -> CouponIssue | None:
    stmt = scoped(CouponIssue, merchant_id).where(CouponIssue.idempotency_key == key)
    return session.scalars(stmt).one_or_none()


def insert_issue_once(session: Session, row: dict) -> CouponIssue:
    """Store an issue's answer unless one is stored for its key (a concurrent retry won);
    return the stored one."""
    stmt = _insert(session)(CouponIssue.__table__).values(**row)
    session.execute(stmt.on_conflict_do_nothing(
        index_elements=["merchant_id", "idempotency_key"]))
    return issue_by_key(session, row["merchant_id"], row["idempotency_key"])


def claims_between(session: Session, merchant_id: int, *, since: datetime | None,
                   until: datetime | None) -> list[tuple[int, datetime]]:
    """(member_id, when) of every coupon members took from a template (claimed or issued)
    in [since, until): the 羊毛党 velocity rule of risk control reads them."""
    stmt = (scoped(MemberCoupon, merchant_id)
            .where(MemberCoupon.template_id.is_not(None))
            .with_only_columns(MemberCoupon.member_id, MemberCoupon.created_at))
    if since is not None:
        stmt = stmt.where(MemberCoupon.created_at >= since)
    if until is not None:
        stmt = stmt.where(MemberCoupon.created_at < until)
    return [(m, at) for m, at in session.execute(stmt.order_by(MemberCoupon.created_at))]
