"""Lottery and lucky-envelope compliance (抽奖合规), pure: check a rules document, and
draw with exactly the odds it shows.

A rules document must publish (网络交易监督管理办法, 反不正当竞争法 art. 10) the prize
types, the conditions to take part, each prize's amount, the number of prizes or the
odds, and the draw time; the top prize may not exceed 50,000 yuan (the merchant may set
a lower cap). No rule caps the odds themselves: a 50% consolation coupon is fine as long
as it is published — and the odds published are the odds the draw uses. `check` returns
findings (`error`: the rules may not be published as they are; `review`: the legal
reviewer looks), never raises for missing disclosures — only malformed values are bad
input.

`Wheel` turns the published odds into exact integer weights (fractions over a common
denominator), and both `shown()` and `draw()` read those same weights: the odds people
see are the odds used. Randomness comes from a passed-in `random.Random`.
"""

from __future__ import annotations

import bisect
import json
import math
import random
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from siyu.core.clock import parse_datetime
from siyu.core.errors import InvalidInput, SiyuError
from siyu.core.fields import Yuan
from siyu.core.money import fmt_yuan
from siyu.core.validation import describe
from siyu.risk.rules import LotteryRules
from siyu.risk.scanner import scan_text

PRIZE_TYPES = ("cash", "goods", "coupon", "points", "service", "other")
INSTANT = ("instant", "即时开奖", "即开")


def parse_odds(value: object, field: str = "odds") -> Fraction:
    """"0.5%", "1/1000", "0.005" (or a number) → an exact probability in (0, 1]."""
    if isinstance(value, bool) or not isinstance(value, str | int | float | Decimal):
        raise InvalidInput(f"{field}: 概率须写成 0.5% / 1/1000 / 0.005", field=field)
    text = str(value).strip().replace("％", "%")
    try:
        if text.endswith("%"):
            p = Fraction(Decimal(text[:-1].strip())) / 100
        elif "/" in text:
            num, den = text.split("/", 1)
            p = Fraction(int(num.strip()), int(den.strip()))
        else:
            p = Fraction(Decimal(text))
    except (ValueError, ZeroDivisionError, InvalidOperation):
        raise InvalidInput(f"{field}: 无法解析的概率 {value!r}", field=field) from None
    if not 0 < p <= 1:
        raise InvalidInput(f"{field}: 概率须大于 0 且不超过 100%", field=field)
    return p


def percent_text(p: Fraction) -> str:
    """Exact when the decimal terminates within 6 places, else rounded (≈ marks it)."""
    pct = p * 100
    scaled = pct * 10**6
    text = f"{Decimal(scaled.numerator) / Decimal(scaled.denominator):.0f}"
    value = Decimal(text) / Decimal(10**6)
    shown = f"{value.normalize():f}%"
    return shown if scaled.denominator == 1 else "≈" + shown


class PrizeIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: str | None = Field(default=None, max_length=100)
    type: Literal["cash", "goods", "coupon", "points", "service", "other"] | None = None
    # The value of one prize in yuan (goods: their market value).
    amount: Yuan | None = None
    count: int | None = Field(default=None, ge=1, le=100_000_000)
    odds: str | None = Field(default=None, max_length=40)

    @field_validator("odds", mode="before")
    @classmethod
    def _odds(cls, v):
        if v is None:
            return None
        try:
            parse_odds(v)
        except SiyuError as e:
            raise ValueError(e.message.split(": ", 1)[-1]) from e
        return str(v).strip()

    @property
    def probability(self) -> Fraction | None:
        return None if self.odds is None else parse_odds(self.odds)


