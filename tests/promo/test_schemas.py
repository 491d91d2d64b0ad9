"""Validation of the quote input: every problem names its field (JSON path) and reason."""

import copy

import pytest

from siyu.core.errors import InvalidInput
from siyu.promo.schemas import parse_quote_request

VALID = {
    "items": [{"sku": "A", "price": "10.00", "qty": 1}],
    "promotions": [
        {"id": "p0", "name": "折扣", "kind": "percent", "percent": "5"},
        {"id": "p1", "name": "满减", "kind": "threshold",
         "tiers": [{"min": "300.00", "off": "50.00"}, {"min": "600.00", "off": "150.00"}]},
        {"id": "p2", "name": "第二件半价", "kind": "nth_item", "n": 2, "percent": "50"},
    ],
    "coupons": [{"id": "c0", "name": "券", "kind": "fixed", "off": "5.00"}],
}


def broken(path: str, value: object) -> dict:
    """VALID with the value at a dotted path replaced (or removed when value is ...)."""
    doc = copy.deepcopy(VALID)
    *parents, last = path.split(".")
    node = doc
    for key in parents:
        node = node[int(key)] if key.isdigit() else node[key]
    if value is ...:
        del node[int(last) if last.isdigit() else last]
    elif isinstance(node, list):
        node[int(last)] = value
    else:
        node[last] = value
    return doc


def test_the_valid_document_parses():
    request = parse_quote_request(VALID)
    assert request.items[0].price == 1000 and request.promotions[1].rule.tiers[1].off == 15000


@pytest.mark.parametrize("path,value,field,reason", [
    ("items", ..., "items", "缺少此字段"),
    ("items.0.sku", ..., "items[0].sku", "缺少此字段"),
    ("items.0.price", ..., "items[0].price", "缺少此字段"),
    ("items.0.price", "1.001", "items[0].price", "金额最多两位小数"),
    ("items.0.price", "-1.00", "items[0].price", "金额不能为负数"),
    ("items.0.price", 1.5, "items[0].price", "金额必须是字符串或整数"),
    ("items.0.qty", 0, "items[0].qty", "不能小于 1"),
    ("items.0.qty", "2", "items[0].qty", "需要整数"),
    ("items.0", "A", "items[0]", "需要 JSON 对象"),
    ("promotions.1.tiers.0.min", "300.001", "promotions[1].tiers[0].min", "金额最多两位小数"),
    ("promotions.1.tiers.1.min", "300.00", "promotions[1].tiers[1].min", "档位门槛必须递增"),
    ("promotions.1.tiers.1.off", "40.00", "promotions[1].tiers[1].off", "高档位的优惠不能少于"),
    ("promotions.1.tiers", [], "promotions[1].tiers", "至少需要一个档位"),
    ("promotions.1.repeat", True, "promotions[1].tiers", "每满减 (repeat) 只能有一个档位"),
    ("promotions.0.kind", "gift", "promotions[0].kind", "未知的促销类型"),
    ("promotions.0.percent", "0", "promotions[0].percent", "百分数必须大于0且不超过100"),
    ("promotions.0.percent", "100.01", "promotions[0].percent", "百分数必须大于0且不超过100"),
    ("promotions.0.percent", "5%", "promotions[0].percent", "不是有效的百分数"),
    ("promotions.0.max_off", "-1", "promotions[0].max_off", "金额不能为负数"),
    ("promotions.2.n", 1, "promotions[2].n", "不能小于 2"),
    ("promotions.0.ends_at", "soon", "promotions[0].ends_at", "无法解析的日期时间"),
    ("promotions.0.priority", 1.5, "promotions[0].priority", "需要整数"),
    ("promotions.0.exclusive", "yes", "promotions[0].exclusive", "需要 true 或 false"),
    ("promotions.0.scope", {"skus": "A"}, "promotions[0].scope.skus", "需要 JSON 数组"),
    ("promotions.0.id", ..., "promotions[0].id", "缺少此字段"),
    ("coupons.0.off", "-5.00", "coupons[0].off", "金额不能为负数"),
    ("coupons.0.id", "p1", "coupons[0].id", "重复的 id"),
    ("now", "yesterday", "now", "无法解析的日期时间"),
    ("currency", "USD", "currency", "只支持 CNY"),
    ("member", ["V3"], "member", "需要 JSON 对象"),
])
def test_bad_input_names_the_field(path, value, field, reason):
    with pytest.raises(InvalidInput) as e:
        parse_quote_request(broken(path, value))
    assert e.value.field == field
    assert e.value.message.startswith(f"{field}: {reason}")


def test_end_before_start_is_refused():
    doc = broken("promotions.0.starts_at", "2026-02-01T00:00:00+08:00")
    doc["promotions"][0]["ends_at"] = "2026-01-31T23:59:59+08:00"
    with pytest.raises(InvalidInput, match=r"^promotions\[0\]\.ends_at: 结束时间早于开始时间"):
        parse_quote_request(doc)


def test_not_an_object_at_the_top():
    with pytest.raises(InvalidInput, match="^input: 需要 JSON 对象"):
        parse_quote_request([])


def test_defaults():
    request = parse_quote_request({"items": [{"sku": "A", "price": 10}]})
    assert request.items[0].qty == 1 and request.items[0].price == 1000
    assert request.promotions == () and request.coupons == () and request.member is None
    promo = parse_quote_request(VALID).promotions[0]
    assert promo.stack_group == "p0" and promo.priority == 0 and not promo.exclusive
