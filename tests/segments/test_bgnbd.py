"""BG/NBD: the likelihood by hand and by integration, predictions by integration, by
FHL's closed form (SciPy's 2F1 where it evaluates it), by the Poisson-rate limit of
degenerate fits and by simulation, and recovery of known parameters from seeded
synthetic data."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import integrate
from scipy.special import betaln, gammaln, hyp1f1, hyp2f1

from siyu.segments.bgnbd import (
    BgNbdParams,
    NotComputable,
    expected_purchases,
    expected_purchases_new,
    fit,
    log_likelihood,
    probability_alive,
    simulate,
)

CDNOW = BgNbdParams(r=0.243, alpha=4.414, a=0.793, b=2.426)  # FHL 2005's estimates, weeks
OTHERS = [CDNOW, BgNbdParams(2.0, 10.0, 3.0, 5.0), BgNbdParams(0.5, 1.0, 1.0, 0.7)]
# a + b < 1 (FHL's 2F1 has c = a+b+x−1 < 0 at x = 0); a small α (z near 1: long series)
HARD = [BgNbdParams(0.7, 2.0, 0.3, 0.4), BgNbdParams(0.1, 0.05, 0.5, 0.8)]
CASES = [(0, 0.0, 10.0), (2, 5.0, 20.0), (5, 30.0, 39.0), (40, 35.0, 39.0)]
# the reported fit of very regular daily buyers (SciPy's 2F1 gives nan), and the same in
# weeks: r and α huge, r/α the common purchase rate
REGULAR_DAYS = BgNbdParams(386136.35, 2728510.9, 3.0590232e-07, 1037.9912)
REGULAR_WEEKS = BgNbdParams(3238405.7, 3269017.4, 3.0590232e-07, 30159.38)


def test_likelihood_of_tiny_cases_by_hand():
    ones = BgNbdParams(1.0, 1.0, 1.0, 1.0)
    # x = 0, T = 1: B(1,1)/B(1,1) · Γ(1)·1 / (Γ(1)·2) = 1/2
    # x = 1, t_x = 1, T = 2: B(1,2)/B(1,1) · 1/3² + B(2,1)/B(1,1) · 1/2² = 1/18 + 1/8 = 13/72
    ll = log_likelihood(ones, [0, 1], [0, 1], [1, 2])
    assert ll == pytest.approx([math.log(1 / 2), math.log(13 / 72)], rel=1e-12)


def _by_integration(p: BgNbdParams, t: float, x: int, t_x: float, T: float):
    """(E[Y(t)], P(alive), log L) integrating the individual-level model: the λ integrals
    in closed form (Gamma moments), the p integral numerically: each end singularity of
    the Beta density, q^(a−1) on [0, ½] and (1−q)^(b−1) on [½, 1], as QUADPACK's
    algebraic weight (a may be 3e-7)."""
    c = gammaln(p.r + x) - gammaln(p.r)

    def log_lam(s: float) -> float:  # log ∫ λ^x e^{−λ s} g(λ) dλ, c·α^r/(α+s)^(r+x)
        return c - p.r * math.log1p(s / p.alpha) - x * math.log(p.alpha + s)

    ea, eb = p.a - 1, p.b - 1
    wa, wb = min(ea, 0.0), min(eb, 0.0)  # only a singular end goes to the weight

    def quad(f) -> float:  # ∫ f(q) Beta(q; a, b) dq
        def half(g, lo, hi, wvar):
            return integrate.quad(g, lo, hi, weight="alg", wvar=wvar, limit=200, epsabs=0,
                                  epsrel=1e-12)[0]

        low = half(lambda q: f(q) * q ** (ea - wa) * (1 - q) ** eb, 0, 0.5, (wa, 0))
        high = half(lambda q: f(q) * q ** ea * (1 - q) ** (eb - wb), 0.5, 1, (0, wb))
        return (low + high) * math.exp(-betaln(p.a, p.b))

    def bought(q: float) -> float:  # (1 − E[e^{−λqt}]/E[1]) / q under λ's posterior
        rate = (p.r + x) * t / (p.alpha + T)
        return -math.expm1(-(p.r + x) * math.log1p(q * t / (p.alpha + T))) / q if q else rate

    lam_T = math.exp(log_lam(T))
    alive = quad(lambda q: (1 - q) ** x * lam_T)
    dead = quad(lambda q: q * (1 - q) ** (x - 1) * math.exp(log_lam(t_x))) if x else 0.0
    future = quad(lambda q: (1 - q) ** x * lam_T * bought(q))
    total = alive + dead
    return future / total, alive / total, math.log(total)


@pytest.mark.parametrize("params", OTHERS + HARD)
def test_formulas_match_integration_of_the_individual_model(params):
    for x, t_x, T in [*CASES, (0, 0.0, 0.0)]:
        expected, alive, ll = _by_integration(params, 10.0, x, t_x, T)
        assert log_likelihood(params, [x], [t_x], [T])[0] == pytest.approx(ll, abs=1e-9)
        assert probability_alive(params, [x], [t_x], [T])[0] == pytest.approx(alive, abs=1e-9)
        got = expected_purchases(params, 10.0, [x], [t_x], [T])[0]
        assert got == pytest.approx(expected, rel=1e-10)


def _fhl_eq10(p: BgNbdParams, t: float, x, t_x, T) -> np.ndarray:
    """FHL 2005 eq. 10 as printed, with SciPy's 2F1."""
    x, t_x, T = (np.asarray(v, dtype=float) for v in (x, t_x, T))
    z = t / (p.alpha + T + t)
    term = ((p.alpha + T) / (p.alpha + T + t)) ** (p.r + x) * hyp2f1(
        p.r + x, p.b + x, p.a + p.b + x - 1, z)
    first = (p.a + p.b + x - 1) / (p.a - 1) * (1 - term)
    odds = np.where(x > 0, p.a / (p.b + np.maximum(x, 1) - 1)
                    * ((p.alpha + T) / (p.alpha + t_x)) ** (p.r + x), 0.0)
    return first / (1 + odds)


