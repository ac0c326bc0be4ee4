"""Benchmark: quality of the statistical trend rules on seeded synthetic history.

Generates units × monthly periods × a 40-item checklist (one inspection per unit and
month) with planted problems of known start, runs the rules on the arrays (the same
functions `dudao analyze` runs after its SQL) and prints, per rule, precision, recall,
median detection delay in periods and false flags per 1,000 clean unit-periods — and
the same for a naive baseline with fixed thresholds. Delays are medians over every
planted drift, a missed one counting as infinite.

    python bench/trend_quality.py [--units 600] [--periods 24] [--seeds 5] [--full]

--full uses the issue's size: 2,000 units and 20 seeds. Planted: item 0 doubles its
failure rate organisation-wide from period 12; item 1 doubles in company 3 from period
15; 2 % of units drift down by 1σ and 2 % by 2σ from a random period in 8..16.
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "inspect"))

from dudao.trends.config import DEFAULTS
from dudao.trends.detection import frame_of
from dudao.trends.queries import History
from dudao.trends.rules_items import cross_unit
from dudao.trends.rules_units import deterioration, outlier

ITEMS = 40
COMPANIES = 20


def generate(units: int, periods: int, seed: int) -> tuple[History, dict, dict]:
    rng = np.random.default_rng(seed)
    company = np.arange(units) % COMPANIES
    base = rng.uniform(0.05, 0.15, ITEMS)
    unit_effect = rng.normal(0, 0.15, units)  # mild heterogeneity on the logit scale
    logit = np.log(base / (1 - base))[None, :] + unit_effect[:, None]
    p = 1 / (1 + np.exp(-logit))  # units × items
    sigma_fails = np.sqrt((p * (1 - p)).sum(axis=1)).mean()
    drift = np.zeros(units)
    start = np.full(units, -1)
    chosen = rng.permutation(units)
    n_drift = max(1, units // 50)
    for size, who in ((1.0, chosen[:n_drift]), (2.0, chosen[n_drift : 2 * n_drift])):
        drift[who] = size
        start[who] = rng.integers(8, 17, len(who))
    truth = {
        "cross_unit": {("org", 0): 12, (f"c{3}", 1): 15},
        "drift": {int(u): (float(drift[u]), int(start[u])) for u in np.flatnonzero(drift)},
    }
    subs, fails_sub, fails_item, unit_col, period_col, pct = [], [], [], [], [], []
    pk = 0
    for t in range(periods):
        pt = p.copy()
        if t >= 12:
            pt[:, 0] = np.minimum(2 * p[:, 0], 0.95)
        if t >= 15:
            pt[company == 3, 1] = np.minimum(2 * p[company == 3, 1], 0.95)
        drifting = (start >= 0) & (t >= start)
        pt[drifting] += (drift[drifting] * sigma_fails / ITEMS)[:, None]
        failed = rng.random((units, ITEMS)) < pt
        ids = pk + np.arange(units)
        pk += units
        u_idx, i_idx = np.nonzero(failed)
        fails_sub.append(ids[u_idx])
        fails_item.append(i_idx)
        subs.append(ids)
        unit_col.append(np.arange(units) + 100)
        period_col.append(np.full(units, t))
        pct.append(100.0 * (1 - failed.sum(axis=1) / ITEMS))
    names = [f"{2024 + t // 12}-{t % 12 + 1:02d}" for t in range(periods)]
    sub = np.concatenate(subs)
    unit = np.concatenate(unit_col)
    order = np.lexsort((sub, unit))
    history = History(
        sub_pk=sub[order], inspection_id=sub[order], unit_id=unit[order],
        definition=np.full(len(sub), "checklist", dtype=object),
        period=np.asarray(names, dtype=object)[np.concatenate(period_col)[order]],
        percent=np.concatenate(pct)[order], version_id=np.ones(len(sub), dtype=np.int64),
        fail_sub=np.concatenate(fails_sub),
        fail_item=np.asarray([f"i{i:02d}" for i in np.concatenate(fails_item)], dtype=object),
        fail_critical=np.zeros(sum(len(f) for f in fails_sub), dtype=bool), periods=names,
    )  # fmt: skip
    table = {1: ("G", "/1/", "group")}
    table |= {2 + c: (f"c{c}", f"/1/{2 + c}/", "company") for c in range(COMPANIES)}
    table |= {100 + u: (f"u{u}", f"/1/{2 + company[u]}/{100 + u}/", "branch") for u in range(units)}
    return history, truth, table


def period_index(name: str) -> int:
    year, month = name.split("-")
    return (int(year) - 2024) * 12 + int(month) - 1


def score_units(flags: list[tuple[int, int]], truth: dict, units: int, periods: int) -> dict:
    """flags: (unit index, first period). TP when the unit drifts and the flag is after start."""
    tp, fp, delays = 0, 0, []
    for unit, first in flags:
        size_start = truth["drift"].get(unit)
        if size_start and first >= size_start[1]:
            tp += 1
            delays.append((size_start[0], first - size_start[1]))
        else:
            fp += 1
    found = {unit for unit, first in flags if unit in truth["drift"]}
    # A planted drift never flagged counts as an infinite delay, so the median is not
    # flattered by leaving the misses out.
    delays += [(size, float("inf")) for u, (size, _s) in truth["drift"].items() if u not in found]
    clean_unit_periods = (units - len(truth["drift"])) * periods
    return {"tp": tp, "fp": fp, "n_true": len(truth["drift"]), "delays": delays,
            "clean": clean_unit_periods}  # fmt: skip


def naive_units(history: History, threshold: float) -> list[tuple[int, int]]:
    """Naive: flag a unit the first month its score falls below a fixed threshold twice running."""
    found = []
    for u in np.unique(history.unit_id):
        scores = history.percent[history.unit_id == u]
        low = (scores[1:] < threshold) & (scores[:-1] < threshold)
        if low.any():
            found.append((int(u) - 100, int(np.argmax(low)) + 1))
    return found


def naive_items(history: History, table: dict, ratio: float) -> list[tuple[str, int, int]]:
    """Naive: an item's rate in a scope in a month above `ratio` × its all-time org rate."""
    found = []
    company = {uid: path.split("/")[2] for uid, (_c, path, _l) in table.items() if uid >= 100}
    codes = {str(uid): code for uid, (code, _p, _l) in table.items()}
    scope_of = np.asarray([codes[company[int(u)]] for u in history.unit_id], dtype=object)
    by_pk = np.argsort(history.sub_pk)
    idx = by_pk[np.searchsorted(history.sub_pk[by_pk], history.fail_sub)]
    items = np.asarray([int(s[1:]) for s in history.fail_item])
    pidx = np.asarray([period_index(p) for p in history.period])
    T = len(history.periods)
    n_org = np.bincount(pidx, minlength=T).astype(float)
    rate_all = np.bincount(items, minlength=ITEMS) / len(history)
    for item in range(ITEMS):
        sel = items == item
        x = np.bincount(pidx[idx[sel]], minlength=T)
        for t in np.flatnonzero(x / n_org > ratio * rate_all[item])[:1]:
            found.append(("org", item, int(t)))
        for scope in np.unique(scope_of):
            in_scope = scope_of == scope
            n = np.bincount(pidx[in_scope], minlength=T).astype(float)
            xs = np.bincount(pidx[idx[sel & in_scope[idx]]], minlength=T)
            hit = np.flatnonzero((n > 0) & (xs / np.maximum(n, 1) > ratio * rate_all[item]))
            if len(hit):
                found.append((scope, item, int(hit[0])))
    return found