class LotteryIn(BaseModel):
    """A lottery's published rules (活动规则)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: str | None = Field(default=None, max_length=100)
    kind: Literal["lottery", "lucky_envelope"] = "lottery"
    conditions: str | None = Field(default=None, max_length=2000)
    # An ISO datetime, or "instant" / 即时开奖 for a draw at the moment of taking part.
    draw_time: str | None = Field(default=None, max_length=40)
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    prizes: list[PrizeIn] = Field(default_factory=list, max_length=100)

    @field_validator("draw_time")
    @classmethod
    def _draw_time(cls, v):
        if v is None or v.strip().lower() in INSTANT:
            return v
        try:
            parse_datetime(v, "draw_time")
        except SiyuError as e:
            raise ValueError("须为 ISO 8601 时间或 instant (即时开奖)") from e
        return v

    @field_validator("starts_at", "ends_at", mode="before")
    @classmethod
    def _times(cls, v, info):
        if v is None:
            return None
        try:
            return parse_datetime(v, info.field_name)
        except SiyuError as e:
            raise ValueError("需要 ISO 8601 时间") from e


def input_name(source: str) -> str:
    """How messages name an input: the path as given, or 输入 for standard input ("-")."""
    return "输入" if source in ("-", "") else source


def load(text: str, source: str = "-") -> LotteryIn:
    """A rules document from JSON text. A problem raises InvalidInput whose message starts
    with the input as given (`lottery.json: prizes[0].odds: ...`, stdin: `输入: ...`) and
    whose field is the place in the document."""
    name = input_name(source)
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as e:
        raise InvalidInput(f"{name}: 不是有效的 JSON: {e.msg} (第 {e.lineno} 行, 第 {e.colno} 列)",
                           field="document") from None
    try:
        return LotteryIn.model_validate(doc)
    except ValidationError as e:
        field, message, _ = describe(e.errors(), default="document")
        raise InvalidInput(f"{name}: {message}", field=field) from None


@dataclass(frozen=True, slots=True)
class LotteryFinding:
    rule: str
    level: str  # error / review
    field: str
    message: str

    def to_dict(self) -> dict:
        return {"rule": self.rule, "level": self.level, "field": self.field,
                "message": self.message}


def _copy(doc: LotteryIn) -> list[LotteryFinding]:
    texts = [("name", doc.name), ("conditions", doc.conditions),
             *((f"prizes[{i}].name", p.name) for i, p in enumerate(doc.prizes))]
    out = []
    for field, text in texts:
        if not text:
            continue
        result = scan_text(text)
        for f in result.findings:
            out.append(LotteryFinding("copy", "error" if f.blocks else "review", field,
                                      f"「{f.match}」{f.rule}; 建议: {f.suggestion}"))
    return out


def check(doc: LotteryIn, rules: LotteryRules | None = None) -> list[LotteryFinding]:
    """Every disclosure missing and every limit crossed, in document order."""
    rules = rules or LotteryRules()
    out: list[LotteryFinding] = []

    def err(rule: str, field: str, message: str, level: str = "error") -> None:
        out.append(LotteryFinding(rule, level, field, message))

    if not doc.conditions:
        err("missing_conditions", "conditions", "未公布参与条件 (如: 下单满 99 元可抽一次)")
    if not doc.draw_time:
        err("missing_draw_time", "draw_time", "未公布开奖时间 (或注明即时开奖)")
    if not doc.prizes:
        err("missing_prizes", "prizes", "未公布奖项")
    for i, p in enumerate(doc.prizes):
        where = f"prizes[{i}]"
        label = p.name or f"第 {i + 1} 个奖项"
        if not p.name:
            err("missing_prize_name", f"{where}.name", f"{label}: 未写奖项名称")
        if p.type is None:
            err("missing_prize_type", f"{where}.type",
                f"{label}: 未公布奖品种类 ({'/'.join(PRIZE_TYPES)})")
        if p.amount is None:
            err("missing_amount", f"{where}.amount", f"{label}: 未公布奖品金额或价值")
        if p.count is None and p.odds is None:
            err("missing_count_or_odds", f"{where}.odds", f"{label}: 未公布奖品数量或中奖概率")
        if p.amount is not None and p.amount > rules.max_top_prize:
            err("top_prize_over_limit", f"{where}.amount",
                f"{label}: 奖品金额 {fmt_yuan(p.amount)} 元超过上限 "
                f"{fmt_yuan(rules.max_top_prize)} 元 (反不正当竞争法第十条)")
    total = sum((p.probability for p in doc.prizes if p.odds is not None), Fraction(0))
    if total > 1:
        err("odds_over_total", "prizes", f"各奖项中奖概率之和为 {percent_text(total)}, 超过 100%")
    if doc.starts_at and doc.ends_at and doc.ends_at <= doc.starts_at:
        err("bad_window", "ends_at", "结束时间须晚于开始时间")
    instant = not doc.draw_time or doc.draw_time.strip().lower() in INSTANT
    if (not instant and doc.starts_at
            and parse_datetime(doc.draw_time, "draw_time") < doc.starts_at):
        err("draw_before_start", "draw_time", "开奖时间早于活动开始时间")
    out.extend(_copy(doc))
    return out


@dataclass(frozen=True)
class Wheel:
    """Prizes with exact odds as integer weights over one denominator; the rest of the
    denominator is "no prize" (谢谢参与)."""

    names: tuple[str, ...]
    odds: tuple[Fraction, ...]
    scale: int
    cumulative: tuple[int, ...]

    @classmethod
    def from_odds(cls, names: list[str], odds: list[Fraction]) -> Wheel:
        if not odds or len(names) != len(odds):
            raise InvalidInput("prizes: 每个奖项都须有名称和中奖概率", field="prizes")
        if sum(odds) > 1:
            raise InvalidInput("prizes: 中奖概率之和超过 100%", field="prizes")
        scale = math.lcm(*(p.denominator for p in odds))
        running, cumulative = 0, []
        for p in odds:
            running += p.numerator * (scale // p.denominator)
            cumulative.append(running)
        return cls(tuple(names), tuple(odds), scale, tuple(cumulative))

    @classmethod
    def from_doc(cls, doc: LotteryIn) -> Wheel:
        missing = [i for i, p in enumerate(doc.prizes) if p.odds is None]
        if missing:
            field = f"prizes[{missing[0]}].odds"
            raise InvalidInput(f"{field}: 按概率抽奖时每个奖项都须公布中奖概率", field=field)
        return cls.from_odds([p.name or f"prize{i + 1}" for i, p in enumerate(doc.prizes)],
                             [p.probability for p in doc.prizes])

    @property
    def no_prize(self) -> Fraction:
        return 1 - sum(self.odds, Fraction(0))

    def shown(self) -> list[dict]:
        """The odds as published: exact fractions, and percentages."""
        rows = [{"prize": n, "odds": str(p), "percent": percent_text(p)}
                for n, p in zip(self.names, self.odds, strict=True)]
        rows.append({"prize": None, "odds": str(self.no_prize),
                     "percent": percent_text(self.no_prize) if self.no_prize else "0%"})
        return rows

    def draw(self, rng: random.Random) -> int | None:
        """The index of the prize won, or None (no prize). P(i) = odds[i] exactly."""
        r = rng.randrange(self.scale)
        i = bisect.bisect_right(self.cumulative, r)
        return i if i < len(self.names) else None


def draw_many(wheel: Wheel, n: int, seed: int) -> list[int | None]:
    """`n` draws from a generator seeded with `seed`: the same seed, the same results."""
    rng = random.Random(seed)
    return [wheel.draw(rng) for _ in range(n)]


def report(doc: LotteryIn, rules: LotteryRules | None = None) -> dict:
    """The verdict (block / review / pass), the findings and, when every prize has odds
    that add up, the odds as the draw will use them."""
    findings = check(doc, rules)
    odds = None
    if doc.prizes and all(p.odds is not None for p in doc.prizes) and not any(
            f.rule == "odds_over_total" for f in findings):
        odds = Wheel.from_doc(doc).shown()
    verdict = ("block" if any(f.level == "error" for f in findings)
               else "review" if findings else "pass")
    return {"verdict": verdict, "findings": [f.to_dict() for f in findings], "odds": odds}
