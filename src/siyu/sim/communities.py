"""Groups (社群) and who is in them: themed pools filled the way live codes fill them.

Each member is invited to a themed group that matches their tags (gift 送礼, stock-up
囤货, self-use 自用) or to a general one (merchant 会员群, red-envelope 红包群), some to a
second one, and keen shoppers to the flash-sale groups opened just before the burst.
A pool fills its groups in join order and opens the next group when the current one
reaches `switch_at` members (a WeChat group stops accepting QR-code joins at 200, so
live codes switch there although a group holds 500). Pure: plain data in and out.
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from siyu.sim.data import GROUP_NAMES, GROUP_OWNERS, TAG_GROUP_KIND
from siyu.sim.population import SimMember
from siyu.sim.timeline import Timeline, day_start, random_moment, random_time

_GENERAL_KINDS = ("merchant", "red_envelope", "gift", "stock_up", "self_use")
_GENERAL_W = (35, 30, 12, 12, 11)


@dataclass
class SimGroup:
    index: int
    kind: str
    name: str
    owner: str
    created_at: datetime


@dataclass
class SimStay:
    """One stay of a member in a group (a membership row)."""

    group: int
    member: int
    joined_at: datetime
    left_at: datetime | None
    channel: str


def _primary_kind(rng: random.Random, m: SimMember) -> str:
    for tag in m.tags:
        if tag in TAG_GROUP_KIND and rng.random() < 0.8:
            return TAG_GROUP_KIND[tag]
    return rng.choices(_GENERAL_KINDS, weights=_GENERAL_W)[0]


def _kinds(rng: random.Random, m: SimMember) -> list[str]:
    if rng.random() > (0.92 if m.new else 0.8):
        return []
    kinds = [_primary_kind(rng, m)]
    if rng.random() < 0.35:
        kinds.append("red_envelope" if kinds[0] != "red_envelope" else "merchant")
    if rng.random() < min(0.6, 0.22 * m.shop):
        kinds.append("flash_sale")
    return kinds


def _join_time(rng: random.Random, m: SimMember, kind: str, first: bool, timeline: Timeline,
               opens: datetime, until: datetime, campaign_days: list, weights: list,
               ) -> datetime | None:
    earliest = max(m.registered_at, opens)
    if m.new and first and kind != "flash_sale":
        # Scanned a live code at the counter / order card: in the group minutes later.
        at = m.registered_at + timedelta(minutes=1 + rng.random() * 90)
    elif not m.new and kind != "flash_sale" and rng.random() < 0.5:
        at = random_moment(rng, earliest, max(earliest, timeline.start_at()))
    else:
        days = [(d, w) for d, w in zip(campaign_days, weights, strict=True)
                if day_start(d) + timedelta(days=1) > earliest]
        if not days:
            return None
        d = rng.choices([d for d, _ in days], weights=[w for _, w in days])[0]
        at = random_time(rng, d, after=earliest if earliest > day_start(d) else None)
    at = max(at, earliest)
    return at if at < until else None


def plan_groups(rng: random.Random, members: list[SimMember], timeline: Timeline, *,
                until: datetime, brand: str, switch_at: int = 200,
                leave_share: float = 0.07) -> tuple[list[SimGroup], list[SimStay]]:
    """Groups and stays; a group never holds more than `switch_at` joins in total."""
    campaign_days = [d for d in timeline.days() if day_start(d) < until]
    weights = [timeline.traffic(d) for d in campaign_days]
    flash_opens = timeline.start_at() + timedelta(days=max(0, timeline.warmup_days - 3))
    general_opens = timeline.start_at() - timedelta(days=400)
    joins: dict[str, list[tuple[datetime, int]]] = defaultdict(list)
    for m in members:
        for i, kind in enumerate(_kinds(rng, m)):
            opens = flash_opens if kind == "flash_sale" else general_opens
            at = _join_time(rng, m, kind, i == 0, timeline, opens, until, campaign_days,
                            weights)
            if at is not None:
                joins[kind].append((at, m.index))
    groups: list[SimGroup] = []
    stays: list[SimStay] = []
    for kind in GROUP_NAMES:
        current: SimGroup | None = None
        filled = 0
        number = 0
        for at, member_index in sorted(joins.get(kind, ())):
            if current is None or filled >= switch_at:
                number += 1
                created = at - timedelta(minutes=5 + rng.random() * 120)
                current = SimGroup(index=len(groups), kind=kind,
                                   name=f"{brand}·{GROUP_NAMES[kind]}{number:02d}",
                                   owner=rng.choice(GROUP_OWNERS), created_at=created)
                groups.append(current)
                filled = 0
            filled += 1
            left_at = None
            if rng.random() < leave_share:
                left = at + timedelta(days=rng.expovariate(1 / 6), seconds=60)
                left_at = left if left < until else None
            stays.append(SimStay(group=current.index, member=member_index, joined_at=at,
                                 left_at=left_at, channel=members[member_index].channel))
    return groups, stays
