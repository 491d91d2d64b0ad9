"""Every query of the members domain, scoped to one merchant."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from siyu.db.scope import get_scoped, require_scoped, scoped
from siyu.members.models import Member, MemberTag, Tag


def get(session: Session, merchant_id: int, member_id: int) -> Member | None:
    return get_scoped(session, Member, merchant_id, member_id)


def require(session: Session, merchant_id: int, member_id: int) -> Member:
    return require_scoped(session, Member, merchant_id, member_id, "member")


def by_external_id(session: Session, merchant_id: int, external_id: str) -> Member | None:
    stmt = scoped(Member, merchant_id).where(Member.external_id == external_id)
    return session.scalars(stmt).one_or_none()


def by_external_ids(session: Session, merchant_id: int, ids: Iterable[str]) -> dict[str, Member]:
    ids = list(set(ids))
    out: dict[str, Member] = {}
    for i in range(0, len(ids), 500):
        stmt = scoped(Member, merchant_id).where(Member.external_id.in_(ids[i : i + 500]))
        out.update({m.external_id: m for m in session.scalars(stmt)})
    return out


def by_phone_hash(session: Session, merchant_id: int, phone_hash: str) -> list[Member]:
    stmt = scoped(Member, merchant_id).where(Member.phone_hash == phone_hash)
    return list(session.scalars(stmt))


def tags_of(session: Session, merchant_id: int, member_ids: list[int]) -> dict[int, list[str]]:
    out: dict[int, list[str]] = {i: [] for i in member_ids}
    if not member_ids:
        return out
    stmt = (
        select(MemberTag.member_id, Tag.name)
        .join(Tag, Tag.id == MemberTag.tag_id)
        .where(MemberTag.merchant_id == merchant_id, MemberTag.member_id.in_(member_ids))
        .order_by(MemberTag.id)
    )
    for member_id, name in session.execute(stmt):
        out[member_id].append(name)
    return out


def tag_by_name(session: Session, merchant_id: int, name: str) -> Tag | None:
    return session.scalars(scoped(Tag, merchant_id).where(Tag.name == name)).one_or_none()


def tags_by_names(session: Session, merchant_id: int, names: Iterable[str]) -> dict[str, Tag]:
    names = list(set(names))
    if not names:
        return {}
    return {t.name: t for t in session.scalars(scoped(Tag, merchant_id).where(Tag.name.in_(names)))}


def member_tag_rows(session: Session, merchant_id: int, member_id: int) -> list[MemberTag]:
    return list(session.scalars(scoped(MemberTag, merchant_id).where(
        MemberTag.member_id == member_id)))


def search(
    session: Session, merchant_id: int, *, q: str | None = None, tag: str | None = None,
    channel: str | None = None, tier: str | None = None, lifecycle: str | None = None,
    include_erased: bool = False, limit: int = 50, offset: int = 0,
) -> tuple[list[Member], int]:
    stmt = scoped(Member, merchant_id)
    if not include_erased:
        stmt = stmt.where(Member.erased_at.is_(None))
    if q:
        like = f"%{q}%"
        stmt = stmt.where(or_(Member.nickname.like(like), Member.external_id.like(like)))
    if channel:
        stmt = stmt.where(Member.channel == channel)
    if tier:
        stmt = stmt.where(Member.tier == tier)
    if lifecycle:
        stmt = stmt.where(Member.lifecycle == lifecycle)
    if tag:
        sub = (
            select(MemberTag.member_id)
            .join(Tag, Tag.id == MemberTag.tag_id)
            .where(MemberTag.merchant_id == merchant_id, Tag.name == tag)
        )
        stmt = stmt.where(Member.id.in_(sub))
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = list(session.scalars(stmt.order_by(Member.id).limit(limit).offset(offset)))
    return rows, total


def count(session: Session, merchant_id: int) -> int:
    stmt = select(func.count()).select_from(Member).where(
        Member.merchant_id == merchant_id, Member.erased_at.is_(None))
    return session.scalar(stmt) or 0


def iter_all(session: Session, merchant_id: int, batch: int = 1000) -> Iterable[Member]:
    last = 0
    while True:
        stmt = scoped(Member, merchant_id).where(Member.id > last, Member.erased_at.is_(None))
        rows = list(session.scalars(stmt.order_by(Member.id).limit(batch)))
        if not rows:
            return
        yield from rows
        last = rows[-1].id
