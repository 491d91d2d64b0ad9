"""A/B significance (A/B 实验显著性): conversion rates and mean metrics, with a verdict.

Pure: counts or summaries in, plain dicts out; no I/O and no randomness.

Conversion (contract section 7): two-sided two-proportion z-test with pooled variance,

    p̄ = (c_a + c_b) / (n_a + n_b),  z = (r_b − r_a) / sqrt(p̄ (1 − p̄) (1/n_a + 1/n_b)),
    p_value = 2 (1 − Φ(|z|)),

lift = r_b / r_a − 1 (null when r_a = 0), ci95 the unpooled Wald interval
(r_b − r_a) ± z_0.975 sqrt(r_a (1 − r_a)/n_a + r_b (1 − r_b)/n_b), always 95% whatever
alpha is, and `significant` = p_value < alpha. When both arms convert all or nothing the
variance is 0 and there is no evidence of a difference: z = 0, p_value = 1.

needed_per_arm — equal arms, two-sided test at `alpha`, power 1 − β = 0.80, at the
observed rates (Fleiss, Levin & Paik, eq. 4.14, without continuity correction):

    n = ceil( (z_{1−α/2} sqrt(2 p̄ (1 − p̄)) + z_{1−β} sqrt(r_a (1 − r_a) + r_b (1 − r_b)))²
              / (r_b − r_a)² ),  p̄ = (r_a + r_b) / 2;

null when the observed rates are equal (no effect to detect).

Mean metrics: Welch's unequal-variance t-test, with Welch–Satterthwaite degrees of
freedom and n = ceil((z_{1−α/2} + z_{1−β})² (s_a² + s_b²) / (m_b − m_a)²) per arm.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from statistics import NormalDist

from siyu.core.errors import InvalidInput

METHOD = "two-proportion z-test (pooled)"
WELCH_METHOD = "Welch t-test"
_NORMAL = NormalDist()
_Z975 = _NORMAL.inv_cdf(0.975)
_ARM_RE = re.compile(r"^\s*(\d+)\s*:\s*(\d+)\s*$")


@dataclass(frozen=True)
class Arm:
    """One arm of a conversion test: `n` exposed, `conversions` converted."""

    n: int
    conversions: int

    def __post_init__(self) -> None:
        if self.n <= 0:
            raise ValueError("n must be positive")
        if not 0 <= self.conversions <= self.n:
            raise ValueError("conversions must be between 0 and n")

    @property
    def rate(self) -> float:
        return self.conversions / self.n


@dataclass(frozen=True)
class MeanSample:
    """One arm of a mean-metric test (e.g. order value): size, mean, sample s.d."""

    n: int
    mean: float
    sd: float

    @classmethod
    def of(cls, values: Sequence[float]) -> MeanSample:
        n = len(values)
        if n < 2:
            raise ValueError("a mean metric needs at least 2 values per arm")
        mean = math.fsum(values) / n
        var = math.fsum((v - mean) ** 2 for v in values) / (n - 1)
        return cls(n, mean, math.sqrt(var))


def parse_arm(text: str, option: str) -> Arm:
    """"N:CONV" (e.g. "1000:120") → Arm; problems name the option (--a / --b)."""
    m = _ARM_RE.match(text or "")
    if not m:
        raise InvalidInput(f"{option}: 格式应为 N:CONV, 如 1000:120 (收到 {text!r})", field=option)
    n, conversions = int(m.group(1)), int(m.group(2))
    if n <= 0:
        raise InvalidInput(f"{option}: 样本数 N 必须大于 0 (收到 {text!r})", field=option)
    if conversions > n:
        raise InvalidInput(f"{option}: 转化数不能大于样本数 (收到 {text!r})", field=option)
    return Arm(n, conversions)


def check_alpha(alpha: float, field: str = "--alpha") -> float:
    if not (isinstance(alpha, int | float) and 0 < alpha < 1):
        raise InvalidInput(f"{field}: 显著性水平须在 0 与 1 之间 (收到 {alpha!r})", field=field)
    return float(alpha)


def _z(q: float) -> float:
    return _NORMAL.inv_cdf(q)


def _ceil(value: float) -> int:
    return math.ceil(value - 1e-9)


def needed_per_arm_proportions(rate_a: float, rate_b: float, alpha: float = 0.05,
                               power: float = 0.8) -> int | None:
    """Sample per arm to detect rate_a vs rate_b (formula in the module docstring)."""
    delta = rate_b - rate_a
    if delta == 0:
        return None
    mean = (rate_a + rate_b) / 2
    root = (_z(1 - alpha / 2) * math.sqrt(2 * mean * (1 - mean))
            + _z(power) * math.sqrt(rate_a * (1 - rate_a) + rate_b * (1 - rate_b)))
    return max(1, _ceil(root**2 / delta**2))


def proportion_test(a: Arm, b: Arm, alpha: float = 0.05, power: float = 0.8) -> dict:
    """The contract's `siyu ab test` document for arms a and b."""
    check_alpha(alpha)
    ra, rb = a.rate, b.rate
    pooled = (a.conversions + b.conversions) / (a.n + b.n)
    se = math.sqrt(pooled * (1 - pooled) * (1 / a.n + 1 / b.n))
    z = 0.0 if se == 0 else (rb - ra) / se
    p_value = math.erfc(abs(z) / math.sqrt(2))
    wald = math.sqrt(ra * (1 - ra) / a.n + rb * (1 - rb) / b.n)
    lift = None if a.conversions == 0 else (b.conversions * a.n) / (a.conversions * b.n) - 1
    return {
        "a": {"n": a.n, "conversions": a.conversions, "rate": ra},
        "b": {"n": b.n, "conversions": b.conversions, "rate": rb},
        "lift": lift,
        "p_value": p_value,
        "ci95": [(rb - ra) - _Z975 * wald, (rb - ra) + _Z975 * wald],
        "significant": p_value < alpha,
        "method": METHOD,
        "needed_per_arm": needed_per_arm_proportions(ra, rb, alpha, power),
    }


