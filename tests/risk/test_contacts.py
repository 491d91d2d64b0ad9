"""Contact diversion and links: disguised numbers, ids and domains; numbers that are not."""

import pytest

from siyu.risk.scanner import scan_text


def found(text, category=None):
    return [(f.category, f.match, f.start, f.end) for f in scan_text(text).findings
            if category is None or f.category == category]


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("电话 13812345678 咨询", "13812345678"),
        ("电话 1③8 1234 ５６７８ 咨询", "1③8 1234 ５６７８"),
        ("一三八一二三四五六七八", "一三八一二三四五六七八"),
        ("幺叁捌壹贰叁肆伍陆柒捌", "幺叁捌壹贰叁肆伍陆柒捌"),
        ("打 138-1234-5678", "138-1234-5678"),
        ("拨 +86 138 1234 5678", "+86 138 1234 5678"),
        ("1 3 8 🔥 1 2 3 4 5 6 7 8", "1 3 8 🔥 1 2 3 4 5 6 7 8"),
        ("加 V ❤ abc123", "加 V ❤ abc123"),
        ("加V: abc123 领券", "加V: abc123"),
        ("+v abc_12345", "+v abc_12345"),
        ("微信号 shop_2026", "微信号 shop_2026"),
        ("有事加微信", "加微信"),
        ("QQ: 12345678", "QQ: 12345678"),
        ("Q Q：１２３４５６７", "Q Q：１２３４５６７"),
        ("邮箱 Shop.Owner@QQ.com", "Shop.Owner@QQ.com"),
    ],
)
def test_contact_found(text, match):
    (hit,) = found(text)
    category, got, start, end = hit
    assert (category, got) == ("contact", match)
    assert text[start:end] == match
    assert scan_text(text).verdict == "review"


def test_two_numbers_side_by_side_are_two_contacts():
    assert [m for _, m, _, _ in found("13812345678 13912345678")] == ["13812345678",
                                                                       "13912345678"]


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("访问 www . example . com 了解", "www . example . com"),
        ("官网 https://shop.example.cn/item?id=1 下单", "https://shop.example.cn/item?id=1"),
        ("搜 example.com", "example.com"),
        ("搜 Example。Com", "Example。Com"),
        ("ｗｗｗ．ｅｘａｍｐｌｅ．ｃｏｍ", "ｗｗｗ．ｅｘａｍｐｌｅ．ｃｏｍ"),
    ],
)
def test_link_found(text, match):
    assert [(c, m) for c, m, _, _ in found(text)] == [("link", match)]
    (f,) = scan_text(text).findings
    assert text[f.start:f.end] == match


@pytest.mark.parametrize(
    "text",
    [
        "订单号 20260120123456789 已发货",
        "价格 1380 元",
        "数量 123456789012345 件",
        "编号 12345678901",  # 11 digits that are not 1[3-9]…
        "库存 5 件, 13:00-15:00 188元",
        "原价 139.90 现价 99.00 元 2 件",
        "一二三四五六七八九十",
        "支持微信支付，进微信群",
        "开通VIP会员",
        "新品上市。VIP 会员专享",
        "版本 v2.0 更新",
        "第一次购买",
        "满 3 件 9 折",
    ],
)
def test_not_a_contact_or_link(text):
    assert found(text) == [], text


def test_email_is_one_finding_not_also_a_link():
    assert [c for c, *_ in found("mail me@example.com")] == ["contact"]


def test_a_sentence_end_before_a_tld_like_word_is_no_domain():
    assert found("活动时间 10:00-22:00。VIP 会员专享") == []
