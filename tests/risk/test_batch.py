"""The batch path (`scan_many`): exactly the one-by-one results, on generated copy full of
disguised words, phones, ids and links, and with merchants' own lists."""

import string

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from siyu.risk import batch, contacts
from siyu.risk.lexicon import ALLOW, GROUPS
from siyu.risk.scanner import CustomWord, Scanner, default_scanner, scan_many, scan_text

TERMS = [term for group in GROUPS for term, _ in group.terms]
SEPARATORS = [" ", "\u3000", ".", "。", "，", "*", "-", "_", "/", "|", "~", "·", "#", "🔥",
              "❤️", "✨", "\u200b", "\u200d", "★", "\n", "\t", ":", "、", "+"]
TRADITIONAL = str.maketrans("国网级实价号电话联系质赠免费现礼发货机会后顶极佳优",
                            "國網級實價號電話聯係質贈免費現禮發貨機會後頂極佳優")
CIRCLED = dict(zip("0123456789", "⓪①②③④⑤⑥⑦⑧⑨", strict=True))
FULL_WIDTH = {c: chr(ord(c) + 0xFEE0) for c in string.ascii_letters + string.digits + "@."}
HAN_DIGITS = dict(zip("0123456789", "零一二三四五六七八九", strict=True))
CONTACT_BITS = [
    "加微信", "加我微信", "加V", "+v", "＋V", "vx", "wx号", "微信号", "威信", "wechat", "weixin",
    "联系我的微信", "私我", "qq", "QQ群", "扣扣", "企鹅", "@", "＠", "example", ".com", "。cn",
    "点com", " dot ", "www", "http://", "https://a.cn/x", "ftp:", "abc_123", "a1b2c3d",
    "13812345678", "19900001111", "+86", "0086", "1380", "10:00", "19.90", "2026012012345",
    "壹叁捌", "幺三八", "VIP", "vip会员", "。VIP", "22:00。",
]
# One whole contact or link for each hint of contacts.patterns(): alone in a text, only
# that hint can make the finding.
WHOLE_CONTACTS = [
    "QQ：１２３４５６７", "qq 88886", "扣扣 12345", "企鹅号 234567", "weixin:abcdef1",
    "wechat abc_123", "WX号 a12345", "v信 abcdefg", "vx:abc1234", "加我的微信", "私微信",
    "联系微信", "+V abc123", "＋v abc123", "微信号 abc123", "威信 abcd123", "1③8 1234 ５６７８",
    "一三八一二三四五六七八", "壹叁捌壹贰叁肆伍陆柒捌", "幺三八一二三四五六七八", "a@b.cn",
    "www . example . com", "shop点com", "abc.xyz/x", "shop 。cn", "shop dot com",
    "http : //x.cn", "ftp://a.cn",
]
CONTACT_BITS += WHOLE_CONTACTS
PLAIN = ["新品上市", "欢迎进群", "最近", "第一次", "订单号", "微信支付", "价格", "元", "今晚8点",
         "好物分享", "精选坚果", "会员中心", "有效期", "治愈系", "万能胶", "确保本金", "0元",
         "Σ", "ΑΣ", "İ", "ß", "ﬁ", "🇨🇳", "𝐀𝐁", "🅰", "最 🄰 佳", "q🅠q", "㊀", "〡", "\ufdd0",
         "\ud800"]


def disguise(word: str, data) -> str:
    """A word as evasion writes it: per character full-width, upper, traditional,
    circled or Chinese digits, with separators between characters."""
    out = []
    for i, ch in enumerate(word):
        how = data.draw(st.sampled_from(["keep", "keep", "full", "upper", "trad", "circled",
                                         "han"]))
        if how == "full":
            ch = FULL_WIDTH.get(ch, ch)
        elif how == "upper":
            ch = ch.upper()
        elif how == "trad":
            ch = ch.translate(TRADITIONAL)
        elif how == "circled":
            ch = CIRCLED.get(ch, ch)
        elif how == "han":
            ch = HAN_DIGITS.get(ch, ch)
        if i:
            ch = "".join(data.draw(st.lists(st.sampled_from(SEPARATORS), max_size=2))) + ch
        out.append(ch)
    return "".join(out)


@st.composite
def copy_text(draw):
    parts = []
    for _ in range(draw(st.integers(0, 6))):
        kind = draw(st.sampled_from(["term", "allow", "contact", "plain", "noise"]))
        if kind == "term":
            word = draw(st.sampled_from(TERMS))
        elif kind == "allow":
            word = draw(st.sampled_from(ALLOW))
        elif kind == "contact":
            word = draw(st.sampled_from(CONTACT_BITS))
        elif kind == "plain":
            word = draw(st.sampled_from(PLAIN))
        else:
            word = draw(st.text(max_size=6))
        parts.append(disguise(word, draw(st.data())) if draw(st.booleans()) else word)
        parts.append("".join(draw(st.lists(st.sampled_from(SEPARATORS), max_size=2))))
    return "".join(parts)


