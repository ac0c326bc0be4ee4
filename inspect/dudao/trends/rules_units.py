"""Unit rules: deterioration (CUSUM, Mann–Kendall) and outlier units (funnel limits)."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

from dudao.trends import stats
from dudao.trends.detection import Detection, Frame, ids


def _series(frame: Frame) -> np.ndarray:
    """Mean score per (unit, definition) group × period; NaN where there is none."""
    h = frame.history
    G, T = len(frame.last_rank), len(h.periods)
    total = np.zeros((G, T))
    count = np.zeros((G, T))
    ok = ~np.isnan(h.percent)
    np.add.at(total, (frame.group[ok], frame.pidx[ok]), h.percent[ok])
    np.add.at(count, (frame.group[ok], frame.pidx[ok]), 1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(count > 0, total / count, np.nan)


def standardise(
    series: np.ndarray, baseline: int, guard: int
) -> tuple[np.ndarray, np.ndarray, float]:
    """One-step-ahead z-scores of each row (NaN during its first `baseline` observed periods).

    The in-control mean at period t is the row's mean over all its observed periods before
    t except the last `guard` (and at least its first `baseline`), shrunk towards the common
    mean by the empirical-Bayes weight w = τ²/(τ² + σ²/n); z = (y − μ̂)/√(σ² + Var μ̂),
    Var μ̂ = w·σ²/n (its posterior variance). σ² is pooled within rows over their baselines;
    τ² is the between-row variance of the baseline means less its sampling part. Returns
    (z, the in-control mean at every period, σ)."""
    observed = ~np.isnan(series)
    seen = np.cumsum(observed, axis=1)
    in_base = observed & (seen <= baseline)
    full = seen[:, -1] >= baseline + 1 if series.size else np.zeros(0, dtype=bool)
    base_vals = np.where(in_base, series, np.nan)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        mu = np.nanmean(base_vals, axis=1)
        dev = base_vals - mu[:, None]
    n_base = in_base.sum(axis=1)
    usable = full & (n_base >= 2)
    ss = np.nansum(np.where(usable[:, None], dev**2, 0.0))
    df = (n_base[usable] - 1).sum()
    sigma = float(np.sqrt(ss / df)) if df > 0 else 0.0
    z = np.full_like(series, np.nan)
    if sigma == 0 or not usable.any():
        return z, np.repeat(mu[:, None], series.shape[1], axis=1), sigma
    grand = float(np.mean(mu[usable]))
    tau2 = max(0.0, float(np.var(mu[usable])) - sigma**2 / baseline)
    # Running sums of the observed values; the baseline of period t leaves out the `guard`
    # periods before it, so a change in the last few periods is not absorbed into it.
    csum = np.cumsum(np.where(observed, series, 0.0), axis=1)
    T = series.shape[1]
    lag = np.arange(T) - guard - 1
    lagged = lambda a: np.where(lag >= 0, a[:, np.maximum(lag, 0)], 0.0)  # noqa: E731
    base_sum = np.where(seen <= baseline, 0.0, lagged(csum))
    base_n = np.where(seen <= baseline, 0.0, lagged(seen.astype(float)))
    # Never fewer than the first `baseline` observations (the burn-in).
    first_sum = np.nansum(base_vals, axis=1)[:, None]
    short = base_n < baseline
    base_sum = np.where(short, first_sum, base_sum)
    base_n = np.where(short, np.maximum(n_base, 1)[:, None], base_n)
    w = tau2 / (tau2 + sigma**2 / base_n)
    mean = grand + w * (base_sum / base_n - grand)
    scale = np.sqrt(sigma**2 + w * sigma**2 / base_n)
    after = observed & ~in_base & usable[:, None]
    z[after] = ((series - mean) / scale)[after]
    return z, mean, sigma


def deterioration(frame: Frame, cfg: dict[str, Any]) -> list[Detection]:
    h = frame.history
    if not len(h):
        return []
    series = _series(frame)
    # Scores near 100 % are skewed (failures are rare counts); the arcsine square root of
    # the failed share makes them closer to normal, as the CUSUM assumes.
    failed_share = np.clip(1 - series / 100.0, 0.0, 1.0)
    values = -np.arcsin(np.sqrt(failed_share)) if cfg.get("transform", True) else series
    z, mu, sigma = standardise(values, int(cfg["baseline_periods"]), int(cfg["guard_periods"]))
    cusum, signal = stats.lower_cusum(z, cfg["k"], cfg["h"])
    M = int(cfg["mk_periods"])
    G, T = series.shape
    mk_p = np.full((G, T), np.nan)  # NaN where the test was not run (a month missing)
    mk_slope = np.full((G, T), np.nan)
    # Mann–Kendall on the last M periods, as of each period: corroboration in the evidence,
    # not a trigger (on its own it adds false alarms and no drift the CUSUM misses).
    for t in range(M - 1, T):
        window = series[:, t - M + 1 : t + 1]
        rows = np.flatnonzero(~np.isnan(window).any(axis=1) & ~np.isnan(z[:, t]))
        if len(rows):
            r = stats.mann_kendall(window[rows])
            mk_p[rows, t], mk_slope[rows, t] = r["p_decreasing"], r["slope"]
    hit = signal
    last_obs = T - 1 - np.argmax(~np.isnan(series[:, ::-1]), axis=1)
    found = []
    for g in np.flatnonzero(hit.any(axis=1)):
        when = np.flatnonzero(hit[g])
        last = int(when[-1])
        unit, definition = int(frame.group_unit[g]), str(frame.group_def[g])
        in_group = frame.group == g
        window = slice(max(0, last - 11), last + 1)
        scored = ~np.isnan(series[g])
        start = _run_start(cusum[g], scored, last)
        # The signal stays up through months without data (the current one, often):
        # the tests are read at the unit's last month with a score, where they were run.
        at = int(np.flatnonzero(scored[: last + 1])[-1])
        # In the office's terms, on the scores' own scale: the mean before the run and
        # since it began (the CUSUM's baseline is on the transformed, shrunk scale).
        before, since = series[g, :start], series[g, start : last + 1]
        found.append(Detection(
            rule="deterioration", fingerprint=f"deterioration:{unit}:{definition}",
            severity=cfg["severity"], scope_unit_id=unit, unit_ids=[unit],
            first=h.periods[int(when[0])], last=h.periods[last],
            active=bool(hit[g, last_obs[g]]), definition_key=definition,
            evidence={
                "test": "lower tabular CUSUM on standardised scores; Mann-Kendall, Sen's slope",
                "baseline_score": _mean(before), "decline_from": h.periods[start],
                "mean_score_since": _mean(since),
                "k": cfg["k"], "h": cfg["h"], "transform": cfg.get("transform", True),
                "baseline_mean": round(float(mu[g, start]), 4), "sigma": round(sigma, 4),
                "cusum": round(float(cusum[g, last]), 3),
                "cusum_signal": bool(signal[g, last]),
                "mann_kendall_p": _number(mk_p[g, at]), "sen_slope": _number(mk_slope[g, at]),
                "periods": h.periods[window],
                "scores": [None if np.isnan(v) else round(float(v), 2)
                           for v in series[g, window]],
                "inspection_ids": ids(h.inspection_id[in_group & (frame.pidx <= last)][-12:]),
            },
        ))  # fmt: skip
    return found


def _mean(scores: np.ndarray) -> float | None:
    scored = scores[~np.isnan(scores)]
    return round(float(scored.mean()), 1) if len(scored) else None


def _number(value: float) -> float | None:
    """None for a test that was not run, rather than a figure that reads as "no trend"."""
    return None if np.isnan(value) else float(value)


def _run_start(cusum: np.ndarray, observed: np.ndarray, last: int) -> int:
    """The first observed period of the CUSUM run that is open at `last`: the one after
    the statistic was last at zero."""
    zero = np.flatnonzero(cusum[: last + 1] == 0)
    start = int(zero[-1]) + 1 if len(zero) else 0
    seen = np.flatnonzero(observed[start : last + 1])
    return start + int(seen[0]) if len(seen) else last


def outlier(
    frame: Frame, cfg: dict[str, Any], scored_items: Callable[[int], int]
) -> list[Detection]:
    """Failure proportion (failed / scored items) per unit over a rolling window, against
    funnel limits around the organisation's proportion (overdispersion-adjusted)."""
    h = frame.history
    T = len(h.periods)
    if not len(h):
        return []
    units, unit_code = np.unique(h.unit_id, return_inverse=True)
    U = len(units)
    versions = np.unique(h.version_id)
    per_version = {int(v): scored_items(int(v)) for v in versions}
    trials = np.fromiter((per_version[int(v)] for v in h.version_id), dtype=float, count=len(h))
    n = np.zeros((U, T))
    m = np.zeros((U, T))
    x = np.zeros((U, T))
    np.add.at(n, (unit_code, frame.pidx), trials)
    np.add.at(m, (unit_code, frame.pidx), 1)
    np.add.at(x, (unit_code[frame.fail_index], frame.pidx[frame.fail_index]), 1)
    W = int(cfg["window_periods"])
    cum = lambda a: np.concatenate([np.zeros((U, 1)), np.cumsum(a, axis=1)], axis=1)  # noqa: E731
    t = np.arange(T)
    lo = np.maximum(t + 1 - W, 0)
    xs, ns, ms = ((cum(a)[:, t + 1] - cum(a)[:, lo]) for a in (x, n, m))
    hit = np.zeros((U, T), dtype=bool)
    limit = np.zeros((U, T))
    p0s, phis = np.zeros(T), np.ones(T)  # the funnel's centre and overdispersion per period
    for period in range(T):
        ok = (ms[:, period] >= cfg["min_inspections"]) & (ns[:, period] > 0)
        if ok.sum() < 10:
            continue
        p0s[period] = p0 = xs[ok, period].sum() / ns[ok, period].sum()
        phis[period] = phi = stats.overdispersion(xs[ok, period], ns[ok, period], p0)
        limit[ok, period] = stats.funnel_upper(ns[ok, period], p0, cfg["coverage"], phi)
        hit[ok, period] = xs[ok, period] / ns[ok, period] > limit[ok, period]
    persist = int(cfg.get("persist_periods", 1))
    if persist > 1:  # outside the limits at the end of `persist` consecutive periods
        run = np.zeros(U)
        for period in range(T):
            run = np.where(hit[:, period], run + 1, 0)
            hit[:, period] = run >= persist
    found = []
    for u in np.flatnonzero(hit.any(axis=1)):
        when = np.flatnonzero(hit[u])
        last = int(when[-1])
        unit = int(units[u])
        subs = (h.unit_id == unit) & (frame.pidx <= last) & (frame.pidx > last - W)
        # The limit is the exact binomial quantile, or the normal one with φ where wider.
        exact = stats.funnel_upper(ns[u, last], p0s[last], cfg["coverage"], exact_below=np.inf)
        found.append(Detection(
            rule="outlier", fingerprint=f"outlier:{unit}", severity=cfg["severity"],
            scope_unit_id=unit, unit_ids=[unit], first=h.periods[int(when[0])],
            last=h.periods[last], active=bool(last == T - 1),
            evidence={
                "test": "funnel plot, upper limit (Spiegelhalter 2005)",
                "coverage": cfg["coverage"], "period": h.periods[last], "window_periods": W,
                "failed_items": int(xs[u, last]), "scored_items": int(ns[u, last]),
                "inspections": int(ms[u, last]),
                "proportion": round(float(xs[u, last] / ns[u, last]), 4),
                "upper_limit": round(float(limit[u, last]), 4),
                "organisation_proportion": round(float(p0s[last]), 4),
                "overdispersion": round(float(phis[last]), 3),
                "limit_method": "exact binomial quantile" if limit[u, last] <= exact
                else "normal approximation with overdispersion",
                "inspection_ids": ids(h.inspection_id[subs]),
            },
        ))  # fmt: skip
    return found
