"""Tenancy in one place: every read of a merchant's rows starts from `scoped()`.

A row of another merchant is simply not found, so callers answer 404 and leak nothing.
"""

from __future__ import annotations

from typing import TypeVar

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from siyu.core.errors import NotFound

T = TypeVar("T")


def scoped(model: type[T], merchant_id: int) -> Select[tuple[T]]:
    return select(model).where(model.merchant_id == merchant_id)  # type: ignore[attr-defined]


def get_scoped(session: Session, model: type[T], merchant_id: int, row_id: int) -> T | None:
    stmt = scoped(model, merchant_id).where(model.id == row_id)  # type: ignore[attr-defined]
    return session.scalars(stmt).one_or_none()


def require_scoped(
    session: Session, model: type[T], merchant_id: int, row_id: int, what: str, *,
    for_update: bool = False,
) -> T:
    stmt = scoped(model, merchant_id).where(model.id == row_id)  # type: ignore[attr-defined]
    if for_update:
        stmt = stmt.with_for_update()
    row = session.scalars(stmt).one_or_none()
    if row is None:
        raise NotFound(f"{what} {row_id} 不存在", field="id", code=f"{what}_not_found")
    return row
