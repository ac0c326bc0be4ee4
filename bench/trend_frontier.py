"""Benchmark: what other published detectors reach on the quality benchmark's history.

The evidence behind "not met" in docs/trends.md. On the same seeded history as
bench/trend_quality.py it runs, for unit drifts, the deterioration rule (guarded,
empirical-Bayes CUSUM) at other h, with a confirmation (two signals in a row; Mann–
Kendall significant at the same period), a likelihood-ratio detector that integrates the
unknown unit mean over its prior instead of estimating it, the changepoint model
(Hawkins, Qiu & Kang 2003), and the CUSUM given every unit's true mean and σ — each
with its precision, recall, median delays, false flags per seed, and the precision of
all statistical rules together if it replaced the deterioration rule. For the
company-wide item problem it prints how often a single test decided in advance (the
planted company and item, no multiplicity at all) reaches p ≤ α within two periods.

    python bench/trend_frontier.py [--units 2000] [--seeds 4] [--first-seed 0] [--full]
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "inspect"))

from trend_quality import (  # the benchmark's generator and scoring
    COMPANIES,
    ITEMS,
    first_true,
    generate,
    period_index,
    score_items,
    score_units,
)

from dudao.trends import stats
from dudao.trends.config import DEFAULTS
from dudao.trends.detection import frame_of
from dudao.trends.rules_items import cross_unit
from dudao.trends.rules_units import _series, outlier, standardise

COMPANY, COMPANY_ITEM, COMPANY_START = 3, 1, 15  # as planted by trend_quality.generate


def integrated_glr(y: np.ndarray, burn_in: int, grand: float, v: float) -> np.ndarray:
    """max over change points s ≥ burn_in of the log likelihood ratio "the mean drops by 1
    at s" against "no change", the unit's mean integrated over N(grand, v) (y in σ units,
    no missing periods). With v = 0 it is the lower CUSUM with k = 0.5 on y − grand."""
    G, T = y.shape
    cs = np.concatenate([np.zeros((G, 1)), np.cumsum(y, axis=1)], axis=1)
    out = np.full((G, T), -np.inf)
    for t in range(burn_in, T):
        n = t + 1
        for s in range(burn_in, n):
            nb, na = s, n - s
            before, after, mean = cs[:, s] / nb, (cs[:, n] - cs[:, s]) / na, cs[:, n] / n
            llr = -na * nb / n * (after - before) - na * nb / (2 * n)
            llr -= ((mean - grand) * na / n + na**2 / (2 * n**2)) / (v + 1 / n)
            out[:, t] = np.maximum(out[:, t], llr)
    return out


def changepoint_t(y: np.ndarray, burn_in: int) -> np.ndarray:
    """Changepoint model: the largest standardised drop between the means before and
    after any split at or after burn_in (σ known: y in σ units)."""
    G, T = y.shape
    cs = np.concatenate([np.zeros((G, 1)), np.cumsum(y, axis=1)], axis=1)
    out = np.full((G, T), -np.inf)
    for t in range(burn_in, T):
        for s in range(burn_in, t + 1):
            nb, na = s, t + 1 - s
            drop = cs[:, s] / nb - (cs[:, t + 1] - cs[:, s]) / na
            out[:, t] = np.maximum(out[:, t], drop / np.sqrt(1 / nb + 1 / na))
    return out


def detectors(frame, truth: dict, cfg: dict) -> dict[str, np.ndarray]:
    """unit × period signal matrices of every detector compared."""
    series = _series(frame)
    y = -np.arcsin(np.sqrt(np.clip(1 - series / 100, 0, 1)))
    burn_in = int(cfg["baseline_periods"])
    z, _mu, sigma = standardise(y, burn_in, int(cfg["guard_periods"]))
    base = y[:, :burn_in].mean(axis=1)
    tau2 = max(0.0, float(base.var()) - sigma**2 / burn_in)
    mean, sd = truth["in_control"]
    unit = frame.group_unit - 100
    known = (y - mean[unit][:, None]) / sd[unit][:, None]
    known[:, :burn_in] = np.nan
    M = int(cfg["mk_periods"])
    mk = np.ones(y.shape)
    for t in range(max(M - 1, burn_in), y.shape[1]):
        mk[:, t] = stats.mann_kendall(series[:, t - M + 1 : t + 1])["p_decreasing"]
    cusum = {h: stats.lower_cusum(z, cfg["k"], h) for h in (5.0, 5.5, 6.0)}
    c5, s5 = cusum[5.0]
    glr = integrated_glr(y / sigma, burn_in, float(base.mean()) / sigma, tau2 / sigma**2)
    cpm = changepoint_t(y / sigma, burn_in)
    out = {f"rule, h = {h:g}": signal for h, (_c, signal) in cusum.items()}
    out["rule, two signals in a row"] = s5 & (np.c_[np.zeros(len(c5)), c5[:, :-1]] > 5.0)
    for a in (0.05, 0.1):
        out[f"rule and Mann-Kendall p < {a:g}"] = s5 & (mk < a)
    out |= {f"integrated-mean LR, h = {h:g}": glr > h for h in (4.2, 5.0)}
    out |= {f"changepoint model, h = {h:g}": cpm > h for h in (3.5, 4.0)}
    for h in (5.0, 5.5, 6.0):
        out[f"true means and sigma, h = {h:g}"] = stats.lower_cusum(known, cfg["k"], h)[1]
    return out


def company_p(fails: np.ndarray) -> float:
    """Smallest p of the planted company × item in its first two periods (windows 1, 2
    against the 12 periods before each), the conditional exact binomial test of cross_unit."""
    x = fails[np.arange(len(fails)) % COMPANIES == COMPANY, :, COMPANY_ITEM].sum(axis=0)
    ps = []  # one inspection per unit and period: the window's share of inspections is w/(w+12)
    for t, w in ((COMPANY_START, 1), (COMPANY_START + 1, 1), (COMPANY_START + 1, 2)):
        wx, bx = x[t - w + 1 : t + 1].sum(), x[t - w + 1 - 12 : t - w + 1].sum()
        ps.append(float(stats.binomial_p_greater(wx, wx + bx, w / (w + 12))))
    return min(ps)


def run(units: int, seeds: range) -> None:
    cfg = DEFAULTS
    acc: dict[str, dict] = {}
    others = {"tp": 0, "fp": 0}
    pre_start = 0
    company = []
    for seed in seeds:
        history, truth, table = generate(units, 24, seed)
        frame = frame_of(history)
        unit = frame.group_unit - 100
        for name, hit in detectors(frame, truth, cfg["deterioration"]).items():
            flags = [(int(unit[g]), t) for g, t in first_true(hit)]
            r = score_units(flags, truth, units, 24)
            a = acc.setdefault(name, {"tp": 0, "fp": 0, "n": 0, "delays": []})
            for key in ("tp", "fp"):
                a[key] += r[key]
            a["n"] += r["n_true"]
            a["delays"] += r["delays"]
            if name == "rule, h = 5":
                pre_start += sum(u in truth["drift"] for u, t in flags) - r["tp"]
        out = outlier(frame, cfg["outlier"], lambda _v: ITEMS)
        r = score_units([(d.unit_ids[0] - 100, period_index(d.first)) for d in out], truth,
                        units, 24)  # fmt: skip
        cross = cross_unit(frame, cfg["cross_unit"], table)
        flags = [(table[d.scope_unit_id][0].replace("G", "org"), int(d.item_key[1:]),
                  period_index(d.first)) for d in cross]  # fmt: skip
        c = score_items(flags, truth)
        others["tp"] += r["tp"] + c["tp"]
        others["fp"] += r["fp"] + c["fp"]
        company.append(company_p(truth["fails"]))
    n = len(seeds)
    print(f"{units} units × 24 periods × {ITEMS} items, seeds {seeds[0]}..{seeds[-1]}")
    print(f"{'deterioration detector':36} {'prec':>5} {'recall':>6} {'1σ':>5} {'2σ':>5} "
          f"{'false/seed':>10} {'together':>8}")  # fmt: skip
    for name, a in acc.items():
        together = (a["tp"] + others["tp"]) / (a["tp"] + a["fp"] + others["tp"] + others["fp"])
        d1, d2 = median_delay(a, 1.0), median_delay(a, 2.0)
        print(f"{name:36} {a['tp'] / max(a['tp'] + a['fp'], 1):5.2f} {a['tp'] / a['n']:6.2f} "
              f"{d1:5.1f} {d2:5.1f} {a['fp'] / n:10.1f} {together:8.2f}")  # fmt: skip
    print(f"(the rule's false flags on drifting units before their drift started: {pre_start})")
    p = np.asarray(company)
    shares = ", ".join(f"α = {a:g}: {np.mean(p <= a):.2f}" for a in (0.05, 0.01, 1e-3, 1e-4))
    print(
        f"company-wide problem, one test decided in advance, share of seeds: {shares}; "
        f"95 % of seeds need α ≥ {np.quantile(p, 0.95):.3f}"
    )


def median_delay(acc: dict, size: float) -> float:
    return statistics.median(d for s, d in acc["delays"] if s == size)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=2000)
    parser.add_argument("--seeds", type=int, default=4)
    parser.add_argument("--first-seed", type=int, default=0)
    parser.add_argument("--full", action="store_true", help="20 seeds")
    args = parser.parse_args()
    if args.full:
        args.seeds = 20
    run(args.units, range(args.first_seed, args.first_seed + args.seeds))


if __name__ == "__main__":
    main()