def test_expected_purchases_match_fhl_closed_form_for_ordinary_fits():
    rng = np.random.default_rng(5)
    for _ in range(200):
        p = BgNbdParams(*np.exp(rng.uniform(-2, 2, size=4)))
        if abs(p.a - 1) < 0.05:  # eq. 10 divides by a − 1
            continue
        x = rng.integers(0, 30, size=10).astype(float)
        T = rng.uniform(0, 50, size=10)
        t_x = np.where(x > 0, rng.uniform(0.02, 1, size=10) * T, 0.0)
        t = float(rng.uniform(0.5, 60))
        got = expected_purchases(p, t, x, t_x, T)
        assert np.all(np.isfinite(got)) and np.all(got >= 0)
        assert got == pytest.approx(_fhl_eq10(p, t, x, t_x, T), rel=1e-9, abs=1e-12)


def _poisson_limit(p: BgNbdParams, t: float, x, t_x, T) -> tuple[np.ndarray, np.ndarray]:
    """(E, P(alive)) as r, α → ∞ with λ = r/α: no heterogeneity in the rate, so
    P(alive) = 1/(1 + a/(b+x−1)·e^{λ(T−t_x)}) and, p ~ Beta(a, b+x) while alive,
    E[(1 − e^{−λpt})/p] = (a+b+x−1)/(a−1)·(1 − 1F1(a−1; a+b+x−1; −λt))."""
    x, t_x, T = (np.asarray(v, dtype=float) for v in (x, t_x, T))
    lam = p.r / p.alpha
    alive = np.where(x > 0, 1 / (1 + p.a / (p.b + np.maximum(x, 1) - 1)
                                 * np.exp(lam * (T - t_x))), 1.0)
    c = p.a + p.b + x - 1
    return alive * c / (p.a - 1) * (1 - hyp1f1(p.a - 1, c, -lam * t)), alive


@pytest.mark.parametrize("params", [REGULAR_DAYS, BgNbdParams(3e5, 3e6, 0.8, 2.4)])
def test_degenerate_fits_match_integration_and_the_poisson_limit(params):
    x, t_x, T = [52, 51, 3, 0, 0], [364.0, 357.0, 20.0, 0.0, 0.0], [364.0, 363.0, 60.0, 30.0, 0.0]
    got = expected_purchases(params, 30.0, x, t_x, T)
    alive = probability_alive(params, x, t_x, T)
    assert np.all(np.isfinite(got)) and np.all(np.isfinite(alive))
    for i in range(len(x)):
        e, pa, _ = _by_integration(params, 30.0, x[i], t_x[i], T[i])
        assert got[i] == pytest.approx(e, rel=1e-10)
        assert alive[i] == pytest.approx(pa, rel=1e-9, abs=1e-12)
    # finite r: the rate's spread λ/√r is tiny but not nothing
    limit, limit_alive = _poisson_limit(params, 30.0, x, t_x, T)
    assert got == pytest.approx(limit, rel=1e-4)
    assert alive == pytest.approx(limit_alive, rel=1e-4)


def test_far_into_the_poisson_limit_the_closed_form_holds():
    params = BgNbdParams(1e12, 7e12, 2.5, 4.0)  # λ = 1/7
    x, t_x, T = [0, 1, 8, 8], [0.0, 10.0, 56.0, 30.0], [0.0, 70.0, 60.0, 60.0]
    limit, limit_alive = _poisson_limit(params, 28.0, x, t_x, T)
    assert expected_purchases(params, 28.0, x, t_x, T) == pytest.approx(limit, rel=1e-8)
    assert probability_alive(params, x, t_x, T) == pytest.approx(limit_alive, rel=1e-8)


def test_regular_weekly_buyers_expect_about_one_purchase_a_week():
    # a → 0: nobody drops out, so E = λ·t with λ = r/α
    got = expected_purchases(REGULAR_WEEKS, 30 / 7, [52, 51, 0], [52.0, 51.0, 0.0],
                             [52.0, 51.857143, 3.0])
    assert got == pytest.approx(REGULAR_WEEKS.r / REGULAR_WEEKS.alpha * 30 / 7, rel=1e-5)


def test_many_expected_purchases_where_no_purchase_underflows():
    # λ = 1000 a unit, t = 2: P(N = 0) = 3^−1000 is below the smallest double
    params = BgNbdParams(1000.0, 1.0, 2.0, 3.0)
    expected, _, _ = _by_integration(params, 2.0, 0, 0.0, 0.0)
    assert expected_purchases(params, 2.0, [0], [0.0], [0.0])[0] == pytest.approx(
        expected, rel=1e-8)


def test_a_horizon_far_too_long_for_the_model_is_not_computable():
    with pytest.raises(NotComputable):
        expected_purchases(CDNOW, 1e9, [0, 3], [0.0, 5.0], [0.0, 9.0])


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
