"""Summaries over seeds and the paired t-test the chapter's comparisons use.

Every result of chapter 10 is measured for several seeds (each seed trains its own LeNet and
compresses it). ``spread`` gives the mean, the sample standard deviation (n − 1) and the range;
``paired`` compares two methods run on the same seeds: the differences d_i = b_i − a_i, their
mean and SD, t = mean / (SD / √n) with n − 1 degrees of freedom, the two-sided p-value and the
95 % confidence interval of the mean difference.

The Student t distribution is computed exactly for integer degrees of freedom (Abramowitz and
Stegun 26.7.3–26.7.4: finite sums of powers of cos θ, θ = atan(t / √ν)), so nothing beyond the
standard library is needed; its quantile is found by bisection.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence

from cnnbook.errors import CnnBookError


def spread(values: Sequence[float], digits: int = 3) -> dict:
    """Mean, sample standard deviation (n − 1; 0 for one value), minimum, maximum, the values."""
    if not values:
        raise CnnBookError("values 里至少要有一个数")
    deviation = statistics.stdev(values) if len(values) > 1 else 0.0
    return {
        "mean": round(statistics.fmean(values), digits),
        "std": round(deviation, digits),
        "min": min(values),
        "max": max(values),
        "values": list(values),
    }


def t_central_probability(t: float, dof: int) -> float:
    """P(|T| ≤ |t|) for Student's t with ``dof`` (a positive integer) degrees of freedom."""
    if not isinstance(dof, int) or dof < 1:
        raise CnnBookError(f"dof 必须是正整数，得到 {dof!r}")
    if math.isinf(t):
        return 1.0
    theta = math.atan(abs(t) / math.sqrt(dof))
    cos2, sin = math.cos(theta) ** 2, math.sin(theta)
    if dof % 2 == 1:  # 2/π · (θ + sin θ · (cos θ + 2/3 cos³θ + … ))
        total, term = 0.0, math.cos(theta)
        for k in range(1, (dof - 1) // 2 + 1):
            total += term
            term *= cos2 * (2 * k) / (2 * k + 1)
        return 2 / math.pi * (theta + sin * total)
    total, term = 0.0, 1.0  # sin θ · (1 + 1/2 cos²θ + 1·3/(2·4) cos⁴θ + …)
    for k in range(1, dof // 2 + 1):
        total += term
        term *= cos2 * (2 * k - 1) / (2 * k)
    return sin * total


def two_sided_p(t: float, dof: int) -> float:
    """P(|T| ≥ |t|): the two-sided p-value of a t statistic."""
    return max(0.0, 1.0 - t_central_probability(t, dof))


def t_quantile(probability: float, dof: int) -> float:
    """The t with P(T ≤ t) = ``probability`` (0.5 < probability < 1), by bisection."""
    if not 0.5 < probability < 1:
        raise CnnBookError(f"probability 必须在 (0.5, 1) 之内，得到 {probability!r}")
    central = 2 * probability - 1
    low, high = 0.0, 1.0
    while t_central_probability(high, dof) < central:
        high *= 2
    for _ in range(200):
        middle = (low + high) / 2
        if t_central_probability(middle, dof) < central:
            low = middle
        else:
            high = middle
    return (low + high) / 2


def t_statistic(mean: float, error: float) -> float:
    """mean / standard error; with no spread at all, 0 (no difference) or ±infinity."""
    if error > 0:
        return mean / error
    return math.copysign(math.inf, mean) if mean else 0.0


def paired(before: Sequence[float], after: Sequence[float], digits: int = 3) -> dict:
    """Paired t-test of ``after − before`` over the same seeds. With a single seed (a quick
    run) there is no test: t, p and the interval are None."""
    if len(before) != len(after) or not before:
        raise CnnBookError(
            f"before 与 after 必须等长且不为空，得到 {len(before)} 个与 {len(after)} 个值"
        )
    differences = [b - a for a, b in zip(before, after, strict=True)]
    n, mean = len(differences), statistics.fmean(differences)
    if n == 1:
        rounded = round(differences[0], 4)
        return {"n": 1, "differences": [rounded], "mean": rounded, "std": 0.0, "t": None,
                "dof": 0, "p": None, "ci95": None}  # fmt: skip
    deviation = statistics.stdev(differences)
    error = deviation / math.sqrt(n)
    t = t_statistic(mean, error)
    half_width = t_quantile(0.975, n - 1) * error
    return {
        "n": n,
        "differences": [round(d, 4) for d in differences],
        "mean": round(mean, digits),
        "std": round(deviation, digits),
        "t": round(t, 2) if math.isfinite(t) else None,
        "dof": n - 1,
        "p": round(two_sided_p(t, n - 1), 4),
        "ci95": [round(mean - half_width, digits), round(mean + half_width, digits)],
    }
