"""The statistics behind the trend rules, vectorised over many series at once.

Pure numpy/scipy, no database: every function takes arrays (one row per unit or
per item × scope) so a full analysis is a handful of array operations, and each
is tested against published or hand-computed values (tests/test_trends_stats.py).
"""

from __future__ import annotations

from functools import cache

import numpy as np
from scipy import optimize, stats


def lower_cusum(z: np.ndarray, k: float, h: float) -> tuple[np.ndarray, np.ndarray]:
    """Tabular CUSUM for a downward shift of standardised values z (rows × periods).

    C_t = max(0, C_{t-1} - z_t - k), C_0 = 0; NaN (no data that period) leaves C
    unchanged. Returns (C for every period, signal = C > h). Page (1954); Montgomery,
    Introduction to Statistical Quality Control, ch. 9.
    """
    z = np.atleast_2d(np.asarray(z, dtype=float))
    out = np.zeros_like(z)
    c = np.zeros(z.shape[0])
    for t in range(z.shape[1]):  # over periods, vectorised over units
        step = np.maximum(0.0, c - z[:, t] - k)
        c = np.where(np.isnan(z[:, t]), c, step)
        out[:, t] = c
    return out, out > h


def two_sided_run_lengths(
    shift: float, k: float, h: float, runs: int, seed: int, max_len: int = 20000
) -> np.ndarray:
    """Simulated run lengths of the two-sided tabular CUSUM on N(shift, 1) data.

    Signals when C+ > h or C- > h. Used to check the published ARLs (≈465 in control,
    ≈38 at 0.5σ, ≈10.4 at 1σ for k = 0.5, h = 5).
    """
    rng = np.random.default_rng(seed)
    hi = np.zeros(runs)
    lo = np.zeros(runs)
    length = np.zeros(runs, dtype=int)
    alive = np.ones(runs, dtype=bool)
    t = 0
    while alive.any() and t < max_len:
        t += 1
        x = rng.standard_normal(runs) + shift
        hi = np.where(alive, np.maximum(0.0, hi + x - k), hi)
        lo = np.where(alive, np.maximum(0.0, lo - x - k), lo)
        stop = alive & ((hi > h) | (lo > h))
        length[stop] = t
        alive &= ~stop
    length[alive] = max_len
    return length


@cache
def _kendall_null(n: int) -> np.ndarray:
    """P(S = s) for s = -m..m step 2 without ties (Mahonian numbers; m = n(n-1)/2)."""
    counts = np.array([1.0])
    for i in range(2, n + 1):  # inversions of permutations of i elements
        counts = np.convolve(counts, np.ones(i))
    return counts / counts.sum()  # index = number of inversions I; S = m - 2I


def mann_kendall(x: np.ndarray, exact_max_n: int = 10) -> dict[str, np.ndarray]:
    """Mann–Kendall trend test on each row of x (rows × n, no NaN).

    S = Σ_{i<j} sign(x_j − x_i); Var(S) = [n(n−1)(2n+5) − Σ t(t−1)(2t+5)]/18 over tie
    groups; Z = (S − sign(S))/√Var; two-sided p from the normal, or from the exact
    null distribution of S when n ≤ exact_max_n and the row has no ties.
    Also returns p_decreasing (one-sided) and Sen's slope (median pairwise slope).
    """
    x = np.atleast_2d(np.asarray(x, dtype=float))
    rows, n = x.shape
    diff = x[:, None, :] - x[:, :, None]  # [r, i, j] = x_j - x_i
    upper = np.triu(np.ones((n, n), dtype=bool), k=1)
    s = np.sign(diff)[:, upper].sum(axis=1)
    t = (x[:, :, None] == x[:, None, :]).sum(axis=2)  # size of each value's tie group
    ties = ((t - 1) * (2 * t + 5)).sum(axis=1)  # = Σ_groups t(t-1)(2t+5)
    var = (n * (n - 1) * (2 * n + 5) - ties) / 18.0
    with np.errstate(invalid="ignore", divide="ignore"):
        z = np.where(var > 0, (s - np.sign(s)) / np.sqrt(var), 0.0)
    p = 2 * stats.norm.sf(np.abs(z))
    p_dec = stats.norm.cdf(z)
    if n <= exact_max_n:
        m = n * (n - 1) // 2
        null = _kendall_null(n)
        s_values = m - 2 * np.arange(m + 1)  # S for I = 0..m
        exact = ties == 0
        for r in np.flatnonzero(exact):
            p[r] = min(1.0, null[np.abs(s_values) >= abs(s[r])].sum())
            p_dec[r] = null[s_values <= s[r]].sum()
    steps = np.arange(n)[None, :] - np.arange(n)[:, None]
    with np.errstate(invalid="ignore", divide="ignore"):
        slopes = diff[:, upper] / steps[upper]
    slope = np.median(slopes, axis=1) if n > 1 else np.zeros(rows)
    return {"s": s, "var": var, "z": z, "p": p, "p_decreasing": p_dec, "slope": slope}


def benjamini_hochberg(p: np.ndarray, q: float) -> tuple[np.ndarray, np.ndarray]:
    """(rejected, adjusted p) at false discovery rate q (Benjamini & Hochberg 1995)."""
    p = np.asarray(p, dtype=float)
    n = p.size
    if n == 0:
        return np.zeros(0, dtype=bool), np.zeros(0)
    order = np.argsort(p)
    ranked = p[order] * n / np.arange(1, n + 1)
    adjusted_sorted = np.minimum.accumulate(ranked[::-1])[::-1]
    adjusted = np.empty(n)
    adjusted[order] = np.minimum(adjusted_sorted, 1.0)
    return adjusted <= q, adjusted


