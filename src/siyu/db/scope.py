"""Tenancy in one place: every read of a merchant's rows starts from `scoped()`.

A row of another merchant is simply not found, so callers answer 404 and leak nothing.
"""

from __future__ import annotations

from typing import TypeVar

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from siyu.core.errors import NotFound

T = TypeVar("T")


def scoped(model: type[T], merchant_id: int) -> Select[tuple[T]]:
    return select(model).where(model.merchant_id == merchant_id)  # type: ignore[attr-defined]


# What users call each kind of row in a "not found" message.
LABELS = {
    "coupon_template": "券模板", "envelope": "红包", "envelope_rain": "红包雨",
    "experiment": "实验", "flash_sale": "秒杀场次", "group": "社群", "incident": "事件单",
    "join_request": "入群申请", "live_code": "活码", "member": "会员", "message": "消息",
    "order": "订单", "product": "商品", "promotion": "促销", "review": "审核单",
    "risk_hit": "风控命中", "segment": "人群",
}


def get_scoped(session: Session, model: type[T], merchant_id: int, row_id: int) -> T | None:
    stmt = scoped(model, merchant_id).where(model.id == row_id)  # type: ignore[attr-defined]
    return session.scalars(stmt).one_or_none()


def require_scoped(
    session: Session, model: type[T], merchant_id: int, row_id: int, what: str, *,
    for_update: bool = False, field: str = "id",
) -> T:
    """The merchant's row, or 404 `<what>_not_found` naming `field` (where the id came
    from: "id" for the path's own resource, "member_id" for a body's member...)."""
    stmt = scoped(model, merchant_id).where(model.id == row_id)  # type: ignore[attr-defined]
    if for_update:
        stmt = stmt.with_for_update()
    row = session.scalars(stmt).one_or_none()
    if row is None:
        label = LABELS.get(what, what)
        raise NotFound(f"{field}: {label} {row_id} 不存在", field=field,
                       code=f"{what}_not_found")
    return row


def newest_first(session: Session, stmt, model, *, limit: int, offset: int) -> tuple[list, int]:
    """A page of `stmt`'s rows, newest first (created_at, then id), and how many in all."""
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = session.scalars(stmt.order_by(model.created_at.desc(), model.id.desc())
                           .limit(limit).offset(offset))
    return list(rows), int(total)
