"""The merchant's risk rules (风控规则): every threshold of order risk, price red lines,
lottery compliance, incident timers and the merchant's own copy words, with the seeds'
numbers as defaults. Stored in Merchant.settings["risk"]; pure pydantic, no I/O.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from siyu.core.fields import Yuan
from siyu.core.money import fmt_yuan
from siyu.core.validation import invalid_at
from siyu.risk.custom import allow_problem

TIERS = ("ordinary", "major", "extreme")
# 反不正当竞争法 art. 10: a prize lottery's top prize may not exceed 50,000 yuan.
LEGAL_TOP_PRIZE = 5_000_000
# The extreme tier is the legal escalation (极端情况: 法务/应急): one of these must be on it.
EXTREME_HANDLERS = ("legal", "owner")


@functools.cache
def _roles() -> tuple[str, ...]:
    # Imported here: the tables module loads SQLAlchemy, which the pure commands that
    # read rules (`siyu risk lottery`) do not need unless handlers are checked.
    from siyu.merchants.models import ROLES

    return ROLES


class _Rules(BaseModel):
    model_config = ConfigDict(extra="forbid")


class OrderRules(_Rules):
    """Order risk (订单风控). Windows in minutes; counts are "at least"."""

    # Same IP / same device placing many orders in a short window (同一IP批量下单).
    ip_orders: int = Field(default=5, ge=2)
    ip_window_minutes: int = Field(default=60, ge=1)
    # Known shared exits (a store's Wi-Fi, an office NAT) never count.
    ip_allow: list[str] = Field(default_factory=list, max_length=500)
    device_orders: int = Field(default=5, ge=2)
    device_window_minutes: int = Field(default=60, ge=1)
    # Many accounts sharing one phone, address or device: over the whole sweep, or within
    # `shared_window_days` (accounts counted per window; overlapping windows are one hit).
    phone_accounts: int = Field(default=3, ge=2)
    address_accounts: int = Field(default=3, ge=2)
    device_accounts: int = Field(default=3, ge=2)
    shared_window_days: int | None = Field(default=None, ge=1, le=3650)
    # Abnormal addresses (收货地址异常).
    address_min_chars: int = Field(default=6, ge=1)
    address_placeholders: list[str] = Field(
        default_factory=lambda: ["测试", "test", "xxx", "asdf", "qwer", "aaa", "abc123",
                                 "某某", "随便"], max_length=200)
    # Whole addresses that say nothing (an address that *contains* 无 is 无锡 too).
    address_placeholder_exact: list[str] = Field(
        default_factory=lambda: ["无", "没有", "不详", "未知", "空", "暂无", "na", "none"],
        max_length=200)
    # A pick-up locker or station serves many people, so it has its own, higher bar.
    locker_keywords: list[str] = Field(
        default_factory=lambda: ["自提柜", "快递柜", "丰巢", "菜鸟驿站", "驿站", "代收点",
                                 "自提点", "智能柜", "收件宝"], max_length=100)
    locker_accounts: int = Field(default=5, ge=2)
    # Velocity of coupon claims / envelope grabs by one account (羊毛党).
    claim_count: int = Field(default=10, ge=2)
    claim_window_minutes: int = Field(default=10, ge=1)
    claim_kinds: list[str] = Field(default_factory=lambda: ["grab", "redeem", "coupon_claim"],
                                   max_length=10)
    # New accounts whose orders are all loss-leaders (below cost or a flash-sale SKU).
    new_account_days: int = Field(default=7, ge=0)
    loss_leader_min_orders: int = Field(default=2, ge=1)
    # A hit this many times over its threshold is a major incident (品牌公关), else ordinary.
    major_multiplier: int = Field(default=3, ge=1)


class PriceRules(_Rules):
    """Price red lines (价格红线, seed 000: 利润率不低于25%)."""

    margin_floor_percent: Decimal = Field(default=Decimal(25), ge=0, le=1000)
    # 规范促销行为暂行规定: the base of a reference ("original") price with no stated base
    # is the lowest transaction price of the N days before the promotion.
    reference_days: int = Field(default=7, ge=1, le=365)


class LotteryRules(_Rules):
    """Lottery and lucky-envelope compliance (抽奖合规)."""

    # The merchant's cap on one prize: the legal 50,000 yuan or lower.
    max_top_prize: Yuan = Field(
        default=LEGAL_TOP_PRIZE,
        description='单个奖品金额上限 (元, 最多两位小数, 如 "20000.00"), 不得超过 50000.00 元 '
                    "(反不正当竞争法第十条); 商户可设得更低")

    @model_validator(mode="before")
    @classmethod
    def _retired(cls, data: Any) -> Any:
        # Retired: max_prize_odds_percent (1%) came from seed 000's "单次中奖概率不超过1%",
        # which names no prize class; neither the law nor the spec caps odds, and it sent
        # every lottery with a consolation prize to review. Documents saved with it load;
        # the key is dropped.
        if isinstance(data, Mapping) and "max_prize_odds_percent" in data:
            data = {k: v for k, v in data.items() if k != "max_prize_odds_percent"}
        return data

    @field_validator("max_top_prize")
    @classmethod
    def _legal_cap(cls, v: int) -> int:
        if v <= 0:
            raise ValueError("最高奖金额须大于 0")
        if v > LEGAL_TOP_PRIZE:
            raise ValueError(f"最高奖金额不得超过 {fmt_yuan(LEGAL_TOP_PRIZE)} 元 "
                             f"(反不正当竞争法第十条), 不能设为 {fmt_yuan(v)} 元")
        return v


def _default_hours() -> dict[str, int]:
    return {"ordinary": 24, "major": 24, "extreme": 24}


def _default_handlers() -> dict[str, list[str]]:
    return {"ordinary": ["cs", "operator", "legal"], "major": ["operator", "legal"],
            "extreme": ["legal"]}


class IncidentRules(_Rules):
    """Three-tier escalation (三级预案): ordinary → CS, major → brand/PR, extreme → legal."""

    # Seed 000: 投诉处理防线(24小时响应机制). Hours to acknowledge, per tier.
    respond_hours: dict[str, int] = Field(default_factory=_default_hours)
    # Hours from acknowledgement to resolution, per tier (SPEC K: complaints in 24 h).
    resolve_hours: dict[str, int] = Field(default_factory=_default_hours)
    # Who may acknowledge and resolve at each tier (the owner always may).
    handlers: dict[str, list[str]] = Field(default_factory=_default_handlers)
    # A complaint naming one of these words starts at that tier.
    major_words: list[str] = Field(default_factory=lambda: [
        "媒体", "曝光", "微博", "抖音", "小红书", "集体", "群体", "维权", "大量用户"],
        max_length=200)
    extreme_words: list[str] = Field(default_factory=lambda: [
        "起诉", "律师", "法院", "12315", "市场监管", "报警", "食物中毒", "人身伤害", "死亡"],
        max_length=200)
    # Order-risk hits open incidents (at the tier the hit carries).
    incidents_from_hits: bool = True
    # Seed 000: 交易纠纷率 below 3%; seed 002: 客诉率 above 5% calls for compensation.
    max_dispute_rate_percent: Decimal = Field(default=Decimal(3), ge=0, le=100)
    max_complaint_rate_percent: Decimal = Field(default=Decimal(5), ge=0, le=100)

    @field_validator("respond_hours", "resolve_hours")
    @classmethod
    def _hours(cls, v: dict[str, int]) -> dict[str, int]:
        out = _default_hours() | v
        for tier, hours in out.items():
            if tier not in TIERS:
                raise ValueError(f"未知级别 {tier!r}, 可选 {', '.join(TIERS)}")
            if not isinstance(hours, int) or not 1 <= hours <= 24 * 90:
                raise ValueError(f"{tier}: 小时数须为 1 到 2160 的整数")
        return out

    @field_validator("handlers")
    @classmethod
    def _handlers(cls, v: dict[str, list[str]]) -> dict[str, list[str]]:
        """Known roles only; every tier handled (a tier left out keeps its default); the
        extreme tier reaches legal (or the owner) — that is what the tier is for."""
        for tier in v:
            if tier not in TIERS:
                raise ValueError(f"未知级别 {tier!r}, 可选 {', '.join(TIERS)}")
        defaults = _default_handlers()
        out = {t: list(dict.fromkeys(v[t] if t in v else defaults[t])) for t in TIERS}
        roles = _roles()
        for tier, handlers in out.items():
            for role in handlers:
                if role not in roles:
                    raise invalid_at((tier,), f"未知角色 {role!r}, 可选 {', '.join(roles)}",
                                     handlers)
            if not handlers:
                raise invalid_at((tier,), "至少需要一个处理角色, 否则这一级的事件无人处理",
                                 handlers)
        if not set(out["extreme"]) & set(EXTREME_HANDLERS):
            raise invalid_at(("extreme",), "极端级须包含法务 (legal) 或店主 (owner): 这一级"
                             "就是升级到法务与应急处理", out["extreme"])
        return out


class CopyWord(_Rules):
    """One of the merchant's copy words: block, review, or allow (白名单)."""

    word: str = Field(min_length=1, max_length=50)
    level: Literal["block", "review", "allow"] = "block"
    suggestion: str | None = Field(default=None, max_length=200)

    @model_validator(mode="after")
    def _allowed_phrase(self) -> CopyWord:
        # An allowed phrase switches off built-in findings: never a statutory term itself.
        problem = allow_problem(self.word) if self.level == "allow" else None
        if problem:
            raise invalid_at(("word",), problem, self.word)
        return self


