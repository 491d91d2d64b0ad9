"""Lottery compliance: the published rules are checked, and the draw uses the odds shown."""

import json
import subprocess
import sys
from collections import Counter
from fractions import Fraction
from pathlib import Path

import pytest
from pydantic import ValidationError
from scipy.stats import chisquare

from siyu.core.errors import InvalidInput
from siyu.risk.lottery import LotteryIn, Wheel, check, draw_many, load, parse_odds, report
from siyu.risk.rules import LotteryRules

SIYU = str(Path(sys.executable).with_name("siyu"))

GOOD = {
    "name": "新年幸运抽奖", "conditions": "活动期间单笔实付满 99 元可抽奖一次",
    "draw_time": "instant", "starts_at": "2026-01-20", "ends_at": "2026-01-31",
    "prizes": [
        {"name": "一等奖", "type": "goods", "amount": "2999.00", "count": 1, "odds": "0.1%"},
        {"name": "二等奖", "type": "coupon", "amount": "50.00", "count": 100, "odds": "1/100"},
        {"name": "三等奖", "type": "points", "amount": "1.00", "count": 5000, "odds": "0.05"},
    ],
}


def doc(**changes):
    return LotteryIn.model_validate({**GOOD, **changes})


def rules_of(findings):
    return [f.rule for f in findings]


def test_complete_rules_within_limits_pass():
    assert check(doc()) == []
    assert report(doc())["verdict"] == "pass"


def test_a_common_consolation_prize_passes_and_its_odds_are_shown_as_drawn():
    """No rule caps the odds: a 50% consolation coupon is fine once it is published."""
    prizes = [{"name": "一等奖", "type": "goods", "amount": "2999.00", "count": 1,
               "odds": "0.1%"},
              {"name": "安慰奖", "type": "coupon", "amount": "5.00", "count": 100000,
               "odds": "50%"}]
    out = report(doc(prizes=prizes))
    assert out["verdict"] == "pass" and out["findings"] == []
    assert [(r["prize"], r["odds"], r["percent"]) for r in out["odds"]] == [
        ("一等奖", "1/1000", "0.1%"), ("安慰奖", "1/2", "50%"), (None, "499/1000", "49.9%")]
    wheel = Wheel.from_doc(doc(prizes=prizes))
    assert [Fraction(r["odds"]) for r in out["odds"]] == [*wheel.odds, wheel.no_prize]


def test_rules_saved_with_the_retired_odds_ceiling_still_load_without_it():
    rules = LotteryRules.model_validate({"max_top_prize": "20000.00",
                                         "max_prize_odds_percent": "1"})
    assert rules.model_dump(mode="json") == {"max_top_prize": "20000.00"}


def test_every_missing_disclosure_is_named():
    bare = LotteryIn.model_validate({"prizes": [{}]})
    assert rules_of(check(bare)) == [
        "missing_conditions", "missing_draw_time", "missing_prize_name", "missing_prize_type",
        "missing_amount", "missing_count_or_odds"]
    assert rules_of(check(LotteryIn()))[:3] == [
        "missing_conditions", "missing_draw_time", "missing_prizes"]


def test_count_without_odds_is_a_valid_disclosure():
    prizes = [{"name": "一等奖", "type": "cash", "amount": "100.00", "count": 3}]
    assert check(doc(prizes=prizes)) == []
    assert report(doc(prizes=prizes))["odds"] is None


def test_top_prize_above_fifty_thousand_yuan_is_an_error_and_at_it_is_fine():
    over = [{"name": "汽车", "type": "goods", "amount": "50000.01", "count": 1}]
    at = [{"name": "汽车", "type": "goods", "amount": "50000.00", "count": 1}]
    assert rules_of(check(doc(prizes=over))) == ["top_prize_over_limit"]
    assert check(doc(prizes=at)) == []
    lower = check(doc(prizes=at), LotteryRules(max_top_prize="10000"))
    assert [(f.rule, f.field) for f in lower] == [("top_prize_over_limit", "prizes[0].amount")]
    assert "超过上限 10000.00 元" in lower[0].message


@pytest.mark.parametrize("cap", ["50000.01", "60000.00", 60000])
def test_a_top_prize_cap_above_the_legal_fifty_thousand_is_refused(cap):
    with pytest.raises(ValidationError) as e:
        LotteryRules(max_top_prize=cap)
    (error,) = e.value.errors()
    assert error["loc"] == ("max_top_prize",)
    assert "50000.00" in error["msg"] and "反不正当竞争法第十条" in error["msg"]


