"""Verdicts, merchant custom lists (商户自定义词表) and the service hook."""

import pytest

from siyu.core.errors import InvalidInput
from siyu.risk.custom import parse_custom
from siyu.risk.scanner import CustomWord, Scanner, scan_text
from siyu.risk.service import CopyBlocked, check_outgoing


@pytest.mark.parametrize(
    ("text", "verdict"),
    [
        ("坚果礼盒今日上新", "pass"),
        ("国家级品质", "block"),  # ad_absolute
        ("一次见效", "block"),  # ad_false
        ("下单返现", "review"),  # sensitive
        ("电话 13812345678", "review"),  # contact
        ("看 www.example.com", "review"),  # link
        ("下单返现, 全网最低", "block"),  # the strictest finding decides
    ],
)
def test_verdict(text, verdict):
    assert scan_text(text).verdict == verdict


def test_findings_are_in_text_order():
    result = scan_text("电话 13812345678, 全网最低, 返利")
    assert [f.start for f in result.findings] == sorted(f.start for f in result.findings)
    assert [f.category for f in result.findings] == ["contact", "ad_absolute", "sensitive"]


def test_custom_block_and_review_levels():
    custom = [CustomWord("竞品", "block", "我们的产品"), CustomWord("秒杀", "review")]
    result = scan_text("比竞 品更好, 限时秒杀", custom=custom)
    assert result.verdict == "block"
    assert [(f.category, f.match, f.suggestion) for f in result.findings] == [
        ("custom", "竞 品", "我们的产品"),
        ("custom", "秒杀", "按商户文案规范修改或删除"),
    ]
    assert scan_text("限时秒杀", custom={"秒杀": "review"}).verdict == "review"


def test_custom_allow_suppresses_a_builtin_term():
    assert scan_text("第一品牌旗舰店").verdict == "block"
    assert scan_text("第一品牌旗舰店", custom={"第一品牌旗舰店": "allow"}).verdict == "pass"


def test_an_allowed_phrase_clears_only_terms_it_holds_or_takes_into_another_word():
    # a phrase strictly inside a term clears nothing: 最 cannot switch off 全网最低
    assert scan_text("全网最低 最佳", custom={"网最": "allow"}).verdict == "block"
    # one that holds the term, or takes its end into another word, does
    assert scan_text("第一财经报道", custom={"第一财经": "allow"}).verdict == "pass"
    assert scan_text("满100有效期7天").verdict == "pass"  # 有效期 takes 有效 of 100有效
    # an allowed phrase elsewhere in the text clears nothing else
    found = scan_text("第一财经报道: 行业第一", custom={"第一财经": "allow"}).findings
    assert [(f.match, f.start) for f in found] == [("第一", 10)]


@pytest.mark.parametrize(("word", "reason"), [("最", "至少需要两个字"),
                                              ("全网最低", "本身是广告法禁用语"),
                                              ("ＮＯ．１", "本身是广告法禁用语")])
def test_a_single_character_or_a_statutory_term_cannot_be_allowed(word, reason):
    with pytest.raises(InvalidInput) as e:
        parse_custom(f"{word},allow\n", field="--custom")
    assert reason in e.value.message and e.value.field == "--custom"


def test_long_texts_full_of_allowed_phrases_scan_in_linear_time():
    import time

    def cost(n: int) -> float:
        text = "第一次最佳赏味期" * n + "全网最低"
        t0 = time.process_time()
        result = scan_text(text)
        assert result.verdict == "block" and len(result.findings) == 1
        return time.process_time() - t0

    cost(200)  # warm up
    small, large = min(cost(1_000) for _ in range(3)), min(cost(8_000) for _ in range(3))
    # 8× the text: ~8-10× the time (allocation and GC add a little); checking every
    # term against every allowed phrase made it ~64× (a 300 KB line took 20 s)
    assert large < 8 * small * 4


def test_custom_list_does_not_leak_into_the_default_scanner():
    scan_text("竞品", custom={"竞品": "block"})
    assert scan_text("竞品").verdict == "pass"


def test_custom_level_must_be_known():
    with pytest.raises(ValueError):
        scan_text("x", custom={"竞品": "maybe"})


def test_parse_custom_lines():
    words = parse_custom("# 商户词表\n竞品,block,我们的产品\n\n秒杀,review\n旗舰\n")
    assert words == (
        CustomWord("竞品", "block", "我们的产品"),
        CustomWord("秒杀", "review"),
        CustomWord("旗舰", "block"),
    )


def test_parse_custom_json_forms():
    assert parse_custom('{"竞品": "block", "秒杀": "review"}') == (
        CustomWord("竞品", "block"), CustomWord("秒杀", "review"))
    assert parse_custom('[{"word": "竞品", "suggestion": "我们"}, "秒杀"]') == (
        CustomWord("竞品", "block", "我们"), CustomWord("秒杀", "block"))


@pytest.mark.parametrize(
    ("data", "reason"),
    [("竞品,sometimes\n", "第 1 行"), ("\n！！,block\n", "第 2 行"), ("[1]", "第 1 项"),
     ("{bad json", "JSON"), ('[{"level": "block"}]', "第 1 项: 词为空")],
)
def test_parse_custom_rejects_bad_input_naming_the_place(data, reason):
    with pytest.raises(InvalidInput) as e:
        parse_custom(data, field="--custom")
    assert e.value.field == "--custom"
    assert reason in e.value.message
    assert e.value.message.startswith("--custom: ")


def test_check_outgoing_blocks_with_422_naming_the_field():
    with pytest.raises(CopyBlocked) as e:
        check_outgoing("全网最低, 加微信", "greeting")
    err = e.value
    assert (err.status, err.code, err.field) == (422, "copy_blocked", "greeting")
    assert "全网最低" in err.message and "超值优惠价" in err.message
    assert err.to_dict()["error"]["code"] == "copy_blocked"
    assert {f.category for f in err.findings} == {"ad_absolute", "contact"}


def test_check_outgoing_returns_review_findings_and_nothing_on_pass():
    assert [f.category for f in check_outgoing("下单返现", "post")] == ["sensitive"]
    assert check_outgoing("坚果礼盒今日上新", "post") == ()


def test_a_scanner_is_reusable_and_deterministic():
    scanner = Scanner((CustomWord("竞品"),))
    assert scanner.scan("竞品") == scanner.scan("竞品")
