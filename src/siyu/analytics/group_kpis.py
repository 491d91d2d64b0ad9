"""Group KPIs of seed 001 (商家群运营方案 §1.3.2) and today's sales, for one merchant.

Definitions (days are Beijing calendar days, bounds stored in UTC):
- new groups per month (每月新增群数, target 200): groups whose `created_at` falls in the
  Beijing calendar month of `now`;
- group activity rate (群活跃 = 日均发言人数占比, target 25%): the distinct members who sent
  at least one `message` event in any group that day (speakers), over the distinct
  members in at least one group at the end of that day (or at `now` for today); per
  group: that group's speakers over its current member count;
- members: members not erased (and of them, those registered today); members in groups:
  distinct members with an open stay;
- today's orders and GMV: orders paid today (refunded later or not), and their totals.

Plain SQL through SQLAlchemy, every statement filtered by merchant. A day costs two
indexed range queries, which is fine for one merchant's console; the analytics engine
(DuckDB over snapshots) takes over at millions of rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from siyu.core.clock import BEIJING, as_utc, beijing_date
from siyu.events.models import Event
from siyu.groups.models import Group, GroupMembership
from siyu.members.models import Member
from siyu.merchants.service import get_merchant, merchant_setting
from siyu.orders.models import Order


@dataclass(frozen=True)
class Targets:
    """Seed 001's targets; a merchant overrides them in settings["kpi_targets"]."""

    new_groups_per_month: int = 200
    activity_rate: float = 0.25


@dataclass(frozen=True)
class DayActivity:
    day: date
    speakers: int
    members: int

    @property
    def rate(self) -> float:
        return self.speakers / self.members if self.members else 0.0


@dataclass(frozen=True)
class DaySales:
    day: date
    orders: int
    gmv_fen: int


@dataclass(frozen=True)
class GroupActivity:
    id: int
    name: str
    kind: str
    owner: str | None
    member_count: int
    capacity: int
    speakers_today: int
    created_at: datetime

    @property
    def rate(self) -> float:
        return self.speakers_today / self.member_count if self.member_count else 0.0


@dataclass(frozen=True)
class HomeKpis:
    today: date
    targets: Targets
    new_groups_month: int
    members_total: int
    members_new_today: int
    members_in_groups: int
    activity: list[DayActivity]  # oldest first, today last
    sales: list[DaySales]  # oldest first, today last

    @property
    def activity_today(self) -> DayActivity:
        return self.activity[-1]

    @property
    def sales_today(self) -> DaySales:
        return self.sales[-1]


def day_start(d: date) -> datetime:
    """00:00 Beijing time of `d`, as aware UTC."""
    return as_utc(datetime.combine(d, time(0), tzinfo=BEIJING))


def targets(session: Session, merchant_id: int) -> Targets:
    raw = merchant_setting(get_merchant(session, merchant_id), "kpi_targets", {}) or {}
    base = Targets()
    return Targets(
        new_groups_per_month=int(raw.get("new_groups_per_month", base.new_groups_per_month)),
        activity_rate=float(raw.get("activity_rate", base.activity_rate)))


def new_groups_in_month(session: Session, merchant_id: int, now: datetime) -> int:
    today = beijing_date(now)
    first = today.replace(day=1)
    nxt = (first + timedelta(days=32)).replace(day=1)
    stmt = select(func.count()).select_from(Group).where(
        Group.merchant_id == merchant_id, Group.created_at >= day_start(first),
        Group.created_at < day_start(nxt))
    return session.scalar(stmt) or 0


def members_total(session: Session, merchant_id: int) -> int:
    stmt = select(func.count()).select_from(Member).where(
        Member.merchant_id == merchant_id, Member.erased_at.is_(None))
    return session.scalar(stmt) or 0


def members_registered(session: Session, merchant_id: int, start: datetime,
                       end: datetime) -> int:
    stmt = select(func.count()).select_from(Member).where(
        Member.merchant_id == merchant_id, Member.erased_at.is_(None),
        Member.registered_at >= start, Member.registered_at < end)
    return session.scalar(stmt) or 0


def members_in_groups(session: Session, merchant_id: int, at: datetime) -> int:
    """Distinct members with a stay open at `at`."""
    stmt = select(func.count(func.distinct(GroupMembership.member_id))).where(
        GroupMembership.merchant_id == merchant_id, GroupMembership.joined_at <= at,
        or_(GroupMembership.left_at.is_(None), GroupMembership.left_at > at))
    return session.scalar(stmt) or 0


