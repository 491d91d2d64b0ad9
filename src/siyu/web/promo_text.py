"""A promotion's rule, scope and audience in plain words (zh-CN or en) for the console.

Pure: the engine's parsed `Promotion` in, short sentences out. Money is ¥ with two
decimals from integer fen; 折 is 10 × the share paid (5% off = 9.5折).
"""

from __future__ import annotations

from decimal import Decimal

from siyu.promo.schemas import (
    BundlePrice,
    BuyXGetY,
    Fixed,
    NthItem,
    Percent,
    Promotion,
    Rule,
    Threshold,
)
from siyu.web.format import yuan


def money(fen: int) -> str:
    return f"¥{yuan(fen)}"


def _num(d: Decimal) -> str:
    return format(d.normalize(), "f")


def _zhe(percent_off: Decimal) -> str:
    """5 (% off) -> "9.5折"; 50 -> "5折"; 100 -> "免费"."""
    if percent_off >= 100:
        return "免费"
    return f"{_num((Decimal(100) - percent_off) / 10)}折"


def _cap(max_off: int | None, lang: str) -> str:
    if max_off is None:
        return ""
    return f", 最多减 {money(max_off)}" if lang == "zh-CN" else f", at most {money(max_off)} off"


def _threshold(rule: Threshold, lang: str) -> str:
    zh = lang == "zh-CN"
    if rule.repeat:
        tier = rule.tiers[0]
        text = (f"每满 {money(tier.min)} 减 {money(tier.off)}" if zh
                else f"{money(tier.off)} off every {money(tier.min)}")
    else:
        parts = [(f"满 {money(t.min)} 减 {money(t.off)}" if zh
                  else f"{money(t.off)} off {money(t.min)}+") for t in rule.tiers]
        text = "; ".join(parts)
    return text + _cap(rule.max_off, lang)


def _percent(rule: Percent, lang: str) -> str:
    if lang == "zh-CN":
        head = f"满 {money(rule.min)} " if rule.min else ""
        return f"{head}打{_zhe(rule.percent)} (减 {_num(rule.percent)}%)" + _cap(rule.max_off, lang)
    tail = f" on {money(rule.min)}+" if rule.min else ""
    return f"{_num(rule.percent)}% off{tail}" + _cap(rule.max_off, lang)


def _fixed(rule: Fixed, lang: str) -> str:
    if lang == "zh-CN":
        return (f"满 {money(rule.min)} 立减 {money(rule.off)}" if rule.min
                else f"无门槛立减 {money(rule.off)}")
    return (f"{money(rule.off)} off {money(rule.min)}+" if rule.min
            else f"{money(rule.off)} off, no minimum")


def _nth(rule: NthItem, lang: str) -> str:
    if lang == "zh-CN":
        return f"第 {rule.n} 件{_zhe(rule.percent)}"
    off = "free" if rule.percent >= 100 else f"{_num(rule.percent)}% off"
    return f"item {rule.n} of the same SKU {off}"


def describe_rule(rule: Rule, lang: str) -> str:
    """满减 tiers, 折扣, 立减, 第N件, 买赠, 组合价 as one line."""
    if isinstance(rule, Threshold):
        return _threshold(rule, lang)
    if isinstance(rule, Percent):
        return _percent(rule, lang)
    if isinstance(rule, Fixed):
        return _fixed(rule, lang)
    if isinstance(rule, NthItem):
        return _nth(rule, lang)
    if isinstance(rule, BuyXGetY):
        return (f"买 {rule.buy} 件送 {rule.get} 件" if lang == "zh-CN"
                else f"buy {rule.buy}, get {rule.get} free")
    assert isinstance(rule, BundlePrice)
    return (f"任选 {rule.count} 件 {money(rule.price)}" if lang == "zh-CN"
            else f"any {rule.count} for {money(rule.price)}")


def _names(values: frozenset[str] | None) -> str:
    return "、".join(sorted(values or ()))


def describe_scope(p: Promotion, lang: str) -> str:
    s = p.scope
    zh = lang == "zh-CN"
    picks = []
    if s.skus:
        picks.append(("商品 " if zh else "SKUs ") + _names(s.skus))
    if s.categories:
        picks.append(("品类 " if zh else "categories ") + _names(s.categories))
    if s.tags:
        picks.append(("标签 " if zh else "tags ") + _names(s.tags))
    text = (" 或 " if zh else " or ").join(picks) or ("全部商品" if zh else "every product")
    if s.stores:
        text += ("; 限门店 " if zh else "; stores ") + _names(s.stores)
    if s.exclude_skus:
        text += ("; 不含 " if zh else "; except ") + _names(s.exclude_skus)
    return text


def describe_audience(p: Promotion, lang: str) -> str:
    zh = lang == "zh-CN"
    parts = []
    if p.member_tiers:
        parts.append(("会员等级 " if zh else "member tiers ") + _names(p.member_tiers))
    if p.segments:
        parts.append(("人群 " if zh else "segments ") + _names(p.segments))
    return ("; ".join(parts) if parts else ("所有顾客" if zh else "every shopper"))


def describe_stacking(p: Promotion, lang: str) -> str:
    zh = lang == "zh-CN"
    if p.exclusive:
        text = "不与其他优惠同享" if zh else "not combinable with other offers"
    elif p.stack_group and p.stack_group != p.id:
        text = (f"叠加组 {p.stack_group} (同组只取一个)" if zh
                else f"stack group {p.stack_group} (one per group)")
    else:
        text = "可与其他优惠叠加" if zh else "combinable with other offers"
    if p.priority:
        text += f"; 优先级 {p.priority}" if zh else f"; priority {p.priority}"
    return text
