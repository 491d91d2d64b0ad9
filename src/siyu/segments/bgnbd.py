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
starting points (identical (x, t_x, T) triples are evaluated once, weighted), each
parameter within e^±15. Very regular buyers make the MLE run off towards r, α → ∞ with
r/α = λ fixed (no heterogeneity: one Poisson rate); the fit then stops at large finite
values and says so.

Predictions avoid FHL's eq. 10 with its 2F1(r+x, b+x; a+b+x−1; z), which SciPy cannot
evaluate for such fits (nan), is singular at a = 1 and loses digits when a+b+x−1 ≤ 0.
The same expectation is a sum of positive terms instead: with N ~ NegBin(r+x, z) the
purchases a member who never drops out would make in (T, T+t] (λ | x, T ~ Gamma(r+x,
α+T), z = t/(α+T+t)) and S_j = Σ_{k<j} E[(1−p)^k] over p ~ Beta(a, b+x) the purchases
that survive j chances to drop out,

    E[Y(t) | alive, x, T] = Σ_j P(N = j) S_j,

summed in logs until a geometric bound on the rest is below 1e-16 of the sum. It holds for
all parameters and tends to the Poisson-rate limit continuously.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import minimize
from scipy.special import betaln, digamma, expit, gammaln

ArrayLike = np.ndarray | list[float] | list[int]
_LOG_BOUND = 15.0  # parameters stay within e^±15
_POISSON_R = 1e4  # r beyond this: λ's coefficient of variation 1/√r is under 1%
_LOG_TOLERANCE = float(np.log(1e-16))  # series: the rest below this share of the sum
_MAX_TERMS = 2_000_000  # series: terms per member before giving up
_BLOCK_CELLS = 1 << 20  # series: array cells per step (pairs × terms)


class NotComputable(ValueError):
    """A prediction that cannot be computed to double precision for these inputs."""


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
    # r·log α − (r+x)·log(α+s) as −r·log1p(s/α) − x·log(α+s): no cancellation at huge α
    common = gammaln(r + x) - gammaln(r) - betaln(a, b)
    alive = betaln(a, b + x) - r * np.log1p(T / alpha) - x * np.log(alpha + T)
    repeat = x > 0
    dropped = np.full_like(x, -np.inf)
    xr, tr = x[repeat], t_x[repeat]
    dropped[repeat] = (betaln(a + 1, b + xr - 1) - r * np.log1p(tr / alpha)
                       - xr * np.log(alpha + tr))
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
    total = np.logaddexp(alive, dropped)
    # d log L = d common + (share of each term) · d term
    w_alive, w_dropped = np.exp(alive - total), np.exp(dropped - total)
    ab_x = digamma(a + b + x)
    b_x1 = np.where(x > 0, b + x - 1, 1.0)  # digamma's argument, only used where x > 0
    d_r = (digamma(r + x) - digamma(r) - w_alive * np.log1p(T / alpha)
           - w_dropped * np.log1p(t_x / alpha))
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
    if params.r >= _POISSON_R:
        warnings.append(
            f"会员购买频率几乎没有差异: r 与 alpha 趋于无穷 (r = {params.r:.4g}, alpha = "
            f"{params.alpha:.4g}), 模型退化为共同的泊松购买率 λ = r/alpha = "
            f"{params.r / params.alpha:.6g} 次/单位时间; 预测按此极限计算")
    return BgNbdFit(params, -best.fun * n, n, bool(best.success), warnings)


def probability_alive(params: BgNbdParams, x: ArrayLike, t_x: ArrayLike,
                      T: ArrayLike) -> np.ndarray:
    """P(alive at T | x, t_x, T) (FHL eq. 11), as expit of minus the log-odds of having
    dropped out: 1 for members without repeat purchases."""
    x, t_x, T = _arrays(x, t_x, T)
    r, alpha, a, b = params.r, params.alpha, params.a, params.b
    out = np.ones_like(x)
    k = x > 0
    xk = x[k]
    # (r+x)·log((α+T)/(α+t_x)) → λ(T − t_x) as r, α → ∞: log1p keeps its digits
    log_odds = np.log(a) - np.log(b + xk - 1) + (r + xk) * np.log1p(
        (T[k] - t_x[k]) / (alpha + t_x[k]))
    out[k] = expit(-log_odds)
    return out


