"""Run a simulation into one merchant's tables: the use case behind `siyu sim` and the demo.

Generation is pure (population, communities, campaign); this module writes it with
bulk inserts in chunks — a data generator writing the product's own tables — and keeps
the derived facts consistent: a group's member_count is its open memberships, an
order's total is the sum of its lines, stock is taken for what was paid, every event
has its own idempotency key. Small setup goes through the domain services (stores,
products, tags). Only flushes; the caller commits. Deterministic for a seed.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session

from siyu.catalog import repository as catalog_repo
from siyu.catalog import service as catalog
from siyu.catalog.schemas import ProductIn
from siyu.core.errors import InvalidInput
from siyu.core.money import fmt_yuan
from siyu.core.pii import encrypt_phone, mask_phone, phone_hash
from siyu.events.models import Event
from siyu.groups.models import Group, GroupMembership
from siyu.members import repository as members_repo
from siyu.members import service as members_service
from siyu.members.models import Member, MemberTag
from siyu.merchants import service as merchants
from siyu.orders.models import Order, OrderLine
from siyu.sim.campaign import Behaviour, Campaign, SimOrder
from siyu.sim.communities import plan_groups
from siyu.sim.data import CATALOG, FLASH_HOURS, FLASH_SKU, FLASH_STOCK_PER_10K, TAGS
from siyu.sim.population import generate_population
from siyu.sim.timeline import Timeline, live_timeline

CHUNK = 2000
Progress = Callable[[str, int, int], None]  # (what, done, total)


@dataclass(frozen=True)
class SimConfig:
    members: int = 10_000
    seed: int = 42
    # First warm-up day; None places the timeline so that `now` is on burst day 5 and
    # stops the simulation at `now` (a live campaign, as the demo shows).
    start: date | None = None
    brand: str = "坚果年货"
    capacity: int = 500
    switch_at: int = 200
    new_share: float = 0.35
    behaviour: Behaviour = field(default_factory=Behaviour)


@dataclass
class SimResult:
    merchant_id: int
    seed: int
    timeline: Timeline
    until: datetime
    counts: Counter = field(default_factory=Counter)
    events_by_kind: Counter = field(default_factory=Counter)
    orders_by_status: Counter = field(default_factory=Counter)
    gmv_fen: int = 0

    def summary(self) -> dict:
        return {
            "merchant_id": self.merchant_id, "seed": self.seed,
            "timeline": {k: [a.isoformat(), b.isoformat()]
                         for k, (a, b) in self.timeline.phases().items()},
            "until": self.until.isoformat(), **dict(sorted(self.counts.items())),
            "events_by_kind": dict(sorted(self.events_by_kind.items())),
            "orders_by_status": dict(sorted(self.orders_by_status.items())),
            "gmv": fmt_yuan(self.gmv_fen),
        }


def _chunks(rows: list, size: int = CHUNK) -> Iterable[list]:
    for i in range(0, len(rows), size):
        yield rows[i : i + size]


def _insert_ids(session: Session, model, rows: list[dict]) -> list[int]:
    ids: list[int] = []
    table = model.__table__
    stmt = insert(table).returning(table.c.id, sort_by_parameter_order=True)
    for chunk in _chunks(rows):
        ids.extend(session.execute(stmt, chunk).scalars())
    return ids


def _insert(session: Session, model, rows: list[dict]) -> None:
    for chunk in _chunks(rows):
        session.execute(insert(model.__table__), chunk)


def _setup_catalog(session: Session, merchant_id: int, cfg: SimConfig,
                   timeline: Timeline) -> tuple[dict[str, int], int]:
    merchants.upsert_store(session, merchant_id, "online", "线上商城 (小程序)", "online")
    merchants.upsert_store(session, merchant_id, "hz-xihu", "杭州西湖旗舰店", "offline")
    merchants.upsert_store(session, merchant_id, "hz-binjiang", "滨江自提点", "pickup")
    scale = cfg.members / 10_000
    flash_stock = max(20, round(FLASH_STOCK_PER_10K * scale))
    stock: dict[str, int] = {}
    for p in CATALOG:
        if p.sku == FLASH_SKU:
            stock[p.sku] = flash_stock * len(FLASH_HOURS) * timeline.burst_days
        else:
            stock[p.sku] = max(30, round(p.stock_per_10k * scale))
        catalog.upsert(session, merchant_id, ProductIn(
            sku=p.sku, name=p.name, category=p.category, price=p.price, cost=p.cost,
            daily_price=p.daily_price, stock=stock[p.sku], tags=list(p.tags)), actor="sim")
    return stock, flash_stock


def simulate(session: Session, merchant_id: int, cfg: SimConfig, *, now: datetime,
             progress: Progress | None = None) -> SimResult:
    """Generate and store a merchant's members, groups, catalog, events and orders."""
    if cfg.members < 1:
        raise InvalidInput("members: 会员数须至少为 1", field="members")
    prefix = f"S{cfg.seed}-"
    taken = session.scalar(select(func.count()).select_from(Member).where(
        Member.merchant_id == merchant_id, Member.external_id.like(f"{prefix}%")))
    if taken:
        raise InvalidInput(f"seed: 商户 {merchant_id} 已有种子 {cfg.seed} 的模拟数据, "
                           "请换一个 --seed 或新建商户", field="seed")
    timeline = Timeline(cfg.start) if cfg.start else live_timeline(now)
    until = timeline.end_at() if cfg.start else now
    result = SimResult(merchant_id, cfg.seed, timeline, until)
    report = progress or (lambda *_: None)
    days = timeline.days()
    total_steps = 4 + len(days)
    report("会员与商品 / members & catalog", 0, total_steps)

    stock, flash_stock = _setup_catalog(session, merchant_id, cfg, timeline)
    members = generate_population(random.Random(f"{cfg.seed}:population"), cfg.members,
                                  timeline, until=until, id_prefix=prefix,
                                  new_share=cfg.new_share)
    tags = members_service.ensure_tags(session, merchant_id, [t for t, _ in TAGS], "interest")
    member_ids = _insert_ids(session, Member, [
        {"merchant_id": merchant_id, "external_id": m.external_id, "nickname": m.nickname,
         "phone_enc": encrypt_phone(m.phone), "phone_hash": phone_hash(m.phone),
         "phone_masked": mask_phone(m.phone), "channel": m.channel, "tier": m.tier,
         "points": 0, "lifecycle": "new", "registered_at": m.registered_at,
         "created_at": m.registered_at} for m in members])
    referrals = [{"id": member_ids[m.index], "referrer_id": member_ids[m.referrer]}
                 for m in members if m.referrer is not None]
    for chunk in _chunks(referrals):
        session.execute(update(Member), chunk)
    _insert(session, MemberTag, [
        {"merchant_id": merchant_id, "member_id": member_ids[m.index],
         "tag_id": tags[t].id, "source": "rule", "created_at": m.registered_at}
        for m in members for t in m.tags])
    result.counts.update(members=len(members), referred=len(referrals),
                         member_tags=sum(len(m.tags) for m in members),
                         products=len(CATALOG), stores=3)
    report("社群 / groups", 2, total_steps)

    groups, stays = plan_groups(random.Random(f"{cfg.seed}:groups"), members, timeline,
                                until=until, brand=cfg.brand,
                                switch_at=min(cfg.switch_at, cfg.capacity))
    open_count = Counter(s.group for s in stays if s.left_at is None)
    group_ids = _insert_ids(session, Group, [
        {"merchant_id": merchant_id, "name": g.name, "kind": g.kind, "owner": g.owner,
         "capacity": cfg.capacity, "rules": {},
         "member_count": open_count[g.index], "status": "active",
         "created_at": g.created_at} for g in groups])
    membership_ids = _insert_ids(session, GroupMembership, [
        {"merchant_id": merchant_id, "group_id": group_ids[s.group],
         "member_id": member_ids[s.member], "joined_at": s.joined_at, "left_at": s.left_at,
         "channel": s.channel, "created_at": s.joined_at} for s in stays])
    result.counts.update(groups=len(groups), memberships=len(stays),
                         open_memberships=sum(open_count.values()))

    sim = Campaign(random.Random(f"{cfg.seed}:campaign"), merchant_id=merchant_id,
                   members=members, member_ids=member_ids, groups=groups,
                   group_ids=group_ids, stays=stays, timeline=timeline, until=until,
                   prefix=f"S{cfg.seed}", stock=stock, flash_stock=flash_stock,
                   behaviour=cfg.behaviour)
    _write_events(session, result, sim.join_events(stays, membership_ids) + sim.invite_events())
    report("活动 / campaign", 4, total_steps)

    active: set[int] = set()
    for i, d in enumerate(days):
        out = sim.day(d)
        active.update(e["member_id"] for e in out.events)
        _write_events(session, result, out.events)
        _write_orders(session, result, out.orders)
        report(f"活动 / campaign {d.isoformat()} ({timeline.phase_of(d)})", 5 + i, total_steps)

    for sku, sold in sim.sold.items():
        product = catalog_repo.by_sku(session, merchant_id, sku)
        if sold and product is not None and not catalog_repo.take_stock(
                session, merchant_id, product.id, sold):
            raise AssertionError(f"simulated sales of {sku} exceed its stock")
    _set_lifecycles(session, merchant_id, members, member_ids, active, until)
    session.flush()
    report("完成 / done", total_steps, total_steps)
    return result