def score_items(flags: list[tuple[str, int, int]], truth: dict) -> dict:
    tp, fp, delays, hits = 0, 0, [], set()
    for scope, item, first in flags:
        key = ("org" if scope in ("G", "org") else scope, item)
        planted = truth["cross_unit"].get(key)
        if item == 0 and first >= 12:  # item 0 is bad everywhere: any scope counts
            planted = 12
        if planted is not None and first >= planted:
            tp += 1
            if key in truth["cross_unit"]:
                hits.add(key)
                delays.append(first - planted)
        else:
            fp += 1
    return {"tp": tp, "fp": fp, "found": len(hits), "n_true": len(truth["cross_unit"]),
            "delays": delays}  # fmt: skip


def run(units: int, periods: int, seeds: int) -> None:
    totals: dict[str, dict] = {}

    def add(name: str, result: dict) -> None:
        acc = totals.setdefault(name, {"tp": 0, "fp": 0, "n_true": 0, "found": 0, "delays": [],
                                       "clean": 0, "early": 0, "seeds": 0})  # fmt: skip
        for key in ("tp", "fp", "n_true", "found", "clean"):
            acc[key] += result.get(key, 0)
        acc["delays"] += result["delays"]
        acc["seeds"] += 1

    for seed in range(seeds):
        history, truth, table = generate(units, periods, seed)
        frame = frame_of(history)
        det = deterioration(frame, DEFAULTS["deterioration"])
        flags = [(d.unit_ids[0] - 100, period_index(d.first)) for d in det]
        add("deterioration", score_units(flags, truth, units, periods))
        out = outlier(frame, DEFAULTS["outlier"], lambda _v: ITEMS)
        flags = [(d.unit_ids[0] - 100, period_index(d.first)) for d in out]
        add("outlier", score_units(flags, truth, units, periods))
        cross = cross_unit(frame, DEFAULTS["cross_unit"], table)
        flags = [(table[d.scope_unit_id][0].replace("G", "org"), int(d.item_key[1:]),
                  period_index(d.first)) for d in cross]  # fmt: skip
        result = score_items(flags, truth)
        result["clean"] = (units - len(truth["drift"])) * periods
        add("cross_unit", result)
        totals["cross_unit"]["early"] += sum(1 for d in result["delays"] if d <= 1)
        add("naive drift (<75 % twice)", score_units(naive_units(history, 75.0), truth, units,
                                                      periods))  # fmt: skip
        naive = score_items(naive_items(history, table, 2.0), truth)
        naive["clean"] = (units - len(truth["drift"])) * periods
        add("naive items (rate > 2x)", naive)
    print(f"{units} units × {periods} periods × {ITEMS} items, {seeds} seeds")
    print(f"{'rule':28} {'prec':>6} {'recall':>7} {'delay 1σ':>9} {'delay 2σ':>9} "
          f"{'false/1000':>10}")  # fmt: skip
    for name, acc in totals.items():
        flagged = acc["tp"] + acc["fp"]
        precision = acc["tp"] / flagged if flagged else float("nan")
        if "found" in acc and acc["n_true"] and ("cross" in name or "items" in name):
            recall = acc["found"] / acc["n_true"]
        else:
            recall = acc["tp"] / acc["n_true"] if acc["n_true"] else float("nan")
        d1 = [d for s, d in acc["delays"] if s == 1.0] if acc["delays"] and isinstance(
            acc["delays"][0], tuple) else acc["delays"]  # fmt: skip
        d2 = [d for s, d in acc["delays"] if s == 2.0] if acc["delays"] and isinstance(
            acc["delays"][0], tuple) else []  # fmt: skip
        med = lambda v: f"{statistics.median(v):.1f}" if v else "-"  # noqa: E731  (inf: most missed)
        false_rate = 1000 * acc["fp"] / acc["clean"] if acc["clean"] else float("nan")
        print(f"{name:28} {precision:6.2f} {recall:7.2f} {med(d1):>9} {med(d2):>9} "
              f"{false_rate:10.2f}")  # fmt: skip
    acc = totals["cross_unit"]
    print(f"cross_unit: planted item problems found within 1 period of their start: "
          f"{acc['early']}/{acc['n_true']}")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=600)
    parser.add_argument("--periods", type=int, default=24)
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--full", action="store_true", help="2,000 units, 20 seeds")
    args = parser.parse_args()
    if args.full:
        args.units, args.seeds = 2000, 20
    run(args.units, args.periods, args.seeds)


if __name__ == "__main__":
    main()
