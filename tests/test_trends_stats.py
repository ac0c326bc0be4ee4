"""The statistics behind the trend rules against published and reference values."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import integrate
from scipy import stats as sps

from dudao.trends import stats
from dudao.trends.rules_units import standardise


@pytest.mark.parametrize(
    ("shift", "published", "runs", "tolerance"),
    [(0.0, 465.0, 6000, 0.06), (0.5, 38.0, 6000, 0.04), (1.0, 10.4, 6000, 0.03)],
)
def test_two_sided_cusum_reproduces_published_arls(shift, published, runs, tolerance) -> None:
    """k = 0.5, h = 5 (Montgomery, Table 9.3); the tolerance is about 4 standard errors."""
    lengths = stats.two_sided_run_lengths(shift, k=0.5, h=5.0, runs=runs, seed=7)
    arl = lengths.mean()
    assert abs(arl - published) / published < tolerance, arl
    # And the tolerance is tight enough to tell a wrong h apart.
    wrong = stats.two_sided_run_lengths(shift, k=0.5, h=4.0, runs=runs, seed=7).mean()
    assert abs(wrong - published) / published > tolerance


def test_lower_cusum_by_hand_and_missing_periods() -> None:
    z = np.array([[-1.0, -1.0, np.nan, -2.0, 1.0]])
    c, signal = stats.lower_cusum(z, k=0.5, h=1.8)
    assert c.tolist() == [[0.5, 1.0, 1.0, 2.5, 1.0]]
    assert signal.tolist() == [[False, False, False, True, False]]


def test_mann_kendall_without_ties_matches_hand_and_exact_reference() -> None:
    r = stats.mann_kendall(np.array([[1, 2, 3, 4, 5.0], [5, 3, 4, 2, 1]]))
    assert r["s"].tolist() == [10, -8]
    assert r["var"] == pytest.approx([50 / 3, 50 / 3])
    assert r["z"] == pytest.approx([9 / np.sqrt(50 / 3), -7 / np.sqrt(50 / 3)])
    assert r["p"] == pytest.approx([2 / 120, 10 / 120])  # exact: permutations of 5
    assert r["p_decreasing"][1] == pytest.approx(5 / 120)
    assert r["slope"].tolist() == [1.0, -1.0]


def test_mann_kendall_against_scipy_kendall_tau_and_theil_sen() -> None:
    rng = np.random.default_rng(3)
    x = rng.normal(size=(20, 9)) - np.linspace(0, 1.5, 9)
    r = stats.mann_kendall(x)
    for row, s, p, slope in zip(x, r["s"], r["p"], r["slope"], strict=True):
        tau = sps.kendalltau(np.arange(9), row, method="exact")
        assert s == pytest.approx(tau.statistic * 36)
        assert p == pytest.approx(tau.pvalue)
        assert slope == pytest.approx(sps.theilslopes(row).slope)


def test_mann_kendall_with_ties_uses_the_corrected_variance() -> None:
    r = stats.mann_kendall(np.array([[1, 1, 2, 2, 3.0]]))
    # Two tie groups of 2: Σ t(t-1)(2t+5) = 2·2·1·9 = 36; Var = (5·4·15 − 36)/18.
    assert r["s"][0] == 8
    assert r["var"][0] == pytest.approx(264 / 18)
    assert r["z"][0] == pytest.approx(7 / np.sqrt(264 / 18))
    assert r["p"][0] == pytest.approx(2 * sps.norm.sf(7 / np.sqrt(264 / 18)))
    long = np.array([[3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8, 9, 7, 9, 3.0]])
    r = stats.mann_kendall(long)
    s = sum(np.sign(long[0, j] - long[0, i]) for i in range(16) for j in range(i + 1, 16))
    assert r["s"][0] == s


def test_benjamini_hochberg_on_known_p_values() -> None:
    p = np.array([0.01, 0.04, 0.03, 0.005, 0.5])
    rejected, adjusted = stats.benjamini_hochberg(p, 0.05)
    assert rejected.tolist() == [True, True, True, True, False]
    assert adjusted == pytest.approx([0.025, 0.05, 0.05, 0.025, 0.5])
    assert adjusted == pytest.approx(sps.false_discovery_control(p))
    assert stats.benjamini_hochberg(p, 0.01)[0].tolist() == [False] * 5


def test_binomial_wilson_and_funnel() -> None:
    assert stats.binomial_p_greater(np.array([6]), 10, 0.05)[0] == pytest.approx(
        sps.binomtest(6, 10, 0.05, alternative="greater").pvalue
    )
    lo, hi = stats.wilson(np.array([5]), np.array([20]))
    assert (round(float(lo[0]), 4), round(float(hi[0]), 4)) == (0.1119, 0.4687)
    big = stats.funnel_upper(np.array([10000]), 0.1)[0]
    normal = 0.1 + sps.norm.ppf(0.999) * np.sqrt(0.09 / 10000)
    assert normal <= big < normal + 2 / 10000  # never below the exact limit
    wide = stats.funnel_upper(np.array([10000]), 0.1, phi=4.0)[0]
    assert wide == pytest.approx(0.1 + sps.norm.ppf(0.999) * np.sqrt(4 * 0.09 / 10000))
    small = stats.funnel_upper(np.array([20]), 0.1)[0]
    assert sps.binom.sf(np.floor(small * 20), 20, 0.1) <= 0.001 + 1e-12
    assert stats.overdispersion(np.full(50, 10.0), np.full(50, 100.0), 0.1) == 1.0


def test_winsorised_overdispersion_is_consistent_for_normal_z() -> None:
    """φ divides the winsorised mean square by its normal expectation (numerical integral)."""
    c = sps.norm.ppf(0.9)
    expected = integrate.quad(lambda z: z * z * sps.norm.pdf(z), -c, c)[0] + 2 * c * c * 0.1
    assert stats.winsorised_square_mean(0.1) == pytest.approx(expected, rel=1e-9)
    assert expected == pytest.approx(0.6787, abs=1e-4)
    # Units whose true proportions vary: z has variance 1 + n·var(p)/(p(1−p)) = 2.5.
    rng = np.random.default_rng(11)
    n = np.full(20000, 400.0)
    p = np.clip(rng.normal(0.1, np.sqrt(1.5 * 0.09 / 400), n.size), 0, 1)
    phi = stats.overdispersion(rng.binomial(400, p).astype(float), n, 0.1)
    assert phi == pytest.approx(2.5, rel=0.05)
    # Without the correction the winsorised mean square would say about 1.7.
    assert phi * stats.winsorised_square_mean(0.1) < 1.8


def test_standardise_against_a_reference_computation() -> None:
    """One-step-ahead z-scores with a guarded, expanding, shrunk baseline, by hand."""
    rng = np.random.default_rng(4)
    series = rng.normal(0, 1, (40, 12)) + rng.normal(0, 0.5, (40, 1))
    series[3, 9] = np.nan
    z, _mean, sigma = standardise(series, baseline=4, guard=2)
    base = series[:, :4]
    sd = np.sqrt(((base - base.mean(axis=1, keepdims=True)) ** 2).sum() / (40 * 3))
    assert sigma == pytest.approx(sd)
    tau2 = max(0.0, base.mean(axis=1).var() - sd**2 / 4)
    grand = base.mean()
    for row in (0, 3):
        for t in range(4, 12):
            seen = [v for v in series[row, : max(t - 2, 4)] if not np.isnan(v)]
            if len(seen) < 4:
                seen = list(series[row, :4])
            n = len(seen)
            w = tau2 / (tau2 + sd**2 / n)
            mu = grand + w * (np.mean(seen) - grand)
            want = (series[row, t] - mu) / np.sqrt(sd**2 + w * sd**2 / n)
            assert z[row, t] == pytest.approx(want, nan_ok=True), (row, t)
    assert np.isnan(z[:, :4]).all()