def needed_per_arm_means(sd_a: float, sd_b: float, delta: float, alpha: float = 0.05,
                         power: float = 0.8) -> int | None:
    if delta == 0:
        return None
    n = (_z(1 - alpha / 2) + _z(power)) ** 2 * (sd_a**2 + sd_b**2) / delta**2
    return max(2, _ceil(n))


def welch_test(a: MeanSample, b: MeanSample, alpha: float = 0.05, power: float = 0.8) -> dict:
    """Welch's t-test of mean_b − mean_a, two-sided."""
    from scipy.special import stdtr, stdtrit  # lazily: keeps `siyu` start-up fast

    check_alpha(alpha)
    if a.n < 2 or b.n < 2:
        raise ValueError("a mean metric needs at least 2 values per arm")
    va, vb = a.sd**2 / a.n, b.sd**2 / b.n
    diff = b.mean - a.mean
    se = math.sqrt(va + vb)
    if se == 0:
        t, df = (0.0 if diff == 0 else math.copysign(math.inf, diff)), float(a.n + b.n - 2)
        p_value = 1.0 if diff == 0 else 0.0
        half = 0.0
    else:
        t = diff / se
        df = (va + vb) ** 2 / (va**2 / (a.n - 1) + vb**2 / (b.n - 1))
        p_value = float(2 * stdtr(df, -abs(t)))
        half = float(stdtrit(df, 0.975)) * se
    return {
        "a": {"n": a.n, "mean": a.mean, "sd": a.sd},
        "b": {"n": b.n, "mean": b.mean, "sd": b.sd},
        "difference": diff,
        "lift": None if a.mean == 0 else b.mean / a.mean - 1,
        "t": t,
        "df": df,
        "p_value": p_value,
        "ci95": [diff - half, diff + half],
        "significant": p_value < alpha,
        "method": WELCH_METHOD,
        "needed_per_arm": needed_per_arm_means(a.sd, b.sd, diff, alpha, power),
    }


@dataclass(frozen=True)
class Verdict:
    """What to tell the operator: `b_wins`, `a_wins`, `no_difference`, `not_enough_data`."""

    status: str
    message: str
    needed_per_arm: int | None
    more_per_arm: int

    def as_dict(self) -> dict:
        return {"status": self.status, "message": self.message,
                "needed_per_arm": self.needed_per_arm, "more_per_arm": self.more_per_arm}


def _needed_for_lift(result: dict, min_lift: float, alpha: float, power: float) -> int | None:
    a = result["a"]
    if "rate" in a:
        target = min(1.0, a["rate"] * (1 + min_lift))
        return needed_per_arm_proportions(a["rate"], target, alpha, power)
    return needed_per_arm_means(a["sd"], result["b"]["sd"], a["mean"] * min_lift, alpha, power)


def verdict(result: dict, *, min_per_arm: int = 100, min_lift: float | None = None,
            alpha: float = 0.05, power: float = 0.8) -> Verdict:
    """Verdict on a `proportion_test` or `welch_test` result.

    Significant: the better arm wins. Otherwise the sample needed per arm is the one to
    detect `min_lift` (the smallest relative lift worth acting on, e.g. 0.1) when given,
    else the observed effect, and never less than `min_per_arm`; while the smaller arm
    is short of it: "not enough data yet" with how many more per arm; past it: no
    difference worth acting on.
    """
    n = min(result["a"]["n"], result["b"]["n"])
    key = "rate" if "rate" in result["a"] else "mean"
    effect = result["b"][key] - result["a"][key]
    if result["significant"] and effect != 0:
        winner = "B" if effect > 0 else "A"
        return Verdict("b_wins" if effect > 0 else "a_wins",
                       f"{winner} 组显著更好 (p = {result['p_value']:.4f})",
                       result["needed_per_arm"], 0)
    needed = (result["needed_per_arm"] if min_lift is None
              else _needed_for_lift(result, min_lift, alpha, power))
    target = max(needed if needed is not None else min_per_arm, min_per_arm)
    if n < target:
        more = target - n
        return Verdict("not_enough_data",
                       f"数据还不够 (not enough data yet): 每组需要约 {target} 个样本, "
                       f"还差 {more} 个", target, more)
    return Verdict("no_difference", f"样本已足够, 两组没有显著差异 (p = {result['p_value']:.4f})",
                   target, 0)
