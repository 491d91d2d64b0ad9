"""入群审核 (entry review): the first line of defence, "ensure real users" (seed 000).

Pure: the service gathers the facts of one join attempt (who, which phone, which
device and IP, how many others joined from them lately) and asks `review`. Each rule
looks at the facts and says admit, hold (an operator decides) or reject, with a reason
in Chinese; the most severe answer wins and every reason is kept.

Rules are pluggable: `review(rules, facts, checks=...)` runs any sequence of
`Check` callables; `DEFAULT_CHECKS` are the four of the spec (blacklist, duplicate
phone, device / IP velocity, risk score). Every number is a default of
`EntryReviewRules`, which a merchant edits (stored in Merchant.settings).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

ADMIT, HOLD, REJECT = "admit", "hold", "reject"
DECISIONS = (ADMIT, HOLD, REJECT)
_SEVERITY = {ADMIT: 0, HOLD: 1, REJECT: 2}

Action = Literal["hold", "reject"]


class _Rule(BaseModel):
    model_config = ConfigDict(extra="forbid")
    enabled: bool = True


class BlacklistRule(_Rule):
    """黑名单: members, phones (kept only as keyed hashes), devices and IPs."""

    member_ids: list[int] = Field(default_factory=list, max_length=10_000)
    phone_hashes: list[str] = Field(default_factory=list, max_length=10_000)
    devices: list[str] = Field(default_factory=list, max_length=10_000)
    ips: list[str] = Field(default_factory=list, max_length=10_000)
    action: Action = "reject"


class DuplicatePhoneRule(_Rule):
    """重复手机号: another member with the same phone is in the group, or joined it
    within `window_hours`."""

    window_hours: int = Field(default=24 * 7, ge=0, le=24 * 365)
    action: Action = "hold"


class VelocityRule(_Rule):
    """设备农场: at most `max_joins` different members joining from one device (or IP)
    within `window_hours`; one more is flagged."""

    max_joins: int = Field(ge=1, le=100_000)
    window_hours: float = Field(gt=0, le=24 * 30)
    action: Action = "hold"


class RiskScoreRule(_Rule):
    """风险分: a score 0–100 from the risk scanner; off unless the merchant turns it on."""

    enabled: bool = False
    hold_at: float = Field(default=60, ge=0, le=100)
    reject_at: float = Field(default=90, ge=0, le=100)

    @model_validator(mode="after")
    def _order(self):
        if self.reject_at < self.hold_at:
            raise ValueError("reject_at 不能小于 hold_at")
        return self


class EntryReviewRules(BaseModel):
    """One merchant's entry-review configuration, with the defaults of the product."""

    model_config = ConfigDict(extra="forbid")

    enabled: bool = True
    blacklist: BlacklistRule = Field(default_factory=BlacklistRule)
    duplicate_phone: DuplicatePhoneRule = Field(default_factory=DuplicatePhoneRule)
    device: VelocityRule = Field(
        default_factory=lambda: VelocityRule(max_joins=3, window_hours=24))
    ip: VelocityRule = Field(default_factory=lambda: VelocityRule(max_joins=10, window_hours=1))
    risk: RiskScoreRule = Field(default_factory=RiskScoreRule)


@dataclass(frozen=True)
class JoinFacts:
    """What is known about one join attempt, gathered by the service."""

    member_id: int
    phone_hash: str | None = None
    device: str | None = None
    ip: str | None = None
    risk_score: float | None = None
    # Other members with the same phone already in the group(s), or joined lately.
    same_phone_members: tuple[int, ...] = ()
    # Other members who tried to join from this device / IP within the rule's window.
    device_joins: int = 0
    ip_joins: int = 0


@dataclass(frozen=True)
class Reason:
    rule: str
    decision: str
    message: str

    def to_dict(self) -> dict:
        return {"rule": self.rule, "decision": self.decision, "message": self.message}


@dataclass(frozen=True)
class Verdict:
    decision: str
    reasons: tuple[Reason, ...] = field(default_factory=tuple)


Check = Callable[[EntryReviewRules, JoinFacts], Reason | None]


def check_blacklist(rules: EntryReviewRules, facts: JoinFacts) -> Reason | None:
    bl = rules.blacklist
    if not bl.enabled:
        return None
    hits = []
    if facts.member_id in bl.member_ids:
        hits.append(f"会员 {facts.member_id}")
    if facts.phone_hash and facts.phone_hash in bl.phone_hashes:
        hits.append("手机号")
    if facts.device and facts.device in bl.devices:
        hits.append(f"设备 {facts.device}")
    if facts.ip and facts.ip in bl.ips:
        hits.append(f"IP {facts.ip}")
    if not hits:
        return None
    return Reason("blacklist", bl.action, f"命中黑名单: {'、'.join(hits)}")


def check_duplicate_phone(rules: EntryReviewRules, facts: JoinFacts) -> Reason | None:
    rule = rules.duplicate_phone
    if not rule.enabled or not facts.phone_hash or not facts.same_phone_members:
        return None
    others = "、".join(str(i) for i in sorted(facts.same_phone_members)[:5])
    return Reason("duplicate_phone", rule.action,
                  f"手机号与会员 {others} 重复 (已在群内或 {rule.window_hours} 小时内入群)")


def _velocity(name: str, label: str, rule: VelocityRule, value: str | None,
              others: int) -> Reason | None:
    if not rule.enabled or not value or others + 1 <= rule.max_joins:
        return None
    return Reason(name, rule.action,
                  f"同一{label} {rule.window_hours:g} 小时内已有 {others + 1} 人申请入群 "
                  f"(上限 {rule.max_joins})")


def check_device(rules: EntryReviewRules, facts: JoinFacts) -> Reason | None:
    return _velocity("device", "设备", rules.device, facts.device, facts.device_joins)


def check_ip(rules: EntryReviewRules, facts: JoinFacts) -> Reason | None:
    return _velocity("ip", "IP", rules.ip, facts.ip, facts.ip_joins)


def check_risk_score(rules: EntryReviewRules, facts: JoinFacts) -> Reason | None:
    rule = rules.risk
    if not rule.enabled or facts.risk_score is None:
        return None
    if facts.risk_score >= rule.reject_at:
        return Reason("risk", REJECT,
                      f"风险分 {facts.risk_score:g} ≥ 拒绝阈值 {rule.reject_at:g}")
    if facts.risk_score >= rule.hold_at:
        return Reason("risk", HOLD, f"风险分 {facts.risk_score:g} ≥ 审核阈值 {rule.hold_at:g}")
    return None


DEFAULT_CHECKS: tuple[Check, ...] = (check_blacklist, check_duplicate_phone, check_device,
                                     check_ip, check_risk_score)


def most_severe(decisions: Sequence[str]) -> str:
    return max(decisions, key=_SEVERITY.__getitem__, default=ADMIT)


def review(rules: EntryReviewRules, facts: JoinFacts,
           checks: Sequence[Check] = DEFAULT_CHECKS) -> Verdict:
    """Run every check; the most severe decision wins, all reasons are kept."""
    if not rules.enabled:
        return Verdict(ADMIT)
    reasons = tuple(r for r in (check(rules, facts) for check in checks) if r is not None)
    return Verdict(most_severe([r.decision for r in reasons]), reasons)
