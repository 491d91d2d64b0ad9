"""A/B numbers against hand formulas (no statistics package for the conversion test)."""

from __future__ import annotations

import math

import pytest
from scipy import stats

from siyu.abtest.engine import (
    Arm,
    MeanSample,
    needed_per_arm_proportions,
    parse_arm,
    proportion_test,
    verdict,
    welch_test,
)
from siyu.core.errors import InvalidInput

Z975 = 1.959963984540054  # Φ⁻¹(0.975)
Z80 = 0.8416212335729143  # Φ⁻¹(0.80)


def phi(z: float) -> float:
    return 0.5 * (1 + math.erf(z / math.sqrt(2)))


def test_contract_example_by_hand():
    result = proportion_test(Arm(1000, 120), Arm(1000, 150))
    pooled = 270 / 2000
    z = 0.03 / math.sqrt(pooled * (1 - pooled) * (2 / 1000))
    half = Z975 * math.sqrt(0.12 * 0.88 / 1000 + 0.15 * 0.85 / 1000)
    mean = 0.135
    n = ((Z975 * math.sqrt(2 * mean * (1 - mean)) + Z80 * math.sqrt(0.12 * 0.88 + 0.15 * 0.85))
         ** 2 / 0.03**2)
    assert list(result) == ["a", "b", "lift", "p_value", "ci95", "significant", "method",
                            "needed_per_arm"]
    assert result["a"] == {"n": 1000, "conversions": 120, "rate": 0.12}
    assert result["b"] == {"n": 1000, "conversions": 150, "rate": 0.15}
    assert result["lift"] == 0.25
    assert z == pytest.approx(1.963050, abs=1e-6)
    assert result["p_value"] == pytest.approx(2 * (1 - phi(z)), rel=1e-9)
    assert result["p_value"] == pytest.approx(0.049640, abs=1e-6)
    assert result["ci95"] == pytest.approx([0.03 - half, 0.03 + half], rel=1e-9)
    assert result["ci95"] == pytest.approx([0.0000760, 0.0599240], abs=1e-7)
    assert result["significant"] is True
    assert result["method"] == "two-proportion z-test (pooled)"
    assert n == pytest.approx(2035.6, abs=0.1)
    assert result["needed_per_arm"] == 2036


def test_alpha_decides_significance_and_sample_size():
    strict = proportion_test(Arm(1000, 120), Arm(1000, 150), alpha=0.01)
    assert strict["significant"] is False
    assert strict["needed_per_arm"] > 2036
    assert strict["ci95"] == proportion_test(Arm(1000, 120), Arm(1000, 150))["ci95"]


def test_negative_lift_and_unequal_arms():
    result = proportion_test(Arm(400, 60), Arm(800, 96))
    assert result["lift"] == pytest.approx(0.12 / 0.15 - 1)
    pooled = 156 / 1200
    z = -0.03 / math.sqrt(pooled * (1 - pooled) * (1 / 400 + 1 / 800))
    assert result["p_value"] == pytest.approx(2 * phi(z), rel=1e-9)


def test_zero_conversions_give_no_lift_and_no_division_by_zero():
    result = proportion_test(Arm(100, 0), Arm(100, 0))
    assert result["lift"] is None and result["p_value"] == 1.0
    assert result["ci95"] == [0.0, 0.0] and result["needed_per_arm"] is None
    assert result["significant"] is False
    assert proportion_test(Arm(100, 0), Arm(100, 5))["lift"] is None
    assert proportion_test(Arm(10, 10), Arm(10, 10))["p_value"] == 1.0


def test_needed_per_arm_is_symmetric_and_grows_as_the_effect_shrinks():
    assert needed_per_arm_proportions(0.12, 0.15) == needed_per_arm_proportions(0.15, 0.12)
    assert needed_per_arm_proportions(0.12, 0.13) > needed_per_arm_proportions(0.12, 0.15)
    assert needed_per_arm_proportions(0.2, 0.2) is None


@pytest.mark.parametrize("text", ["1000", "a:b", "10:-1", "-5:1", "1.5:1", "", "10:2:1"])
def test_malformed_arm_names_the_option(text):
    with pytest.raises(InvalidInput) as e:
        parse_arm(text, "--b")
    assert e.value.message.startswith("--b: ")


@pytest.mark.parametrize("text", ["0:0", "10:11"])
def test_impossible_arm_names_the_option(text):
    with pytest.raises(InvalidInput) as e:
        parse_arm(text, "--a")
    assert e.value.message.startswith("--a: ")


def test_welch_by_hand_and_against_scipy():
    a, b = [1, 2, 3, 4, 5], [2, 4, 6, 8, 10]
    result = welch_test(MeanSample.of(a), MeanSample.of(b))
    se = math.sqrt(2.5 / 5 + 10 / 5)
    df = (0.5 + 2) ** 2 / (0.5**2 / 4 + 2**2 / 4)
    assert result["t"] == pytest.approx(3 / se)
    assert result["df"] == pytest.approx(df)
    assert df == pytest.approx(5.882353, abs=1e-6)
    reference = stats.ttest_ind(b, a, equal_var=False)
    assert result["p_value"] == pytest.approx(reference.pvalue, rel=1e-9)
    half = stats.t.ppf(0.975, df) * se
    assert result["ci95"] == pytest.approx([3 - half, 3 + half])
    assert result["significant"] is False
    assert result["lift"] == pytest.approx(1.0)
    n = (Z975 + Z80) ** 2 * (2.5 + 10) / 9
    assert result["needed_per_arm"] == math.ceil(n)


def test_welch_with_no_spread():
    same = welch_test(MeanSample(5, 3.0, 0.0), MeanSample(5, 3.0, 0.0))
    assert same["p_value"] == 1.0 and same["needed_per_arm"] is None
    apart = welch_test(MeanSample(5, 3.0, 0.0), MeanSample(5, 4.0, 0.0))
    assert apart["p_value"] == 0.0 and apart["significant"] is True


def test_verdict_names_the_winner_when_significant():
    v = verdict(proportion_test(Arm(1000, 120), Arm(1000, 150)))
    assert v.status == "b_wins" and v.more_per_arm == 0
    assert verdict(proportion_test(Arm(1000, 150), Arm(1000, 120))).status == "a_wins"


def test_verdict_says_not_enough_data_with_the_sample_needed():
    v = verdict(proportion_test(Arm(100, 12), Arm(100, 15)))
    assert v.status == "not_enough_data"
    assert (v.needed_per_arm, v.more_per_arm) == (2036, 1936)
    assert "not enough data yet" in v.message and "1936" in v.message
    small = verdict(proportion_test(Arm(50, 5), Arm(50, 5)))
    assert (small.status, small.needed_per_arm, small.more_per_arm) == (
        "not_enough_data", 100, 50)


def test_verdict_no_difference_once_the_sample_suffices():
    assert verdict(proportion_test(Arm(3000, 300), Arm(3000, 300))).status == "no_difference"
    result = proportion_test(Arm(20000, 2000), Arm(20000, 2010))
    assert verdict(result).status == "not_enough_data"  # the observed effect is tiny
    assert verdict(result, min_lift=0.1).status == "no_difference"


def test_verdict_on_means():
    result = welch_test(MeanSample(40, 100.0, 30.0), MeanSample(40, 105.0, 30.0))
    v = verdict(result, min_lift=0.05)
    assert v.status == "not_enough_data"
    assert v.needed_per_arm == math.ceil((Z975 + Z80) ** 2 * 1800 / 25)
