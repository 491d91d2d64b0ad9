"""Use cases of saved (live) segments: save, change, list, delete, and evaluate — counts
and member lists that are current when asked.

Current means: evaluated at query time over the merchant's snapshot, which is refreshed
first when older than `analytics_max_staleness_seconds` (default 5 minutes); rules on
layers, lifecycle or RFM read the member states of today (computed first if today's are
not stored yet). Promotions, envelopes and touches target a segment through
`member_ids()` / `contains()`.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from siyu.analytics import service as analytics
from siyu.core.clock import beijing_date
from siyu.core.errors import Conflict, InvalidInput
from siyu.db.engine import transaction
from siyu.db.scope import require_scoped, scoped
from siyu.segments.live import compile_rule
from siyu.segments.models import SavedSegment


def _check_name(session: Session, merchant_id: int, name: str, own_id: int | None) -> str:
    name = (name or "").strip()
    if not name or len(name) > 100:
        raise InvalidInput("name: 分群名称须为 1–100 字", field="name")
    other = session.scalars(scoped(SavedSegment, merchant_id).where(
        SavedSegment.name == name)).one_or_none()
    if other is not None and other.id != own_id:
        raise Conflict(f"name: 分群 {name} 已存在", field="name", code="duplicate_segment")
    return name


def create(session: Session, merchant_id: int, name: str, rule: dict, *, now: datetime,
           description: str | None = None, actor: str | None = None) -> SavedSegment:
    compile_rule(rule, beijing_date(now))  # validates the whole tree
    row = SavedSegment(merchant_id=merchant_id, name=_check_name(session, merchant_id, name, None),
                       rule=rule, description=description, created_by=actor, created_at=now,
                       updated_at=now)
    session.add(row)
    session.flush()
    return row


def get(session: Session, merchant_id: int, segment_id: int) -> SavedSegment:
    return require_scoped(session, SavedSegment, merchant_id, segment_id, "segment")


def update(session: Session, merchant_id: int, segment_id: int, *, now: datetime,
           name: str | None = None, rule: dict | None = None,
           description: str | None = None) -> SavedSegment:
    row = get(session, merchant_id, segment_id)
    if rule is not None:
        compile_rule(rule, beijing_date(now))
        row.rule = rule
    if name is not None:
        row.name = _check_name(session, merchant_id, name, row.id)
    if description is not None:
        row.description = description
    row.updated_at = now
    session.flush()
    return row


def delete(session: Session, merchant_id: int, segment_id: int) -> None:
    session.delete(get(session, merchant_id, segment_id))
    session.flush()


def list_segments(session: Session, merchant_id: int, *, limit: int = 50,
                  offset: int = 0) -> tuple[list[SavedSegment], int]:
    stmt = scoped(SavedSegment, merchant_id)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = list(session.scalars(stmt.order_by(SavedSegment.id).limit(limit).offset(offset)))
    return rows, total


def to_dict(row: SavedSegment) -> dict:
    return {"id": row.id, "name": row.name, "description": row.description, "rule": row.rule,
            "created_by": row.created_by, "created_at": row.created_at,
            "updated_at": row.updated_at}


def rule_of(runtime, merchant_id: int, segment_id: int) -> dict:
    with transaction(runtime.sessions) as session:
        return get(session, merchant_id, segment_id).rule


def evaluate_rule(runtime, merchant_id: int, rule: dict, *, limit: int | None = 100,
                  offset: int = 0, member_id: int | None = None) -> dict:
    """{count, member_ids (a page, ascending), snapshot freshness, states_asof}."""
    today = beijing_date(runtime.clock.now())
    sql, needs_states = compile_rule(rule, today)
    analytics.ensure_fresh(runtime, merchant_id)
    states_asof = analytics.ensure_states(runtime, merchant_id) if needs_states else None
    with analytics.open_snapshot(runtime, merchant_id, fresh=False) as snap:
        snap.con.execute(f"CREATE TEMP TABLE seg AS {sql}")
        count = snap.one("SELECT count(*) AS n FROM seg")["n"]
        doc = {"count": int(count), "states_asof": states_asof and states_asof.isoformat(),
               "snapshot": analytics.freshness(runtime, merchant_id)}
        if member_id is not None:
            doc["contains"] = bool(snap.one("SELECT count(*) AS n FROM seg WHERE member_id = $m",
                                            {"m": member_id})["n"])
        if limit is None:
            doc["member_ids"] = [r["member_id"] for r in
                                 snap.rows("SELECT member_id FROM seg ORDER BY 1")]
        elif limit:
            doc["member_ids"] = [r["member_id"] for r in snap.rows(
                "SELECT member_id FROM seg ORDER BY 1 LIMIT $l OFFSET $o",
                {"l": limit, "o": offset})]
    if count == 0:
        doc["notes"] = ["分群当前没有会员"]
    return doc


def evaluate(runtime, merchant_id: int, segment_id: int, **kw) -> dict:
    doc = evaluate_rule(runtime, merchant_id, rule_of(runtime, merchant_id, segment_id), **kw)
    return {"segment_id": segment_id, **doc}


def member_ids(runtime, merchant_id: int, segment_id: int) -> list[int]:
    """Every member of the segment now (for promotions, envelopes and touches)."""
    return evaluate(runtime, merchant_id, segment_id, limit=None)["member_ids"]


def contains(runtime, merchant_id: int, segment_id: int, member_id: int) -> bool:
    return evaluate(runtime, merchant_id, segment_id, limit=0, member_id=member_id)["contains"]


def sql_of(runtime, merchant_id: int, segment_id: int) -> str:
    """The DuckDB SQL of a saved segment (for funnels split by segment)."""
    return compile_rule(rule_of(runtime, merchant_id, segment_id),
                        beijing_date(runtime.clock.now()))[0]
