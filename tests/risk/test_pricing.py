"""Price red lines, pure: margin floor, inversion against the daily price, reference prices."""

from decimal import Decimal

from siyu.risk.pricing import ReferencePrices, check_price, margin_floor, verdict
from siyu.risk.rules import PriceRules


def rules_of(findings):
    return [f.rule for f in findings]


def check(promo, *, cost=8000, daily=12800, claimed=None, reference=None, **kw):
    return check_price(sku="NUT", promo_price=promo, cost=cost, daily_price=daily,
                       claimed_original_price=claimed, reference=reference, **kw)


def test_margin_floor_is_cost_plus_a_quarter_rounded_up():
    assert margin_floor(8000, Decimal(25)) == 10000
    assert margin_floor(333, Decimal(25)) == 417  # 416.25 rounds up against the merchant


def test_price_at_the_floor_passes_a_fen_below_is_blocked():
    assert check(10000) == []
    (f,) = check(9999)
    assert (f.rule, f.level) == ("margin_floor", "block")
    assert f.evidence == {"price": "99.99", "cost": "80.00", "floor": "100.00",
                          "margin_floor_percent": "25"}


def test_below_cost_is_its_own_finding():
    assert rules_of(check(7999)) == ["below_cost"]


def test_merchant_margin_setting_moves_the_floor():
    assert check(9000, rules=PriceRules(margin_floor_percent=Decimal(10))) == []
    assert rules_of(check(9000)) == ["margin_floor"]


def test_unknown_cost_skips_the_margin_check():
    assert check(100, cost=0) == []


def test_a_promotional_price_above_the_daily_price_is_inverted_equal_asks_review():
    assert rules_of(check(12801)) == ["price_inversion"]
    (same,) = check(12800)
    assert (same.rule, same.level) == ("no_discount", "review")
    assert check(12799) == []


REF = ReferencePrices(lowest_in_window=11800, last_before=None, days=7)


def test_claimed_original_at_the_seven_day_lowest_passes_above_is_blocked():
    assert check(10800, claimed=11800, reference=REF) == []
    (f,) = check(10800, claimed=12800, reference=REF)
    assert (f.rule, f.level) == ("reference_price", "block")
    assert f.evidence["reference_price"] == "118.00" and f.evidence["basis"] == "lowest_7d"


def test_without_trade_in_the_window_the_last_earlier_price_is_the_base():
    earlier = ReferencePrices(lowest_in_window=None, last_before=12000, days=7)
    assert check(10800, claimed=12000, reference=earlier) == []
    (f,) = check(10800, claimed=12100, reference=earlier)
    assert f.rule == "reference_price" and f.evidence["basis"] == "last_before"


def test_no_trade_at_all_asks_for_the_stated_base():
    (f,) = check(10800, claimed=12800, reference=ReferencePrices())
    assert (f.rule, f.level) == ("reference_unsupported", "review")


def test_claimed_original_not_above_the_price_is_no_discount():
    assert rules_of(check(10800, claimed=10800, reference=REF)) == ["reference_not_above_price"]


def test_verdict_is_the_worst_level():
    assert verdict([]) == "pass"
    assert verdict(check(12800)) == "review" and verdict(check(1)) == "block"