def _write_events(session: Session, result: SimResult, rows: list[dict]) -> None:
    _insert(session, Event, rows)
    result.counts["events"] += len(rows)
    result.events_by_kind.update(r["kind"] for r in rows)


def _write_orders(session: Session, result: SimResult, orders: list[SimOrder]) -> None:
    if not orders:
        return
    ids = _insert_ids(session, Order, [o.row for o in orders])
    lines: list[dict] = []
    events: list[dict] = []
    for order_id, o in zip(ids, orders, strict=True):
        row = o.row
        for ln in o.lines:
            ln["order_id"] = order_id
            lines.append(ln)
        payload = {"order_id": order_id, "total_fen": row["total_fen"]}
        for kind, at in o.events:
            events.append({"merchant_id": row["merchant_id"], "kind": kind, "at": at,
                           "member_id": row["member_id"], "group_id": row["group_id"],
                           "payload": payload, "idempotency_key": f"{kind}:{order_id}",
                           "created_at": at})
        result.orders_by_status[row["status"]] += 1
        if row["paid_at"] is not None:
            result.gmv_fen += row["total_fen"]
    _insert(session, OrderLine, lines)
    _write_events(session, result, events)
    result.counts["orders"] += len(orders)
    result.counts["order_lines"] += len(lines)


def _set_lifecycles(session: Session, merchant_id: int, members: list, ids: list[int],
                    active: set[int], until: datetime) -> None:
    """Members seen during the campaign are active; the others stay new when they
    registered within 30 days, else silent (the segments domain refines this later)."""
    silent = [ids[m.index] for m in members if ids[m.index] not in active
              and (until - m.registered_at).days >= 30]
    for lifecycle, chosen in (("active", sorted(active)), ("silent", silent)):
        members_repo.set_lifecycle(session, merchant_id, chosen, lifecycle)
