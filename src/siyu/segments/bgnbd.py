"""BG/NBD (Fader, Hardie & Lee 2005, "Counting your customers the easy way"): fit by
maximum likelihood, predict expected purchases and the probability a member is alive.

Pure numerics on arrays: `x` repeat purchases, `t_x` time of the last purchase and `T`
length of observation, both measured from the member's first purchase, in one unit.

Model: while alive, a member buys as a Poisson process with rate λ ~ Gamma(r, α)
(shape r, rate α); after each repeat purchase the member drops out with probability
p ~ Beta(a, b). Individual log-likelihood (FHL eq. 6 integrated over λ and p):

    L = B(a, b+x)/B(a, b) · Γ(r+x) α^r / (Γ(r) (α+T)^(r+x))
      + [x > 0] · B(a+1, b+x−1)/B(a, b) · Γ(r+x) α^r / (Γ(r) (α+t_x)^(r+x))

The fit maximises Σ log L over the four log-parameters with L-BFGS-B from a few
starting points (identical (x, t_x, T) triples are evaluated once, weighted).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import minimize
from scipy.special import betaln, digamma, gammaln, hyp2f1

ArrayLike = np.ndarray | list[float] | list[int]
_LOG_BOUND = 15.0  # parameters stay within e^±15


@dataclass(frozen=True)
class BgNbdParams:
    r: float
    alpha: float
    a: float
    b: float

    def as_dict(self, digits: int = 8) -> dict[str, float]:
        """The parameters to `digits` significant digits."""
        return {k: float(f"{float(v):.{digits}g}") for k, v in
                (("r", self.r), ("alpha", self.alpha), ("a", self.a), ("b", self.b))}


@dataclass(frozen=True)
class BgNbdFit:
    params: BgNbdParams
    log_likelihood: float  # Σ log L at the optimum
    members: int
    converged: bool
    warnings: list[str] = field(default_factory=list)


def _arrays(*values: ArrayLike) -> list[np.ndarray]:
    return [np.asarray(v, dtype=float) for v in values]


def _terms(r: float, alpha: float, a: float, b: float, x: np.ndarray, t_x: np.ndarray,
           T: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """log L = common + logaddexp(alive, dropped): the two terms of eq. 6 in logs."""
    common = gammaln(r + x) - gammaln(r) + r * np.log(alpha) - betaln(a, b)
    alive = betaln(a, b + x) - (r + x) * np.log(alpha + T)
    repeat = x > 0
    dropped = np.full_like(x, -np.inf)
    xr = x[repeat]
    dropped[repeat] = betaln(a + 1, b + xr - 1) - (r + xr) * np.log(alpha + t_x[repeat])
    return common, alive, dropped


def log_likelihood(params: BgNbdParams, x: ArrayLike, t_x: ArrayLike,
                   T: ArrayLike) -> np.ndarray:
    """log L of each member (FHL 2005, eq. 6/7)."""
    x, t_x, T = _arrays(x, t_x, T)
    common, alive, dropped = _terms(params.r, params.alpha, params.a, params.b, x, t_x, T)
    return common + np.logaddexp(alive, dropped)


def _neg_mean_ll_and_grad(p: np.ndarray, x: np.ndarray, t_x: np.ndarray, T: np.ndarray,
                          w: np.ndarray, n: int) -> tuple[float, np.ndarray]:
    """−(1/n) Σ w log L and its gradient with respect to the log-parameters."""
    r, alpha, a, b = p
    common, alive, dropped = _terms(r, alpha, a, b, x, t_x, T)
    log_aT, log_atx = np.log(alpha + T), np.log(alpha + t_x)
    total = np.logaddexp(alive, dropped)
    # d log L = d common + (share of each term) · d term
    w_alive, w_dropped = np.exp(alive - total), np.exp(dropped - total)
    ab_x = digamma(a + b + x)
    b_x1 = np.where(x > 0, b + x - 1, 1.0)  # digamma's argument, only used where x > 0
    d_r = digamma(r + x) - digamma(r) + np.log(alpha) - w_alive * log_aT - w_dropped * log_atx
    d_alpha = r / alpha - (r + x) * (w_alive / (alpha + T) + w_dropped / (alpha + t_x))
    d_a = (-(digamma(a) - digamma(a + b)) + w_alive * (digamma(a) - ab_x)
           + w_dropped * (digamma(a + 1) - ab_x))
    d_b = (-(digamma(b) - digamma(a + b)) + w_alive * (digamma(b + x) - ab_x)
           + w_dropped * (digamma(b_x1) - ab_x))
    value = -float(np.dot(w, common + total)) / n
    grad = -np.array([np.dot(w, d) for d in (d_r, d_alpha, d_a, d_b)]) * p / n
    return value, grad


def _check(x: np.ndarray, t_x: np.ndarray, T: np.ndarray) -> None:
    if not (x.shape == t_x.shape == T.shape):
        raise ValueError("x, t_x and T must have the same length")
    if np.any(x < 0) or np.any(t_x < 0) or np.any(t_x > T):
        raise ValueError("need x >= 0 and 0 <= t_x <= T")
    if np.any((x > 0) & (t_x <= 0)):
        raise ValueError("a member with repeat purchases needs t_x > 0")


def fit(x: ArrayLike, t_x: ArrayLike, T: ArrayLike) -> BgNbdFit:
    """Maximum-likelihood BG/NBD parameters for the members (x, t_x, T)."""
    x, t_x, T = _arrays(x, t_x, T)
    _check(x, t_x, T)
    n = len(x)
    if n == 0:
        raise ValueError("cannot fit a model to no members")
    triples, weights = np.unique(np.column_stack([x, t_x, T]), axis=0, return_counts=True)
    ux, ut, uT = triples[:, 0], triples[:, 1], triples[:, 2]
    w = weights.astype(float)

    def objective(theta: np.ndarray) -> tuple[float, np.ndarray]:
        value, grad = _neg_mean_ll_and_grad(np.exp(theta), ux, ut, uT, w, n)
        if not np.isfinite(value) or not np.all(np.isfinite(grad)):
            return 1e300, np.zeros(4)
        return value, grad

    scale = max(float(np.mean(T)), 1e-6)
    starts = [
        np.log([1.0, scale, 1.0, 1.0]),
        np.log([0.5, scale / 2, 0.5, 2.0]),
        np.log([2.0, scale * 2, 2.0, 0.5]),
    ]
    if not np.any(x > 0):
        starts = starts[:1]  # the likelihood is flat in a and b: nothing to search for
    bounds = [(-_LOG_BOUND, _LOG_BOUND)] * 4
    best = None
    for start in starts:
        result = minimize(objective, start, method="L-BFGS-B", jac=True, bounds=bounds,
                          options={"maxiter": 2000, "ftol": 1e-15, "gtol": 1e-10})
        if best is None or result.fun < best.fun:
            best = result
    assert best is not None
    params = BgNbdParams(*(float(v) for v in np.exp(best.x)))
    warnings = []
    if not np.any(x > 0):
        warnings.append("没有复购 (所有会员 frequency = 0): 参数无法可靠估计")
    if np.any(np.abs(best.x) >= _LOG_BOUND - 1e-3):
        warnings.append("参数估计到达边界: 数据不足以确定模型, 结果仅供参考")
    return BgNbdFit(params, -best.fun * n, n, bool(best.success), warnings)


def probability_alive(params: BgNbdParams, x: ArrayLike, t_x: ArrayLike,
                      T: ArrayLike) -> np.ndarray:
    """P(alive at T | x, t_x, T) (FHL eq. 11)."""
    x, t_x, T = _arrays(x, t_x, T)
    r, alpha, a, b = params.r, params.alpha, params.a, params.b
    out = np.ones_like(x)
    k = x > 0
    xk = x[k]
    log_odds = np.log(a) - np.log(b + xk - 1) + (r + xk) * (
        np.log(alpha + T[k]) - np.log(alpha + t_x[k]))
    out[k] = 1.0 / (1.0 + np.exp(log_odds))
    return out


def expected_purchases(params: BgNbdParams, t: float, x: ArrayLike, t_x: ArrayLike,
                       T: ArrayLike) -> np.ndarray:
    """E[purchases in (T, T + t] | x, t_x, T] (FHL eq. 10)."""
    x, t_x, T = _arrays(x, t_x, T)
    if t <= 0:
        return np.zeros_like(x)
    if abs(params.a - 1.0) < 1e-6:
        # (a + b + x − 1)/(a − 1) is singular at a = 1 though E is smooth in a: average
        # the two sides (error O(h²))
        h = 1e-4
        lo, hi = (BgNbdParams(params.r, params.alpha, 1.0 + d, params.b) for d in (-h, h))
        return (expected_purchases(lo, t, x, t_x, T) + expected_purchases(hi, t, x, t_x, T)) / 2
    r, alpha, a, b = params.r, params.alpha, params.a, params.b
    z = t / (alpha + T + t)
    term = np.exp((r + x) * np.log((alpha + T) / (alpha + T + t))) * hyp2f1(
        r + x, b + x, a + b + x - 1, z)
    first = (a + b + x - 1) / (a - 1) * (1.0 - term)
    k = x > 0
    denom = np.ones_like(x)
    denom[k] += a / (b + x[k] - 1) * np.exp(
        (r + x[k]) * (np.log(alpha + T[k]) - np.log(alpha + t_x[k])))
    return first / denom


def expected_purchases_new(params: BgNbdParams, t: float) -> float:
    """E[X(t)]: repeat purchases in t time units after a member's first purchase (eq. 9)."""
    return float(expected_purchases(params, t, [0.0], [0.0], [0.0])[0])


def simulate(params: BgNbdParams, T: ArrayLike,
             rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Draw (x, t_x) for members observed T units after their first purchase."""
    T = np.asarray(T, dtype=float)
    n = len(T)
    lam = rng.gamma(params.r, 1.0 / params.alpha, size=n)
    p = rng.beta(params.a, params.b, size=n)
    x = np.zeros(n)
    t_x = np.zeros(n)
    now = np.zeros(n)
    active = np.ones(n, dtype=bool)
    while active.any():
        idx = np.flatnonzero(active)
        now[idx] += rng.exponential(1.0 / lam[idx])
        bought = idx[now[idx] <= T[idx]]
        active[idx[now[idx] > T[idx]]] = False
        x[bought] += 1
        t_x[bought] = now[bought]
        died = bought[rng.random(len(bought)) < p[bought]]
        active[died] = False
    return x, t_x