def speakers(session: Session, merchant_id: int, start: datetime, end: datetime) -> int:
    stmt = select(func.count(func.distinct(Event.member_id))).where(
        Event.merchant_id == merchant_id, Event.kind == "message", Event.at >= start,
        Event.at < end, Event.group_id.is_not(None), Event.member_id.is_not(None))
    return session.scalar(stmt) or 0


def daily_activity(session: Session, merchant_id: int, now: datetime,
                   days: int = 14) -> list[DayActivity]:
    today = beijing_date(now)
    out = []
    for i in range(days - 1, -1, -1):
        d = today - timedelta(days=i)
        start, end = day_start(d), day_start(d + timedelta(days=1))
        at = min(end, now)
        out.append(DayActivity(d, speakers(session, merchant_id, start, at),
                               members_in_groups(session, merchant_id, at)))
    return out


def daily_sales(session: Session, merchant_id: int, now: datetime,
                days: int = 14) -> list[DaySales]:
    today = beijing_date(now)
    out = []
    for i in range(days - 1, -1, -1):
        d = today - timedelta(days=i)
        stmt = select(func.count(), func.coalesce(func.sum(Order.total_fen), 0)).where(
            Order.merchant_id == merchant_id, Order.paid_at >= day_start(d),
            Order.paid_at < day_start(d + timedelta(days=1)))
        count, gmv = session.execute(stmt).one()
        out.append(DaySales(d, int(count), int(gmv)))
    return out


def home(session: Session, merchant_id: int, now: datetime, days: int = 14) -> HomeKpis:
    return HomeKpis(
        today=beijing_date(now), targets=targets(session, merchant_id),
        new_groups_month=new_groups_in_month(session, merchant_id, now),
        members_total=members_total(session, merchant_id),
        members_new_today=members_registered(session, merchant_id,
                                             day_start(beijing_date(now)), now),
        members_in_groups=members_in_groups(session, merchant_id, now),
        activity=daily_activity(session, merchant_id, now, days),
        sales=daily_sales(session, merchant_id, now, days))


def _speakers_by_group(session: Session, merchant_id: int, now: datetime,
                       group_ids: list[int] | None = None) -> dict[int, int]:
    """Today's distinct speakers per group (groups without a message are absent)."""
    stmt = (select(Event.group_id, func.count(func.distinct(Event.member_id)))
            .where(Event.merchant_id == merchant_id, Event.kind == "message",
                   Event.at >= day_start(beijing_date(now)), Event.at < now,
                   Event.group_id.is_not(None), Event.member_id.is_not(None))
            .group_by(Event.group_id))
    if group_ids is not None:
        stmt = stmt.where(Event.group_id.in_(group_ids))
    return {gid: int(n) for gid, n in session.execute(stmt)}


def _rows(groups: list[Group], counts: dict[int, int]) -> list[GroupActivity]:
    return [GroupActivity(g.id, g.name, g.kind, g.owner, g.member_count, g.capacity,
                          counts.get(g.id, 0), g.created_at) for g in groups]


def group_activity(session: Session, merchant_id: int, now: datetime, *, limit: int = 50,
                   offset: int = 0) -> tuple[list[GroupActivity], int]:
    """Groups, newest first, with today's distinct speakers in each."""
    total = session.scalar(select(func.count()).select_from(Group).where(
        Group.merchant_id == merchant_id)) or 0
    groups = list(session.scalars(select(Group).where(Group.merchant_id == merchant_id)
                                  .order_by(Group.created_at.desc(), Group.id.desc())
                                  .limit(limit).offset(offset)))
    ids = [g.id for g in groups]
    counts = _speakers_by_group(session, merchant_id, now, ids) if ids else {}
    return _rows(groups, counts), total


def most_active_groups(session: Session, merchant_id: int, now: datetime,
                       limit: int = 5) -> list[GroupActivity]:
    """The groups with the highest activity rate today (ties: more speakers first)."""
    counts = _speakers_by_group(session, merchant_id, now)
    if not counts:
        return []
    ids = list(counts)
    groups: list[Group] = []
    for i in range(0, len(ids), 500):
        groups.extend(session.scalars(select(Group).where(
            Group.merchant_id == merchant_id, Group.id.in_(ids[i : i + 500]))))
    rows = _rows(groups, counts)
    rows.sort(key=lambda g: (-g.rate, -g.speakers_today, g.id))
    return rows[:limit]
