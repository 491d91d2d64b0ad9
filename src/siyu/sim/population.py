"""A synthetic member population: Chinese names, made-up mobile numbers, acquisition
channels, registration dates, interest tags, tiers, referrers and (hidden) propensities.

Pure: a `random.Random` and the timeline in, plain `SimMember`s out, sorted by
registration time so that a referrer always registered before the member it brought.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from siyu.sim.data import (
    CHANNELS,
    GIVEN_CHARS,
    PHONE_PREFIXES,
    SURNAMES,
    TAG_CATEGORIES,
    TAGS,
    TIER_WEIGHTS,
)
from siyu.sim.timeline import Timeline, day_start, random_moment, random_time

_SURNAMES = [s for s, _ in SURNAMES]
_SURNAME_W = [w for _, w in SURNAMES]
_CHANNELS = [c for c, _ in CHANNELS]
_CHANNEL_W = [w for _, w in CHANNELS]
_TIERS = [t for t, _ in TIER_WEIGHTS]
_TIER_W = [w for _, w in TIER_WEIGHTS]


@dataclass
class SimMember:
    index: int
    external_id: str
    nickname: str
    phone: str
    channel: str
    registered_at: datetime
    tags: tuple[str, ...]
    tier: str
    new: bool  # acquired during the campaign
    chat: float  # propensity to speak in groups (mean about 1, heavy tail)
    shop: float  # propensity to browse and buy (mean about 1, heavy tail)
    categories: tuple[str, ...] = ()
    referrer: int | None = None  # index of the member who brought this one
    extra: dict = field(default_factory=dict)


def chinese_name(rng: random.Random) -> str:
    surname = rng.choices(_SURNAMES, weights=_SURNAME_W)[0]
    given = rng.choice(GIVEN_CHARS)
    if rng.random() < 0.7:
        given += rng.choice(GIVEN_CHARS)
    return surname + given


def mobile_number(rng: random.Random) -> str:
    return rng.choice(PHONE_PREFIXES) + f"{rng.randrange(10**8):08d}"


def lognormal_mean_one(rng: random.Random, sigma: float) -> float:
    return rng.lognormvariate(-sigma * sigma / 2, sigma)


def _tags(rng: random.Random) -> tuple[str, ...]:
    tags = [name for name, share in TAGS if rng.random() < share]
    return tuple(tags) or ("年货",)


def _registration_times(rng: random.Random, n_old: int, n_new: int, timeline: Timeline,
                        until: datetime) -> list[tuple[datetime, bool]]:
    start = timeline.start_at()
    out: list[tuple[datetime, bool]] = []
    for _ in range(n_old):
        # Older members thin out: most registered within the last year.
        days_before = 540 * rng.random() ** 1.6
        out.append((start - timedelta(days=days_before, seconds=rng.randrange(86400) + 1),
                    False))
    days = [d for d in timeline.days() if day_start(d) < until]
    weights = [timeline.traffic(d) for d in days]
    for _ in range(n_new if days else 0):
        # Redraw moments after `until` (today's later hours have not happened yet), so
        # today keeps only its share of the hours already past.
        for _attempt in range(100):
            d = rng.choices(days, weights=weights)[0]
            at = random_time(rng, d)
            if at < until:
                break
        else:
            at = random_moment(rng, day_start(days[0]), until)
        out.append((at, True))
    out.sort(key=lambda x: x[0])
    return out


def generate_population(rng: random.Random, n: int, timeline: Timeline, *, until: datetime,
                        id_prefix: str, new_share: float = 0.35) -> list[SimMember]:
    """`n` members; `new_share` of them registered during the campaign (up to `until`)."""
    n_new = round(n * new_share) if until > timeline.start_at() else 0
    times = _registration_times(rng, n - n_new, n_new, timeline, until)
    phones: set[str] = set()
    members: list[SimMember] = []
    width = max(6, len(str(n)))
    for i, (registered_at, is_new) in enumerate(times):
        phone = mobile_number(rng)
        while phone in phones:
            phone = mobile_number(rng)
        phones.add(phone)
        chat = lognormal_mean_one(rng, 0.85)
        shop = math.sqrt(chat) * lognormal_mean_one(rng, 0.75)
        tags = _tags(rng)
        referrer = None
        if i > 0 and rng.random() < (0.45 if is_new else 0.15):
            # Tournament among earlier members: the keenest of a few brings the newcomer,
            # so invitations concentrate on a minority of KOC-like members.
            picks = [rng.randrange(i) for _ in range(4)]
            referrer = max(picks, key=lambda j: members[j].chat + members[j].shop)
        channel = "share_link" if referrer is not None else rng.choices(
            _CHANNELS, weights=_CHANNEL_W)[0]
        categories = tuple(dict.fromkeys(c for t in tags for c in TAG_CATEGORIES.get(t, ())))
        members.append(SimMember(
            index=i, external_id=f"{id_prefix}{i + 1:0{width}d}", nickname=chinese_name(rng),
            phone=phone, channel=channel, registered_at=registered_at, tags=tags,
            tier="V1" if is_new else rng.choices(_TIERS, weights=_TIER_W)[0], new=is_new,
            chat=chat, shop=shop, categories=categories, referrer=referrer))
    return members