def _expected_while_alive(params: BgNbdParams, t: float, x: np.ndarray,
                          T: np.ndarray) -> np.ndarray:
    """E[Y(t) | alive at T, x, T] = Σ_j P(N = j) S_j (module docstring), for arrays of
    distinct (x, T); at most _BLOCK_CELLS array cells at a time."""
    out = np.empty_like(x)
    rows = max(1, _BLOCK_CELLS // 64)
    for lo in range(0, len(x), rows):
        out[lo:lo + rows] = _series(params, t, x[lo:lo + rows], T[lo:lo + rows])
    return out


def _series(params: BgNbdParams, t: float, x: np.ndarray, T: np.ndarray) -> np.ndarray:
    """The series for one slice of members, in blocks of terms, each member until its
    rest is negligible."""
    a = params.a
    shape, b_x = params.r + x, params.b + x  # N's shape r+x; Beta(a, b+x) for p
    log_z = np.log(t) - np.log(params.alpha + T + t)
    u = t / (params.alpha + T)  # z = u/(1+u); N has mean (r+x)·u, variance mean·(1+u)
    need = shape * u + 12 * np.sqrt(shape * u * (1 + u)) - _LOG_TOLERANCE / np.log1p(1 / u)
    if np.any(need > _MAX_TERMS):
        raise NotComputable(f"预测期 t = {t:g} 相对模型参数过长: 约需 {np.max(need):.3g} 项"
                            f" (上限 {_MAX_TERMS})")
    # state at term j, per member: log P(N = j), S_j, E[(1−p)^j], log of the sum so far
    j = 0
    log_pmf = -shape * np.log1p(t / (params.alpha + T))  # log (1−z)^(r+x)
    total_S, survive = np.zeros_like(x), np.ones_like(x)
    log_sum = np.full_like(x, -np.inf)
    live = np.arange(len(x))
    width = 64
    while live.size:
        if j >= 2 * _MAX_TERMS:  # `need` above is an estimate: a backstop
            raise NotComputable(
                f"预测期 t = {t:g} 相对模型参数过长: {j} 项后仍未收敛")
        k = j + np.arange(width)
        n, bx = shape[live, None], b_x[live, None]
        log_step = np.log((n + k) / (k + 1)) + log_z[live, None]  # P(N=k+1)/P(N=k)
        lp = log_pmf[live, None] + np.cumsum(log_step, axis=1) - log_step
        keep = (bx + k) / (a + bx + k)  # E[(1−p)^(k+1)] / E[(1−p)^k]
        surv = survive[live, None] * np.cumprod(keep, axis=1) / keep
        S = total_S[live, None] + np.cumsum(surv, axis=1) - surv
        top = lp.max(axis=1)
        block = top + np.log(np.einsum("ij,ij->i", np.exp(lp - top[:, None]), S))
        log_sum[live] = np.logaddexp(log_sum[live], block)
        # the next term, K = j + width
        log_pmf[live] = lp[:, -1] + log_step[:, -1]
        survive[live] = surv[:, -1] * keep[:, -1]
        total_S[live] = S[:, -1] + surv[:, -1]
        j += width
        # rest ≤ P(N=K)·Σ_m ρ^m (S_K + m), ρ ≥ every later P(N=j+1)/P(N=j)
        K = float(j)
        log_rho = np.maximum(np.log(shape[live] + K) - np.log1p(K), 0.0) + log_z[live]
        rho = np.exp(log_rho)
        with np.errstate(divide="ignore", invalid="ignore"):
            rest = log_pmf[live] + np.log(total_S[live] / (1 - rho) + rho / (1 - rho) ** 2)
        done = (rho < 1) & (rest <= log_sum[live] + _LOG_TOLERANCE)
        live = live[~done]
        width = min(2 * width, max(64, _BLOCK_CELLS // max(live.size, 1)))
    return np.exp(log_sum)


def expected_purchases(params: BgNbdParams, t: float, x: ArrayLike, t_x: ArrayLike,
                       T: ArrayLike) -> np.ndarray:
    """E[purchases in (T, T + t] | x, t_x, T] (FHL eq. 10): P(alive) times the expectation
    while alive, finite for every parameter value; raises NotComputable if the series
    would need more than _MAX_TERMS terms (a horizon absurdly long for the model)."""
    x, t_x, T = _arrays(x, t_x, T)
    if t <= 0 or len(x) == 0:
        return np.zeros_like(x)
    # once per distinct (x, T); np.unique(axis=0) is slow, so pair the two codes
    ux, ix = np.unique(x, return_inverse=True)
    uT, iT = np.unique(T, return_inverse=True)
    keys, inverse = np.unique(ix * len(uT) + iT, return_inverse=True)
    while_alive = _expected_while_alive(params, float(t), ux[keys // len(uT)],
                                        uT[keys % len(uT)])
    out = while_alive[inverse.reshape(-1)] * probability_alive(params, x, t_x, T)
    if not np.all(np.isfinite(out)):
        raise NotComputable(f"参数 {params.as_dict()} 下期望购买次数无法计算")
    return out


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