def wilson(x: np.ndarray, n: np.ndarray, confidence: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval for x successes in n trials (vectorised)."""
    x = np.asarray(x, dtype=float)
    n = np.asarray(n, dtype=float)
    zq = stats.norm.ppf(0.5 + confidence / 2)
    with np.errstate(invalid="ignore", divide="ignore"):
        phat = np.where(n > 0, x / n, 0.0)
        denom = 1 + zq**2 / n
        centre = (phat + zq**2 / (2 * n)) / denom
        half = zq * np.sqrt(phat * (1 - phat) / n + zq**2 / (4 * n**2)) / denom
    return np.clip(centre - half, 0, 1), np.clip(centre + half, 0, 1)


def binomial_p_greater(x: np.ndarray, n: np.ndarray, p0: np.ndarray) -> np.ndarray:
    """Exact one-sided binomial p-value P(X ≥ x | n, p0) — what
    scipy.stats.binomtest(x, n, p0, alternative='greater') returns, for arrays."""
    return stats.binom.sf(np.asarray(x) - 1, n, p0)


def funnel_upper(
    n: np.ndarray, p0: float, coverage: float = 0.998, phi: float = 1.0, exact_below: float = 10.0
) -> np.ndarray:
    """Upper funnel limit for a proportion at n trials (Spiegelhalter 2005).

    Where n·p0 < exact_below the exact binomial quantile r/n is used (conservative: a
    count above it has P(X ≥ x) ≤ 1 − upper quantile); elsewhere the larger of it and
    the normal limit p0 + z·√(φ·p0(1−p0)/n), φ the overdispersion factor (1 = none).
    """
    n = np.asarray(n, dtype=float)
    upper_q = 0.5 + coverage / 2
    zq = stats.norm.ppf(upper_q)
    with np.errstate(invalid="ignore", divide="ignore"):
        normal = p0 + zq * np.sqrt(phi * p0 * (1 - p0) / n)
        exact = stats.binom.ppf(upper_q, n, p0) / n
    # The normal limit is too narrow for skewed binomial counts; never go below the exact one.
    return np.where(n * p0 < exact_below, exact, np.maximum(normal, exact))


def overdispersion(x: np.ndarray, n: np.ndarray, p0: float, winsor: float = 0.1) -> float:
    """φ = mean of the squared z-scores winsorised at 10 % each tail (Spiegelhalter 2005),
    divided by that mean's expectation for standard normal z (0.679 at 10 %) so that it
    estimates the variance of z without bias when there are no outliers; at least 1."""
    x = np.asarray(x, dtype=float)
    n = np.asarray(n, dtype=float)
    keep = n > 0
    if keep.sum() < 10 or not 0 < p0 < 1:
        return 1.0
    z = (x[keep] / n[keep] - p0) / np.sqrt(p0 * (1 - p0) / n[keep])
    return max(1.0, dispersion(z, winsor))


def dispersion(z: np.ndarray, winsor: float = 0.1) -> float:
    """The variance of z-scores from their mean square with each tail winsorised at
    `winsor`, divided by that mean's value for standard normal z, so that a few outliers
    (the units to find) do not inflate it; the plain mean square at winsor = 0."""
    if winsor <= 0:
        return float(np.mean(z**2))
    lo, hi = np.quantile(z, [winsor, 1 - winsor])
    return float(np.mean(np.clip(z, lo, hi) ** 2)) / winsorised_square_mean(winsor)


@cache
def winsorised_square_mean(winsor: float) -> float:
    """E[w(Z)²] for Z ~ N(0, 1) winsorised at its `winsor` and 1 − `winsor` quantiles:
    1 − 2[c·φ(c) + (1 − c²)·winsor] with c = Φ⁻¹(1 − winsor)."""
    c = float(stats.norm.ppf(1 - winsor))
    return 1 - 2 * (c * float(stats.norm.pdf(c)) + (1 - c * c) * winsor)


def between_variance(
    y: np.ndarray, se: np.ndarray, winsor: float = 0.1, at_least: int = 2
) -> float:
    """τ², the variance of the true values behind estimates y beyond their sampling errors
    se (additive overdispersion, Spiegelhalter 2005): the τ² at which the random-effects
    z-scores u = (y − μ)/√(se² + τ²), μ their weighted mean, have the variance expected
    of I standardised residuals, (I − 1)/I — the Paule–Mandel estimator (1982; DL's
    moment equation solved exactly rather than in one step from τ² = 0, the same for
    equal se) — their variance taken as the winsorised `dispersion`, so a few outliers
    (the units to find) do not widen the spread they are judged against. 0 if the
    estimates vary no more than their sampling errors, or fewer than `at_least` (≥ 2)
    of them have a positive finite se."""
    y = np.asarray(y, dtype=float)
    se = np.asarray(se, dtype=float)
    keep = np.isfinite(y) & np.isfinite(se) & (se > 0)
    count = int(keep.sum())
    if count < max(2, at_least):
        return 0.0
    y, var = y[keep], se[keep] ** 2

    def excess(tau2: float) -> float:
        w = 1.0 / (var + tau2)
        u = (y - np.sum(w * y) / w.sum()) * np.sqrt(w)
        return dispersion(u, winsor) - (count - 1) / count

    if excess(0.0) <= 0:
        return 0.0
    # Every |u| ≤ range/τ: beyond this the dispersion is below any (I − 1)/I ≥ 1/2.
    high = 4 * float(np.ptp(y)) ** 2 / (winsorised_square_mean(winsor) if winsor > 0 else 1)
    return float(optimize.brentq(excess, 0.0, high, xtol=1e-9 * high))
