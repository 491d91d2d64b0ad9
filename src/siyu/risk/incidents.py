"""Incidents and three-tier escalation (三级预案), pure: tiers, teams, timers, what a
running-out timer does. No I/O, no clock: `now` is passed in.

Seed 000: ordinary complaints go to customer service, major events to the brand / PR
lead, extreme ones to legal and the e-commerce-law emergency plan; complaints are
answered within 24 hours. An incident has one timer at a time (`due_at`): while open,
the time to acknowledge (respond_hours of its tier); once acknowledged, the time to
resolve (resolve_hours). When the timer runs out the incident moves up one tier, is
open again for the new team and gets that tier's response timer. At the top tier a
running-out timer marks the incident breached (once) instead.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from siyu.risk.normalise import compact, fold, kept_positions, normalise_term
from siyu.risk.rules import TIERS, IncidentRules, tier_after

SOURCES = ("complaint", "risk_hit", "manual")
STATUSES = ("open", "acknowledged", "resolved")
ACTIVE = ("open", "acknowledged")
TEAMS = {"ordinary": "cs", "major": "brand", "extreme": "legal"}
TEAM_NAMES = {"cs": "客服团队", "brand": "品牌公关部", "legal": "法务/应急小组"}


def team_of(tier: str) -> str:
    return TEAMS[tier]


# A platform's bare name says where something happened or was bought (在抖音上买的);
# only with a word of posting or exposing next to it (发抖音, 发到小红书, 微博上曝光, 上了
# 抖音热搜) is it the public exposure a major word stands for.
PLATFORMS = frozenset(normalise_term(w) for w in (
    "微博", "抖音", "小红书", "快手", "视频号", "朋友圈", "知乎", "b站", "哔哩哔哩", "头条",
    "今日头条", "大众点评", "贴吧"))
_EXPOSE_BEFORE = re.compile(
    r"(?:发|挂|晒|曝光|投诉|告|捅|闹|传|发布|上传|转发|爆料)(?:到|在|上|去|至|给)?(?:个|条|篇)?$")
_EXPOSE_AFTER = re.compile(
    r"^(?:上|里)?(?:发了?(?:个|条|篇)?(?:视频|帖子?|文章?|笔记|动态)|曝光|投诉|维权|避雷|揭露|挂|"
    r"热搜|爆料|让大家|让网友|评评理)")


def _ascii_word(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


def _found(key: str, folded: str, packed: str, kept: list[int]) -> bool:
    """Whether the term `key` (normalised) occurs in the text as a complaint means it.

    An edge of the term that is an ASCII letter or digit must not touch another one in
    the text (12315 is the hotline, not the middle of order SY20260123150001); a
    platform name needs a word of exposure next to it."""
    start = packed.find(key)
    while start != -1:
        end = start + len(key)
        ok = True
        if _ascii_word(key[0]):
            before = kept[start] - 1
            ok = before < 0 or not _ascii_word(folded[before])
        if ok and _ascii_word(key[-1]):
            after = kept[end - 1] + 1
            ok = after >= len(folded) or not _ascii_word(folded[after])
        if ok and key in PLATFORMS:
            ok = bool(_EXPOSE_BEFORE.search(packed[max(0, start - 4) : start])
                      or _EXPOSE_AFTER.match(packed[end : end + 6]))
        if ok:
            return True
        start = packed.find(key, start + 1)
    return False


def classify_complaint(text: str, rules: IncidentRules) -> tuple[str, list[str]]:
    """The starting tier of a complaint from its words (traditional, full-width and
    spaced-out spellings fold the same way as in the copy scanner). Words of ASCII
    letters or digits match whole tokens only; platform names only as exposure."""
    folded = fold(text or "")
    packed = compact(folded)
    kept = kept_positions(folded)
    for tier, words in (("extreme", rules.extreme_words), ("major", rules.major_words)):
        hits = [w for w in words
                if (k := normalise_term(w)) and _found(k, folded, packed, kept)]
        if hits:
            return tier, hits
    return "ordinary", []


def respond_by(opened_at: datetime, tier: str, rules: IncidentRules) -> datetime:
    return opened_at + timedelta(hours=rules.respond_hours[tier])


def resolve_by(acknowledged_at: datetime, tier: str, rules: IncidentRules) -> datetime:
    return acknowledged_at + timedelta(hours=rules.resolve_hours[tier])


def higher(a: str, b: str) -> str:
    return a if TIERS.index(a) >= TIERS.index(b) else b


@dataclass(frozen=True, slots=True)
class Timeout:
    """What a running-out timer does to an incident."""

    escalate_to: str | None  # the next tier, or None at the top
    due_at: datetime | None  # the new timer (None: breached at the top, no new timer)
    breach: bool  # the top tier's timer ran out (marked once)


def on_timeout(tier: str, status: str, due_at: datetime | None, breached: bool,
               now: datetime, rules: IncidentRules) -> Timeout | None:
    """None when nothing is due: resolved, no timer, the timer still running, or a
    breach already marked at the top."""
    if status not in ACTIVE or due_at is None or now < due_at:
        return None
    up = tier_after(tier)
    if up is None:
        return None if breached else Timeout(None, None, True)
    return Timeout(up, respond_by(now, up, rules), False)


def may_handle(role: str, tier: str, rules: IncidentRules) -> bool:
    return role == "owner" or role in rules.handlers.get(tier, [])