class RiskRules(_Rules):
    orders: OrderRules = Field(default_factory=OrderRules)
    pricing: PriceRules = Field(default_factory=PriceRules)
    lottery: LotteryRules = Field(default_factory=LotteryRules)
    incidents: IncidentRules = Field(default_factory=IncidentRules)
    # The merchant's own copy words (商户自定义词表): block, review or allow.
    copy_words: list[CopyWord] = Field(default_factory=list, max_length=5000)

    @model_validator(mode="after")
    def _words_unique(self) -> RiskRules:
        seen: set[str] = set()
        for i, w in enumerate(self.copy_words):
            if w.word in seen:
                raise invalid_at(("copy_words", i, "word"), f"词 {w.word!r} 重复", w.word)
            seen.add(w.word)
        return self


def tier_after(tier: str) -> str | None:
    """The next tier up, or None at the top."""
    i = TIERS.index(tier)
    return TIERS[i + 1] if i + 1 < len(TIERS) else None


def merged(document: Mapping[str, Any], patch: Mapping[str, Any]) -> dict[str, Any]:
    """`patch` laid over `document` (合并修改): an object merges key by key, at any depth;
    anything else — a list such as copy_words, a number, null — replaces the value."""
    out = dict(document)
    for key, value in patch.items():
        old = out.get(key)
        out[key] = (merged(old, value) if isinstance(old, Mapping) and isinstance(value, Mapping)
                    else value)
    return out
