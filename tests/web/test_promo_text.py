"""Pure pieces of the promotion pages: rules in plain words, and a label for every kind
and status the promo domain knows."""

from decimal import Decimal

from siyu.core.i18n import LANGS
from siyu.promo.models import PROMOTION_STATUSES
from siyu.promo.schemas import (
    KINDS,
    BundlePrice,
    BuyXGetY,
    Fixed,
    NthItem,
    Percent,
    Threshold,
    Tier,
    parse_promotion,
)
from siyu.web.messages import MESSAGES
from siyu.web.promo_text import describe_audience, describe_rule, describe_scope


def test_every_kind_and_status_has_a_label_in_both_languages():
    keys = [f"promo.kind.{k}" for k in KINDS] + [f"promo.status.{s}" for s in PROMOTION_STATUSES]
    assert all(set(MESSAGES[k]) == set(LANGS) for k in keys)
    assert [MESSAGES[f"promo.kind.{k}"]["zh-CN"] for k in KINDS] == [
        "满减", "折扣", "立减", "第N件折扣", "买赠", "组合价"]


def test_rules_read_as_plain_chinese_with_yuan_to_the_fen():
    tiers = Threshold((Tier(30000, 5000), Tier(50000, 9000)), max_off=120000)
    assert describe_rule(tiers, "zh-CN") == ("满 ¥300.00 减 ¥50.00; 满 ¥500.00 减 ¥90.00, "
                                             "最多减 ¥1,200.00")
    assert describe_rule(Threshold((Tier(10000, 1000),), repeat=True), "zh-CN") == \
        "每满 ¥100.00 减 ¥10.00"
    assert describe_rule(Percent(Decimal("5")), "zh-CN") == "打9.5折 (减 5%)"
    assert describe_rule(Percent(Decimal("12.5"), min=9900), "zh-CN") == \
        "满 ¥99.00 打8.75折 (减 12.5%)"
    assert describe_rule(Fixed(1000), "zh-CN") == "无门槛立减 ¥10.00"
    assert describe_rule(NthItem(2, Decimal("50")), "zh-CN") == "第 2 件5折"
    assert describe_rule(NthItem(3, Decimal("100")), "zh-CN") == "第 3 件免费"
    assert describe_rule(BuyXGetY(2, 1), "zh-CN") == "买 2 件送 1 件"
    assert describe_rule(BundlePrice(3, 9900), "zh-CN") == "任选 3 件 ¥99.00"


def test_rules_in_english():
    assert describe_rule(Percent(Decimal("5")), "en") == "5% off"
    assert describe_rule(Threshold((Tier(30000, 5000),)), "en") == "¥50.00 off ¥300.00+"
    assert describe_rule(BundlePrice(3, 9900), "en") == "any 3 for ¥99.00"


def test_scope_and_audience():
    p = parse_promotion({"id": "x", "name": "x", "kind": "fixed", "off": "5",
                         "scope": {"categories": ["坚果"], "exclude_skus": ["NUT"]},
                         "member_tiers": ["V3", "V2"]}, "", is_coupon=False, index=0)
    assert describe_scope(p, "zh-CN") == "品类 坚果; 不含 NUT"
    assert describe_audience(p, "zh-CN") == "会员等级 V2、V3"
    bare = parse_promotion({"id": "y", "name": "y", "kind": "fixed", "off": "5"}, "",
                           is_coupon=False, index=0)
    assert describe_scope(bare, "zh-CN") == "全部商品"
    assert describe_audience(bare, "en") == "every shopper"
