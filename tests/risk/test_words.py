"""Word lists: every category's hits, however disguised, at the original characters."""

import pytest

from siyu.risk.lexicon import GROUPS
from siyu.risk.scanner import scan_text


def found(text):
    return [(f.category, f.match, f.start, f.end) for f in scan_text(text).findings]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("本店全网最低", [("ad_absolute", "全网最低", 2, 6)]),
        ("本店全 网 最 低", [("ad_absolute", "全 网 最 低", 2, 9)]),
        ("本店全.网.最.低！", [("ad_absolute", "全.网.最.低", 2, 9)]),
        ("全❤️网🔥最\u200b低", [("ad_absolute", "全❤️网🔥最\u200b低", 0, 8)]),
        ("ＮＯ．１品牌", [("ad_absolute", "ＮＯ．１", 0, 4)]),
        ("iPhone No. 1 的选择", [("ad_absolute", "No. 1", 7, 12)]),
        ("TOP1 爆款", [("ad_absolute", "TOP1", 0, 4)]),
        ("國家級認證", [("ad_absolute", "國家級", 0, 3)]),
        ("全網最低價", [("ad_absolute", "全網最低價", 0, 5)]),
        ("销量第一的坚果", [("ad_absolute", "第一", 2, 4)]),
        ("史无前例的优惠，最后机会", [("ad_absolute", "史无前例", 0, 4),
                                   ("ad_absolute", "最后机会", 8, 12)]),
        ("万能清洁剂", [("ad_absolute", "万能", 0, 2)]),
        ("100%有效", [("ad_false", "100%有效", 0, 6)]),
        ("无效退款，永不反弹", [("ad_false", "无效退款", 0, 4), ("ad_false", "永不反弹", 5, 9)]),
        ("根 治 失眠", [("ad_false", "根 治", 0, 3)]),
        ("下单返利，稳赚不赔", [("sensitive", "返利", 2, 4), ("sensitive", "稳赚不赔", 5, 9)]),
        ("送免费赠品", [("sensitive", "免费赠品", 1, 5)]),
        ("返\u200d利活动", [("sensitive", "返\u200d利", 0, 3)]),
    ],
)
def test_terms_found_at_the_original_characters(text, expected):
    assert found(text) == expected
    for _, match, start, end in expected:
        assert text[start:end] == match


def test_longest_term_wins_within_a_category():
    assert found("全网最低价") == [("ad_absolute", "全网最低价", 0, 5)]


def test_finding_carries_rule_and_suggestion():
    (f,) = scan_text("全网最低").findings
    assert f.rule.startswith("广告法第九条第三项")
    assert f.suggestion == "超值优惠价"
    assert f.to_dict() == {
        "category": "ad_absolute", "match": "全网最低", "start": 0, "end": 4,
        "rule": f.rule, "suggestion": "超值优惠价",
    }


def test_every_listed_term_is_found_as_written():
    for group in GROUPS:
        for term, suggestion in group.terms:
            text = f"这是{term}。"
            hits = [f for f in scan_text(text).findings if f.category == group.category]
            assert [(f.match, f.rule, f.suggestion) for f in hits] == [
                (term, group.rule, suggestion)], term


@pytest.mark.parametrize(
    "text",
    ["今天最近的门店", "第一次购买", "第一天到货", "第一步：下单", "第一时间发货", "第10名",
     "第1次", "性价比最高，级别很高", "最佳赏味期 6 个月", "满100有效期7天", "确保本次活动顺利",
     "太极品牌", "治愈系好物", "piano 1", "no.12 号色", "有效期至2026年", "最后的话",
     "万能胶水", "首选项设置",
     # found in a new-user trial: numbering, names, first-buyer mechanics, delivery
     "第1-3件包邮", "第1、2件享折扣", "第一位下单的送礼盒", "中国第一汽车集团", "第一书记推荐",
     "第一财经报道", "极品飞车联名款", "免费送货上门", "金额 13812345678.00 元"],
)
def test_near_misses_do_not_fire(text):
    assert scan_text(text).verdict == "pass", found(text)


def test_allowed_phrase_suppresses_only_what_it_overlaps():
    assert found("第一次购买, 销量第一") == [("ad_absolute", "第一", 9, 11)]


def test_clause_boundary_is_not_a_disguise_but_even_spacing_is():
    assert found("性价比最高，级别很高") == []
    assert found("全，网，最，低") == [("ad_absolute", "全，网，最，低", 0, 7)]


@pytest.mark.parametrize(("text", "match"), [
    ("第壹名", "第壹"),  # formal numerals (大写数字) read as 一
    ("销量冠军", "销量冠军"),
    ("百分之一百有效", "百分之一百有效"),
    ("第1名, 第1-3件包邮", "第1"),  # the rank still fires beside a numbering
    ("行业第一、第二", "第一"),  # a list after a Chinese numeral is no numbering of digits
])
def test_trial_evasions_and_claims_fire(text, match):
    result = scan_text(text)
    assert result.verdict == "block", found(text)
    assert result.findings[0].match == match