def test_odds_adding_up_past_one_and_copy_that_blocks_are_errors():
    prizes = [{"name": "a", "type": "cash", "amount": "1.00", "odds": "60%"},
              {"name": "b", "type": "cash", "amount": "1.00", "odds": "50%"}]
    findings = check(doc(prizes=prizes))
    assert rules_of(findings) == ["odds_over_total"]
    assert report(doc(prizes=prizes))["odds"] is None
    named = check(doc(name="全网最低价抽奖"))
    assert [(f.rule, f.level, f.field) for f in named] == [("copy", "error", "name")]


@pytest.mark.parametrize("bad", [{"draw_time": "下周"}, {"prizes": [{"odds": "abc"}]},
                                 {"prizes": [{"odds": "120%"}]}, {"prizes": [{"count": 0}]},
                                 {"prizes": [{"amount": "1.001"}]}])
def test_malformed_values_are_bad_input(bad):
    with pytest.raises(ValueError):
        LotteryIn.model_validate({**GOOD, **bad})


def test_odds_parse_exactly():
    assert parse_odds("0.1%") == Fraction(1, 1000) == parse_odds("1/1000") == parse_odds("0.001")
    with pytest.raises(InvalidInput):
        parse_odds("0")


def test_the_shown_odds_are_exactly_the_drawn_odds():
    """Enumerate every value the generator can give: each prize owns exactly odds × scale."""
    wheel = Wheel.from_doc(doc())

    class Every:
        def __init__(self):
            self.next = 0

        def randrange(self, n):
            value, self.next = self.next, self.next + 1
            return value

    rng = Every()
    counts = Counter(wheel.draw(rng) for _ in range(wheel.scale))
    for i, shown in enumerate(wheel.shown()[:-1]):
        assert Fraction(counts[i], wheel.scale) == Fraction(shown["odds"])
    assert Fraction(counts[None], wheel.scale) == wheel.no_prize == Fraction(939, 1000)
    assert [r["percent"] for r in wheel.shown()] == ["0.1%", "1%", "5%", "93.9%"]


def test_a_seeded_simulation_matches_the_shown_odds_by_chi_square():
    wheel = Wheel.from_doc(doc())
    n = 200_000
    results = draw_many(wheel, n, seed=20260120)
    assert results == draw_many(wheel, n, seed=20260120)[: len(results)]
    observed = Counter(results)
    keys = [0, 1, 2, None]
    shown = [Fraction(r["odds"]) for r in wheel.shown()]
    expected = [float(p * n) for p in shown]
    stat = chisquare([observed[k] for k in keys], expected)
    assert stat.pvalue > 0.001, stat
    # The test has power: odds off by half a point for the third prize are rejected.
    wrong = [float(p * n) for p in (Fraction(1, 1000), Fraction(1, 100), Fraction(55, 1000),
                                    Fraction(934, 1000))]
    assert chisquare([observed[k] for k in keys], wrong).pvalue < 1e-6


def test_cli_checks_a_rules_file(tmp_path):
    path = tmp_path / "lottery.json"
    path.write_text(json.dumps({**GOOD, "draw_time": None}, ensure_ascii=False),
                    encoding="utf-8")
    r = subprocess.run([SIYU, "risk", "lottery", str(path)], capture_output=True, text=True,
                       timeout=120)
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["verdict"] == "block" and out["findings"][0]["rule"] == "missing_draw_time"
    assert out["odds"][0] == {"prize": "一等奖", "odds": "1/1000", "percent": "0.1%"}
    path.write_text(json.dumps({**GOOD, "prizes": [{"odds": "x"}]}), encoding="utf-8")
    r = subprocess.run([SIYU, "risk", "lottery", str(path)], capture_output=True, text=True,
                       timeout=120)
    assert r.returncode == 2 and r.stdout == "" and "prizes[0].odds" in r.stderr


def test_a_draw_by_odds_names_the_prize_without_odds_in_path_style():
    prizes = [{"name": "a", "type": "cash", "amount": "1.00", "odds": "1%"},
              {"name": "b", "type": "cash", "amount": "1.00", "count": 5}]
    with pytest.raises(InvalidInput) as e:
        Wheel.from_doc(doc(prizes=prizes))
    assert e.value.field == "prizes[1].odds"


@pytest.mark.parametrize(("source", "name"), [("-", "输入"), ("rules/lottery.json",
                                                               "rules/lottery.json")])
def test_load_names_the_input_as_given(source, name):
    with pytest.raises(InvalidInput) as e:
        load(json.dumps({**GOOD, "prizes": [{"odds": "x"}]}), source)
    assert e.value.field == "prizes[0].odds"
    assert e.value.message.startswith(f"{name}: prizes[0].odds: ")
    assert "FILE" not in e.value.message
    with pytest.raises(InvalidInput) as e:
        load("{", source)
    assert e.value.message.startswith(f"{name}: 不是有效的 JSON")
    assert load(json.dumps(GOOD), source) == doc()
