"""Item rules: critical failures, recurring failures and cross-unit problems (倾向性问题)."""

from __future__ import annotations

from typing import Any

import numpy as np

from dudao.trends import stats
from dudao.trends.detection import Detection, Frame, ids


def _runs(keys: np.ndarray, ranks: np.ndarray) -> np.ndarray:
    """Length of the run of consecutive ranks ending at each row (rows sorted by key, rank)."""
    n = len(keys)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    same = np.r_[False, (keys[1:] == keys[:-1]) & (ranks[1:] == ranks[:-1] + 1)]
    start = np.where(~same, np.arange(n), 0)
    start = np.maximum.accumulate(start)
    return np.arange(n) - start + 1


def item_failures(frame: Frame, rule: str, cfg: dict[str, Any], critical_only: bool,
                  need: int) -> list[Detection]:  # fmt: skip
    """Critical (need = 1, critical items) or recurring (need = N consecutive) failures."""
    h = frame.history
    keep = h.fail_critical if critical_only else np.ones(len(h.fail_sub), dtype=bool)
    idx = frame.fail_index[keep]
    item = frame.fail_item_code[keep]
    group = frame.group[idx]
    rank = frame.rank[idx]
    nitems = max(len(frame.items), 1)
    key = group * nitems + item
    order = np.lexsort((rank, key))
    idx, key, rank, group, item = idx[order], key[order], rank[order], group[order], item[order]
    run = _runs(key, rank)
    hit = run >= need
    found: list[Detection] = []
    hit_keys, first_rows = np.unique(key[hit], return_index=True)
    hit_rows = np.flatnonzero(hit)
    for k, first_row in zip(hit_keys, hit_rows[first_rows], strict=True):
        rows = hit_rows[key[hit_rows] == k]
        g, it = int(group[first_row]), frame.items[item[first_row]]
        last_row = rows[-1]
        active = rank[last_row] == frame.last_rank[g]
        latest = np.arange(last_row - run[last_row] + 1, last_row + 1)
        unit = int(frame.group_unit[g])
        definition = frame.group_def[g]
        found.append(Detection(
            rule=rule, fingerprint=f"{rule}:{unit}:{definition}:{it}", severity=cfg["severity"],
            scope_unit_id=unit, unit_ids=[unit], first=h.periods[frame.pidx[idx[first_row]]],
            last=h.periods[frame.pidx[idx[last_row]]], active=bool(active),
            item_key=str(it), definition_key=str(definition),
            evidence={
                "test": "critical item failed" if critical_only else f"{need} consecutive failures",
                "consecutive": int(run[last_row]), "occurrences": len(rows),
                "inspection_ids": ids(h.inspection_id[idx[latest]]),
                "submission_ids": ids(h.sub_pk[idx[latest]]),
                "periods": sorted({h.periods[p] for p in frame.pidx[idx[latest]]}),
            },
        ))  # fmt: skip
    return found


def _scopes(units: dict[int, tuple[str, str, str]], levels: list[str]) -> dict[int, list[int]]:
    """unit id -> the scope units (at `levels`) it lies in."""
    scope_ids = {uid for uid, (_c, _p, level) in units.items() if level in levels}
    return {
        uid: [int(a) for a in path.strip("/").split("/") if a and int(a) in scope_ids]
        for uid, (_c, path, _l) in units.items()
    }


def _baseline_start(usable: np.ndarray, periods: int) -> np.ndarray:
    """Where the baseline begins: with `usable` the running count of usable periods up to
    the window, the first index after which the last `periods` of them lie (0 when there
    are fewer)."""
    target = usable[..., -1] - periods
    return (usable < target[..., None]).sum(axis=-1)


def _at(running: np.ndarray, index: np.ndarray) -> np.ndarray:
    """Each cell's running sum at its own index (the last axis)."""
    return np.take_along_axis(running, index[..., None], axis=-1)[..., 0]


def _baseline_months(usable: np.ndarray, present: np.ndarray, end: int,
                     periods: int) -> tuple[list[int], list[int]]:  # fmt: skip
    """The periods of one cell's baseline before a window starting at `end` (`usable`: its
    running count of usable periods, `present`: the periods with inspections), and the
    periods with inspections left out because they were flagged: between the baseline's
    first period and the window, or since the start when the baseline is not full."""
    kept = np.diff(usable[: end + 1]) > 0
    lo = int(_baseline_start(usable[: end + 1], periods))
    used = [int(k) for k in np.flatnonzero(kept) if k >= lo]
    since = used[0] if len(used) == periods else 0
    return used, [k for k in range(since, end) if present[k] and not kept[k]]


