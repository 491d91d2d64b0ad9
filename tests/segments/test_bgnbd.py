"""BG/NBD: the likelihood by hand and by integration, predictions by integration and
simulation, and recovery of known parameters from seeded synthetic data."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import integrate, stats
from scipy.special import gammaln

from siyu.segments.bgnbd import (
    BgNbdParams,
    expected_purchases,
    expected_purchases_new,
    fit,
    log_likelihood,
    probability_alive,
    simulate,
)

CDNOW = BgNbdParams(r=0.243, alpha=4.414, a=0.793, b=2.426)  # FHL 2005's estimates, weeks
OTHERS = [CDNOW, BgNbdParams(2.0, 10.0, 3.0, 5.0), BgNbdParams(0.5, 1.0, 1.0, 0.7)]
CASES = [(0, 0.0, 10.0), (2, 5.0, 20.0), (5, 30.0, 39.0), (40, 35.0, 39.0)]


def test_likelihood_of_tiny_cases_by_hand():
    ones = BgNbdParams(1.0, 1.0, 1.0, 1.0)
    # x = 0, T = 1: B(1,1)/B(1,1) · Γ(1)·1 / (Γ(1)·2) = 1/2
    # x = 1, t_x = 1, T = 2: B(1,2)/B(1,1) · 1/3² + B(2,1)/B(1,1) · 1/2² = 1/18 + 1/8 = 13/72
    ll = log_likelihood(ones, [0, 1], [0, 1], [1, 2])
    assert ll == pytest.approx([math.log(1 / 2), math.log(13 / 72)], rel=1e-12)


def _by_integration(p: BgNbdParams, t: float, x: int, t_x: float, T: float):
    """(E[Y(t)], P(alive), log L) integrating the individual-level model: the λ integrals
    in closed form (Gamma moments), the p integral numerically."""
    beta = stats.beta(p.a, p.b)
    c = gammaln(p.r + x) - gammaln(p.r) + p.r * math.log(p.alpha)

    def lam(s: float) -> float:  # ∫ λ^x e^{−λ s} g(λ) dλ
        return math.exp(c - (p.r + x) * math.log(p.alpha + s))

    def quad(f) -> float:
        return integrate.quad(f, 0, 1, limit=200, epsabs=0, epsrel=1e-11)[0]

    alive = quad(lambda q: (1 - q) ** x * lam(T) * beta.pdf(q))
    dead = quad(lambda q: q * (1 - q) ** (x - 1) * lam(t_x) * beta.pdf(q)) if x else 0.0
    future = quad(lambda q: (1 - q) ** x * (lam(T) - lam(T + q * t)) / q * beta.pdf(q))
    total = alive + dead
    return future / total, alive / total, math.log(total)


@pytest.mark.parametrize("params", OTHERS)
def test_formulas_match_integration_of_the_individual_model(params):
    for x, t_x, T in CASES:
        expected, alive, ll = _by_integration(params, 10.0, x, t_x, T)
        assert log_likelihood(params, [x], [t_x], [T])[0] == pytest.approx(ll, abs=1e-9)
        assert probability_alive(params, [x], [t_x], [T])[0] == pytest.approx(alive, abs=1e-9)
        got = expected_purchases(params, 10.0, [x], [t_x], [T])[0]
        assert got == pytest.approx(expected, rel=1e-6)


def test_expected_purchases_of_a_new_member_match_simulation():
    rng = np.random.default_rng(11)
    for params in (CDNOW, BgNbdParams(0.8, 3.0, 2.5, 4.0)):
        x, _ = simulate(params, np.full(100_000, 10.0), rng)
        assert x.mean() == pytest.approx(expected_purchases_new(params, 10.0), rel=0.02)


def test_no_horizon_no_purchases_and_members_without_repeats_are_alive():
    assert expected_purchases(CDNOW, 0, [3], [5.0], [9.0])[0] == 0
    assert probability_alive(CDNOW, [0, 0], [0, 0], [5, 50]).tolist() == [1.0, 1.0]


def test_simulation_respects_the_observation_window():
    rng = np.random.default_rng(1)
    T = rng.uniform(1, 30, size=2000)
    x, t_x = simulate(BgNbdParams(2.0, 1.0, 1.0, 3.0), T, rng)
    assert np.all(t_x <= T) and np.all((x > 0) == (t_x > 0))


def test_fit_recovers_known_parameters():
    rng = np.random.default_rng(0)
    days = rng.integers(182, 365, size=6000).astype(float)
    T = days / 7
    x, t_x = simulate(CDNOW, T, rng)
    t_x = np.minimum(np.ceil(t_x * 7), days) / 7  # purchases land on days, as in real data
    result = fit(x, t_x, T)
    p = result.params
    assert result.members == 6000 and result.warnings == []
    assert p.r == pytest.approx(CDNOW.r, rel=0.1)
    assert p.alpha == pytest.approx(CDNOW.alpha, rel=0.25)
    assert p.a == pytest.approx(CDNOW.a, rel=0.3)
    assert p.b == pytest.approx(CDNOW.b, rel=0.3)
    assert expected_purchases_new(p, 39) == pytest.approx(expected_purchases_new(CDNOW, 39),
                                                          rel=0.1)
    # a maximum: at least as likely as the truth and as nearby points
    assert result.log_likelihood >= log_likelihood(CDNOW, x, t_x, T).sum()
    for d in (0.98, 1.02):
        for name in ("r", "alpha", "a", "b"):
            moved = BgNbdParams(**{**p.__dict__, name: getattr(p, name) * d})
            assert log_likelihood(moved, x, t_x, T).sum() < result.log_likelihood


def test_fit_without_repeat_purchases_warns_instead_of_failing():
    result = fit([0, 0, 0], [0, 0, 0], [3.0, 5.0, 8.0])
    assert result.warnings
    assert all(v > 0 for v in result.params.as_dict().values())


def test_fit_rejects_impossible_histories():
    with pytest.raises(ValueError):
        fit([1], [5.0], [3.0])
    with pytest.raises(ValueError):
        fit([], [], [])


def test_gradient_of_the_fit_objective_matches_finite_differences():
    from scipy.optimize import check_grad

    from siyu.segments.bgnbd import _neg_mean_ll_and_grad

    x, t_x, T = (np.array(v, dtype=float) for v in ([0, 1, 4, 12], [0, 2, 9, 30], [5, 8, 20, 39]))
    w = np.array([3.0, 1.0, 2.0, 1.0])

    def value(theta):
        return _neg_mean_ll_and_grad(np.exp(theta), x, t_x, T, w, 7)[0]

    def grad(theta):
        return _neg_mean_ll_and_grad(np.exp(theta), x, t_x, T, w, 7)[1]

    for params in OTHERS:
        theta = np.log([params.r, params.alpha, params.a, params.b])
        assert check_grad(value, grad, theta, epsilon=1e-7) < 1e-5
