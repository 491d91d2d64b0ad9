"""The merchant's risk rules (风控规则): every threshold of order risk, price red lines,
lottery compliance, incident timers and the merchant's own copy words, with the seeds'
numbers as defaults. Stored in Merchant.settings["risk"]; pure pydantic, no I/O.
"""

from __future__ import annotations

from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from siyu.core.fields import Yuan

TIERS = ("ordinary", "major", "extreme")


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
    # Many accounts sharing one phone, address or device (over the whole sweep).
    phone_accounts: int = Field(default=3, ge=2)
    address_accounts: int = Field(default=3, ge=2)
    device_accounts: int = Field(default=3, ge=2)
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

    # 反不正当竞争法 art. 10: a prize lottery's top prize may not exceed 50,000 yuan.
    max_top_prize: Yuan = 5_000_000
    # Seed 000's checklist (单次中奖概率不超过1%): a prize with higher odds asks for review.
    max_prize_odds_percent: Decimal | None = Field(default=Decimal(1), ge=0, le=100)


def _default_hours() -> dict[str, int]:
    return {"ordinary": 24, "major": 24, "extreme": 24}


class IncidentRules(_Rules):
    """Three-tier escalation (三级预案): ordinary → CS, major → brand/PR, extreme → legal."""

    # Seed 000: 投诉处理防线(24小时响应机制). Hours to acknowledge, per tier.
    respond_hours: dict[str, int] = Field(default_factory=_default_hours)
    # Hours from acknowledgement to resolution, per tier (SPEC K: complaints in 24 h).
    resolve_hours: dict[str, int] = Field(default_factory=_default_hours)
    # Who may acknowledge and resolve at each tier (the owner always may).
    handlers: dict[str, list[str]] = Field(default_factory=lambda: {
        "ordinary": ["cs", "operator", "legal"], "major": ["operator", "legal"],
        "extreme": ["legal"]})
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
        for tier in v:
            if tier not in TIERS:
                raise ValueError(f"未知级别 {tier!r}, 可选 {', '.join(TIERS)}")
        return {t: list(v.get(t, [])) for t in TIERS}


class CopyWord(_Rules):
    word: str = Field(min_length=1, max_length=50)
    level: str = Field(default="block", pattern="^(block|review|allow)$")
    suggestion: str | None = Field(default=None, max_length=200)


class RiskRules(_Rules):
    orders: OrderRules = Field(default_factory=OrderRules)
    pricing: PriceRules = Field(default_factory=PriceRules)
    lottery: LotteryRules = Field(default_factory=LotteryRules)
    incidents: IncidentRules = Field(default_factory=IncidentRules)
    # The merchant's own copy words (商户自定义词表): block, review or allow.
    copy_words: list[CopyWord] = Field(default_factory=list, max_length=5000)

    @model_validator(mode="after")
    def _words_unique(self):
        seen: set[str] = set()
        for i, w in enumerate(self.copy_words):
            if w.word in seen:
                raise ValueError(f"copy_words[{i}]: 词 {w.word!r} 重复")
            seen.add(w.word)
        return self


def tier_after(tier: str) -> str | None:
    """The next tier up, or None at the top."""
    i = TIERS.index(tier)
    return TIERS[i + 1] if i + 1 < len(TIERS) else None
