"""Every query of the members domain, scoped to one merchant."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import bindparam, func, insert, or_, select, update
from sqlalchemy.orm import Session

from siyu.db.bulk import copy_rows
from siyu.db.scope import get_scoped, require_scoped, scoped
from siyu.members.models import Member, MemberTag, Tag


def get(session: Session, merchant_id: int, member_id: int) -> Member | None:
    return get_scoped(session, Member, merchant_id, member_id)


def require(session: Session, merchant_id: int, member_id: int, *,
            field: str = "id") -> Member:
    return require_scoped(session, Member, merchant_id, member_id, "member", field=field)


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


# Bulk import support: plain rows (no ORM objects) so 100,000 members stay cheap.
BULK_CHUNK = 500


def facts_by_external_ids(session: Session, merchant_id: int, ids: Iterable[str]) -> dict:
    """external_id -> row of the columns an import compares, in chunks of BULK_CHUNK."""
    ids = list(set(ids))
    cols = (Member.id, Member.external_id, Member.nickname, Member.phone_enc, Member.phone_hash,
            Member.phone_masked, Member.channel, Member.tier, Member.registered_at,
            Member.referrer_id, Member.erased_at)
    out: dict = {}
    for i in range(0, len(ids), BULK_CHUNK):
        stmt = select(*cols).where(Member.merchant_id == merchant_id,
                                   Member.external_id.in_(ids[i : i + BULK_CHUNK]))
        out.update({row.external_id: row for row in session.execute(stmt)})
    return out


def tag_pairs(session: Session, merchant_id: int, member_ids: Iterable[int],
              ) -> set[tuple[int, int]]:
    """(member_id, tag_id) pairs already stored for these members."""
    out: set[tuple[int, int]] = set()
    for member_id, tag_id, _name in _member_tag_rows(session, merchant_id, member_ids):
        out.add((member_id, tag_id))
    return out


def _member_tag_rows(session: Session, merchant_id: int, member_ids: Iterable[int]):
    """(member_id, tag_id, tag name) by member id, in insertion order.

    The merchant is checked in Python, not in SQL: with `merchant_id = ?` in the WHERE,
    SQLite (no statistics) picks the merchant_id index and scans every tag row of the
    merchant for each chunk, instead of the member_id index."""
    ids = list(set(member_ids))
    for i in range(0, len(ids), BULK_CHUNK):
        stmt = (select(MemberTag.member_id, MemberTag.tag_id, Tag.name, MemberTag.merchant_id)
                .join(Tag, Tag.id == MemberTag.tag_id)
                .where(MemberTag.member_id.in_(ids[i : i + BULK_CHUNK]))
                .order_by(MemberTag.id))
        for member_id, tag_id, name, owner in session.execute(stmt):
            if owner == merchant_id:
                yield member_id, tag_id, name


def tags_by_member(session: Session, merchant_id: int, member_ids: Iterable[int],
                   ) -> dict[int, list[str]]:
    """Like `tags_of`, for large batches (exports)."""
    out: dict[int, list[str]] = {}
    for member_id, _tag_id, name in _member_tag_rows(session, merchant_id, member_ids):
        out.setdefault(member_id, []).append(name)
    return out


def _copy(session: Session, table, rows: list[dict]) -> bool:
    """On PostgreSQL, insert `rows` with COPY and return True; elsewhere do nothing.

    psycopg parses every multi-row INSERT it is sent, which makes executemany several
    times slower than COPY for 100,000 rows. Values go through the columns' bind
    processors, as an INSERT would do."""
    conn = session.connection()
    if conn.dialect.name != "postgresql" or not rows:
        return False
    columns = list(rows[0])
    procs = [table.c[c].type.bind_processor(conn.dialect) for c in columns]
    quote = conn.dialect.identifier_preparer
    pairs = list(zip(columns, procs, strict=True))

    def values(row: dict) -> list:
        return [row[c] if p is None else p(row[c]) for c, p in pairs]

    return copy_rows(conn, quote.format_table(table), ", ".join(map(quote.quote, columns)),
                     map(values, rows))


def insert_many(session: Session, merchant_id: int, rows: list[dict]) -> dict[str, int]:
    """Insert one merchant's new members in bulk; returns external_id -> id."""
    table = Member.__table__
    before = session.scalar(select(func.max(Member.id))) or 0
    if _copy(session, table, rows):
        # Ids come from a sequence, so ours are above `before`. One range scan: the
        # planner's statistics do not know about the rows just copied yet.
        wanted = {r["external_id"] for r in rows}
        stmt = select(Member.id, Member.external_id).where(
            Member.merchant_id == merchant_id, Member.id > before)
        return {ext: mid for mid, ext in session.execute(stmt) if ext in wanted}
    out: dict[str, int] = {}
    for i in range(0, len(rows), BULK_CHUNK):
        stmt = insert(table).returning(table.c.id, table.c.external_id)
        result = session.execute(stmt, rows[i : i + BULK_CHUNK])
        out.update({ext: mid for mid, ext in result})
    return out


def update_many(session: Session, merchant_id: int, rows: list[dict]) -> None:
    """Update members by id (key `_id`) with executemany; every dict has the same keys."""
    if not rows:
        return
    table = Member.__table__
    columns = [k for k in rows[0] if k != "_id"]
    stmt = (update(table)
            .where(table.c.id == bindparam("_id"), table.c.merchant_id == merchant_id)
            .values({c: bindparam(c) for c in columns}))
    for i in range(0, len(rows), BULK_CHUNK * 4):
        session.execute(stmt, rows[i : i + BULK_CHUNK * 4])


def insert_member_tags(session: Session, rows: list[dict]) -> None:
    if not _copy(session, MemberTag.__table__, rows):
        for i in range(0, len(rows), BULK_CHUNK * 4):
            session.execute(insert(MemberTag.__table__), rows[i : i + BULK_CHUNK * 4])


def external_ids(session: Session, merchant_id: int, member_ids: Iterable[int]) -> dict[int, str]:
    ids = list(set(member_ids))
    out: dict[int, str] = {}
    for i in range(0, len(ids), BULK_CHUNK):
        stmt = select(Member.id, Member.external_id).where(
            Member.merchant_id == merchant_id, Member.id.in_(ids[i : i + BULK_CHUNK]))
        out.update({mid: ext for mid, ext in session.execute(stmt)})
    return out


def set_lifecycle(session: Session, merchant_id: int, member_ids: list[int], stage: str) -> None:
    for i in range(0, len(member_ids), BULK_CHUNK):
        session.execute(update(Member).where(Member.merchant_id == merchant_id,
                                             Member.id.in_(member_ids[i : i + BULK_CHUNK]))
                        .values(lifecycle=stage),
                        execution_options={"synchronize_session": False})


def risk_profiles(session: Session, merchant_id: int, member_ids: Iterable[int],
                  ) -> dict[int, tuple]:
    """id -> (external_id, phone_hash, phone_masked, registered_at)."""
    ids = list(set(member_ids))
    out: dict[int, tuple] = {}
    for i in range(0, len(ids), BULK_CHUNK):
        stmt = select(Member.id, Member.external_id, Member.phone_hash, Member.phone_masked,
                      Member.registered_at).where(Member.merchant_id == merchant_id,
                                                  Member.id.in_(ids[i : i + BULK_CHUNK]))
        out.update({row[0]: tuple(row[1:]) for row in session.execute(stmt)})
    return out
