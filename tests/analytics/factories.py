"""Small plain factories that commit, since snapshots read committed data only."""

from __future__ import annotations

from datetime import datetime

from siyu.core.clock import BEIJING
from siyu.events.models import Event
from siyu.groups.models import Group, GroupMembership
from siyu.members.models import Member, MemberTag, Tag
from siyu.merchants.service import create_merchant
from siyu.orders.models import Order

_seq = [0]


def bj(*args) -> datetime:
    """A Beijing wall-clock time, aware."""
    return datetime(*args, tzinfo=BEIJING)


def merchant(rt, name: str = "分析商户") -> int:
    with rt.sessions.begin() as s:
        m, _ = create_merchant(s, name)
        return m.id


def member(rt, merchant_id: int, registered_at: datetime, *, channel: str | None = "kol",
           referrer_id: int | None = None, tags: tuple[str, ...] = ()) -> int:
    _seq[0] += 1
    with rt.sessions.begin() as s:
        m = Member(merchant_id=merchant_id, external_id=f"u{_seq[0]}", channel=channel,
                   registered_at=registered_at, referrer_id=referrer_id, created_at=registered_at)
        s.add(m)
        s.flush()
        for name in tags:
            tag = s.query(Tag).filter_by(merchant_id=merchant_id, name=name).one_or_none()
            if tag is None:
                tag = Tag(merchant_id=merchant_id, name=name)
                s.add(tag)
                s.flush()
            s.add(MemberTag(merchant_id=merchant_id, member_id=m.id, tag_id=tag.id))
        return m.id


def order(rt, merchant_id: int, member_id: int | None, paid_at: datetime | None, total: int, *,
          status: str = "paid", group_id: int | None = None) -> int:
    _seq[0] += 1
    placed = paid_at or bj(2026, 1, 1)
    with rt.sessions.begin() as s:
        o = Order(merchant_id=merchant_id, order_no=f"T{_seq[0]}", member_id=member_id,
                  group_id=group_id, status=status, subtotal_fen=total, total_fen=total,
                  placed_at=placed, paid_at=paid_at, created_at=placed)
        s.add(o)
        s.flush()
        return o.id


def event(rt, merchant_id: int, member_id: int | None, kind: str, at: datetime, *,
          group_id: int | None = None, payload: dict | None = None) -> int:
    _seq[0] += 1
    with rt.sessions.begin() as s:
        e = Event(merchant_id=merchant_id, member_id=member_id, kind=kind, at=at,
                  group_id=group_id, payload=payload or {}, idempotency_key=f"k{_seq[0]}",
                  created_at=at)
        s.add(e)
        s.flush()
        return e.id


def group(rt, merchant_id: int, created_at: datetime, name: str = "群") -> int:
    with rt.sessions.begin() as s:
        g = Group(merchant_id=merchant_id, name=name, kind="merchant", created_at=created_at)
        s.add(g)
        s.flush()
        return g.id


def stay(rt, merchant_id: int, group_id: int, member_id: int, joined_at: datetime,
         left_at: datetime | None = None) -> int:
    with rt.sessions.begin() as s:
        gm = GroupMembership(merchant_id=merchant_id, group_id=group_id, member_id=member_id,
                             joined_at=joined_at, left_at=left_at, created_at=joined_at)
        s.add(gm)
        s.flush()
        return gm.id