def cross_unit(frame: Frame, cfg: dict[str, Any],
               units: dict[int, tuple[str, str, str]]) -> list[Detection]:  # fmt: skip
    """Per scope × definition × item × period and window (the last 1, 2, … periods): exact
    binomial test of the window's failures against the scope's own periods before it; BH
    across all tests at the end of a period."""
    h = frame.history
    T = len(h.periods)
    if not len(h) or not len(h.fail_sub) or T < 2:
        return []
    scope_of = _scopes(units, cfg["levels"])
    # Expand submissions to (scope) rows: inspections per scope × definition × period.
    sub_scopes = [scope_of.get(int(u), []) for u in h.unit_id]
    reps = np.fromiter((len(s) for s in sub_scopes), dtype=np.int64, count=len(h))
    scope_flat = np.fromiter((x for s in sub_scopes for x in s), dtype=np.int64, count=reps.sum())
    sub_rep = np.repeat(np.arange(len(h)), reps)
    defs, def_code = np.unique(h.definition, return_inverse=True)
    scopes, scope_code = np.unique(scope_flat, return_inverse=True)
    S, D, I = len(scopes), len(defs), len(frame.items)  # noqa: E741
    n = np.zeros((S, D, T))
    np.add.at(n, (scope_code, def_code[sub_rep], frame.pidx[sub_rep]), 1)
    # Failures per scope × definition × item × period.
    f_sub = frame.fail_index
    f_reps = reps[f_sub]
    f_rep = np.repeat(np.arange(len(f_sub)), f_reps)
    f_scope = np.searchsorted(
        scopes,
        np.concatenate([np.asarray(sub_scopes[i], dtype=np.int64) for i in f_sub])
        if len(f_sub)
        else [],
    )
    x = np.zeros((S, D, I, T))
    np.add.at(x, (f_scope, def_code[f_sub[f_rep]], frame.fail_item_code[f_rep],
                  frame.pidx[f_sub[f_rep]]), 1)  # fmt: skip
    nn = np.broadcast_to(n[:, :, None, :], x.shape)
    windows = [int(w) for w in cfg["windows"]]
    shape = (len(windows), *x.shape)
    bx, bn, p0 = (np.zeros(shape) for _ in range(3))
    p, padj = np.ones(shape), np.ones(shape)
    tested, reject = np.zeros(shape, dtype=bool), np.zeros(shape, dtype=bool)
    # The windows (the last w periods) do not depend on what was flagged: all at once.
    cx = np.concatenate([np.zeros((*x.shape[:3], 1)), np.cumsum(x, axis=3)], axis=3)
    cn = np.concatenate([np.zeros((*nn.shape[:3], 1)), np.cumsum(nn, axis=3)], axis=3)
    t = np.arange(T)
    ends = [np.maximum(t + 1 - w, 0) for w in windows]
    wx = np.stack([cx[..., 1:] - cx[..., end] for end in ends])
    wn = np.stack([cn[..., 1:] - cn[..., end] for end in ends])
    with np.errstate(invalid="ignore", divide="ignore"):
        wrate = np.where(wn > 0, wx / wn, 0.0)
    # The baseline: the last `baseline_periods` periods with data before the window that
    # were not flagged themselves, so a problem that persists is not absorbed into its
    # own baseline (and marked "no longer detected" while it goes on). Running sums over
    # those periods, filled in as each period is decided.
    usable = np.zeros((*x.shape[:3], T + 1))
    ux, un = np.zeros_like(usable), np.zeros_like(usable)
    for t in range(T):
        for j, w in enumerate(windows):
            end = t + 1 - w
            if end < 0:
                continue
            lo = _baseline_start(usable[..., : end + 1], int(cfg["baseline_periods"]))
            bx[j, ..., t], bn[j, ..., t] = ux[..., end] - _at(ux, lo), un[..., end] - _at(un, lo)
            p0[j, ..., t] = (bx[j, ..., t] + 0.5) / (bn[j, ..., t] + 1.0)
            periods = usable[..., end] - _at(usable, lo)
            tested[j, ..., t] = (nn[..., t] > 0) & (periods >= cfg["min_baseline_periods"])
        # Conditional exact binomial test of the window against its baseline (the baseline
        # is an estimate, not a known rate): given x + X failures in all, under "no change"
        # the window's share is Binomial(x + X, n / (n + N)).
        a, b, m, big_n = (v[..., t][tested[..., t]] for v in (wx, bx, wn, bn))
        p[..., t][tested[..., t]] = stats.binomial_p_greater(a, a + b, m / (m + big_n))
        # BH at the end of the period over the windows × items × scopes tested, in two
        # families: do the problems flagged last period go on, and did anything new
        # appear. In one family the problems that go on, rejected again every period,
        # would loosen the threshold for new ones for as long as they last (BH admits
        # more the more it rejects): false new flags would grow with the history.
        going_on = reject[..., t - 1].any(axis=0) if t else np.zeros(x.shape[:3], dtype=bool)
        for family in (going_on, ~going_on):
            mask = tested[..., t] & family
            if mask.any():
                rej, adj = stats.benjamini_hochberg(p[..., t][mask], cfg["fdr"])
                padj[..., t][mask], reject[..., t][mask] = adj, rej
        reject[..., t] &= (wx[..., t] >= cfg["min_failures"]) & (
            wrate[..., t] >= cfg["min_ratio"] * p0[..., t]
        )
        kept = (nn[..., t] > 0) & ~reject[..., t].any(axis=0)
        usable[..., t + 1] = usable[..., t] + kept
        ux[..., t + 1] = ux[..., t] + np.where(kept, x[..., t], 0.0)
        un[..., t + 1] = un[..., t] + np.where(kept, nn[..., t], 0.0)
    # Per scope × item × period, the window with the smallest adjusted p stands for it.
    best = np.argmin(np.where(reject, padj, np.inf), axis=0)
    pick = lambda a: np.take_along_axis(a, best[None], axis=0)[0]  # noqa: E731
    wx, wn, bx, bn, p, padj, p0, wrate = (pick(a) for a in (wx, wn, bx, bn, p, padj, p0, wrate))
    width = np.asarray(windows)[best]
    reject = reject.any(axis=0)
    found = []
    for s, d, i in zip(*np.nonzero(reject.any(axis=3)), strict=True):
        when = np.flatnonzero(reject[s, d, i])
        last = int(when[-1])
        w = int(width[s, d, i, last])
        f_period = frame.pidx[f_sub[f_rep]]
        in_window = (f_period > last - w) & (f_period <= last)
        in_last = (f_scope == s) & (def_code[f_sub[f_rep]] == d) & (
            frame.fail_item_code[f_rep] == i) & in_window  # fmt: skip
        subs = f_sub[f_rep][in_last]
        lo_ci, hi_ci = stats.wilson(wx[s, d, i, last], wn[s, d, i, last])
        scope, item, definition = int(scopes[s]), str(frame.items[i]), str(defs[d])
        affected = sorted({int(u) for u in h.unit_id[subs]})
        used, left_out = _baseline_months(usable[s, d, i], nn[s, d, i] > 0, last + 1 - w,
                                          int(cfg["baseline_periods"]))  # fmt: skip
        # The series shows the last 12 periods, and the whole baseline the legend names.
        window = slice(min([max(0, last - 11), *used[:1]]), last + 1)
        found.append(Detection(
            rule="cross_unit", fingerprint=f"cross_unit:{scope}:{definition}:{item}",
            severity=cfg["severity"], scope_unit_id=scope, unit_ids=affected,
            first=h.periods[int(when[0])], last=h.periods[last], active=bool(last == T - 1),
            item_key=item, definition_key=definition,
            evidence={
                "test": "conditional exact binomial (window vs baseline), one-sided, BH",
                "period": h.periods[last], "window_periods": w,
                "failures": int(wx[s, d, i, last]), "inspections": int(wn[s, d, i, last]),
                "rate": round(float(wrate[s, d, i, last]), 4),
                # The observed X/N; the ratio check uses (X + ½)/(N + 1), which a baseline
                # without failures cannot make infinite.
                "baseline_rate": round(float(bx[s, d, i, last] / bn[s, d, i, last]), 4),
                "baseline_failures": int(bx[s, d, i, last]),
                "baseline_inspections": int(bn[s, d, i, last]),
                "baseline_months": [h.periods[used[0]], h.periods[used[-1]]] if used else [],
                "baseline_left_out": [h.periods[k] for k in left_out],
                "wilson_95": [round(float(lo_ci), 4), round(float(hi_ci), 4)],
                "p_value": float(p[s, d, i, last]), "q_value": float(padj[s, d, i, last]),
                "fdr": cfg["fdr"], "periods": h.periods[window],
                "failures_series": [int(v) for v in x[s, d, i, window]],
                "inspections_series": [int(v) for v in nn[s, d, i, window]],
                "unit_codes": [units[u][0] for u in affected if u in units],
                "inspection_ids": ids(h.inspection_id[subs]),
            },
        ))  # fmt: skip
    return found
