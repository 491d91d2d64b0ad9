"""Every query of limited coupons, scoped to one merchant."""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from siyu.coupons.models import CouponTemplate, MemberCoupon
from siyu.db.scope import require_scoped, scoped


def require_template(session: Session, merchant_id: int, template_id: int) -> CouponTemplate:
    return require_scoped(session, CouponTemplate, merchant_id, template_id, "coupon_template")


def by_source(session: Session, merchant_id: int, source_ref: str) -> MemberCoupon | None:
    stmt = scoped(MemberCoupon, merchant_id).where(MemberCoupon.source_ref == source_ref)
    return session.scalars(stmt).one_or_none()


def insert_once(session: Session, row: dict) -> MemberCoupon:
    """Insert a coupon unless its source_ref is stored already; return the stored one."""
    table = MemberCoupon.__table__
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = insert(table).values(code=secrets.token_hex(6).upper(), **row)
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

