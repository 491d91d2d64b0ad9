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

from dataclasses import dataclass
from datetime import datetime, timedelta

from siyu.risk.normalise import normalise_term
from siyu.risk.rules import TIERS, IncidentRules, tier_after

SOURCES = ("complaint", "risk_hit", "manual")
STATUSES = ("open", "acknowledged", "resolved")
ACTIVE = ("open", "acknowledged")
TEAMS = {"ordinary": "cs", "major": "brand", "extreme": "legal"}
TEAM_NAMES = {"cs": "客服团队", "brand": "品牌公关部", "legal": "法务/应急小组"}


def team_of(tier: str) -> str:
    return TEAMS[tier]


def classify_complaint(text: str, rules: IncidentRules) -> tuple[str, list[str]]:
    """The starting tier of a complaint from its words (traditional, full-width and
    spaced-out spellings fold the same way as in the copy scanner)."""
    folded = normalise_term(text or "")
    for tier, words in (("extreme", rules.extreme_words), ("major", rules.major_words)):
        hits = [w for w in words if (k := normalise_term(w)) and k in folded]
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