def assert_same(scanner: Scanner, texts: list[str]) -> None:
    expected = [scanner.scan(t) for t in texts]
    assert scanner.scan_many(texts) == expected, texts


@settings(max_examples=400, deadline=None)
@given(st.lists(copy_text(), min_size=1, max_size=12))
def test_batch_equals_one_by_one_on_generated_copy(texts):
    assert_same(default_scanner(), texts)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(max_size=40), min_size=1, max_size=12))
def test_batch_equals_one_by_one_on_any_text(texts):
    assert_same(default_scanner(), texts)


CUSTOM = (
    CustomWord("竞品", "block"), CustomWord("赌", "block"), CustomWord("Ω牌", "review"),
    CustomWord("秒杀王", "review", "限时特价"), CustomWord("第一品牌旗舰店", "allow"),
    CustomWord("极品茶", "allow"), CustomWord("E", "review"),
)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(copy_text(), st.sampled_from(
    ["比竞品好", "竞 品", "賭", "Ω牌", "ω 牌", "秒杀王来了", "第一品牌旗舰店", "极品茶叶", "e", "E"]
)), min_size=1, max_size=12))
def test_batch_equals_one_by_one_with_a_custom_list(texts):
    assert_same(Scanner(CUSTOM), texts)


@pytest.mark.parametrize("contact", WHOLE_CONTACTS)
def test_each_kind_of_contact_or_link_is_scanned_in_a_batch(contact):
    texts = [f"欢迎选购{contact}", contact, f"{contact}。好物", "新品上市"]
    results = scan_many(texts)
    assert results == [scan_text(t) for t in texts]
    assert all(r.findings for r in results[:3]), (contact, results)


def test_the_prefilter_knows_every_contact_hint():
    """The pre-filter's table of what follows each hint must cover the hints it stands for."""
    assert {first for first, _, _ in contacts.patterns().hints} == batch.HINT_LEADS


def test_everyday_copy_is_cleared_without_a_scan():
    scanner = default_scanner()
    clean = ["第一次购买的朋友可以先试试小包装。", "最近天气转凉，记得添衣保暖。",
             "支持微信支付，48小时内发货。", "价格 1380 元，可分三期。",
             "活动时间：1月20日 10:00-22:00。", "订单号 20260120123456789 已发货。",
             "今晚8点准时开抢，库存有限。", "点击下方商品卡片即可购买。"]
    scanner.scan_many(clean)
    assert scanner._prefilter.suspects(clean) == []


def test_texts_with_findings_or_special_characters_are_scanned():
    scanner = default_scanner()
    texts = ["全 网 最 低", "电话 1③8 1234 ５６７８", "ΣΑΣ 好物", "İstanbul 直发", "加 V ❤ abc123",
             "联系 abc@example.com", "访问 www . example . com", "最 🄰 佳", "🇨🇳 好物", "普通文案"]
    scanner.scan_many(texts)
    suspects = scanner._prefilter.suspects(texts)
    # 最 🄰 佳 reads 最a佳 and 🇨🇳 is an emoji: nothing to find, so both are cleared
    assert [i for i, _, _ in suspects] == [0, 1, 2, 3, 4, 5, 6]
    assert suspects[0] == (0, True, False) and suspects[1] == (1, False, True)
    assert scan_many(texts) == [scan_text(t) for t in texts]


def test_scan_many_of_nothing_and_of_empty_texts():
    assert scan_many([]) == []
    assert scan_many(["", "", "最佳"]) == [scan_text(""), scan_text(""), scan_text("最佳")]
    custom = {"竞品": "review"}
    assert scan_many(["竞品"], custom=custom) == [scan_text("竞品", custom=custom)]


def test_cli_scans_a_long_file_through_the_batch_path_with_the_same_output(tmp_path):
    """8,192 lines or more take the batch path in `siyu risk scan` (contract 3 output)."""
    import json
    import random
    import subprocess
    import sys
    from pathlib import Path

    from siyu.risk.cli import _BATCH

    rng = random.Random(5)
    pool = TERMS + WHOLE_CONTACTS + PLAIN[:-1] + ["全 网 最 低", "國家級", "ＮＯ．１", ""]
    texts = ["".join(rng.sample(pool, rng.randrange(0, 4))) for _ in range(_BATCH + 300)]
    src = tmp_path / "copy.txt"
    src.write_text("\n".join(texts) + "\n", encoding="utf-8")
    siyu = str(Path(sys.executable).with_name("siyu"))
    r = subprocess.run([siyu, "risk", "scan", str(src)], capture_output=True, text=True,
                       encoding="utf-8", timeout=300)
    assert r.returncode == 0, r.stderr
    out = [json.loads(line) for line in r.stdout.splitlines()]
    assert len(out) == len(texts)
    for n, (o, text) in enumerate(zip(out, texts, strict=True), 1):
        result = scan_text(text)
        assert o == {"line": n, "text": text, "verdict": result.verdict,
                     "findings": [f.to_dict() for f in result.findings]}
    assert sum(o["verdict"] != "pass" for o in out) > len(texts) // 2
