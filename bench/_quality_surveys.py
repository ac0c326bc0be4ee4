"""Questionnaire history for bench/trend_quality.py, and rule 6 run and scored on it.

Quarterly satisfaction campaigns over the whole organisation (closing in the third month
of each quarter; 8 in 24 months). Every branch has 5–60 members and answers at its own
rate (60–100 % of them each campaign). A respondent answers six satisfaction items on a
1–5 scale, rounded from a person level (the branch's level + person sd 0.7) plus item
noise (sd 0.6); the index is their mean scaled to 0–100 as definitions.scoring does
(person-level sd about 17 points, mean about 71). Branch levels differ by sd 0.25 on the
1–5 scale (5.5 index points: an intraclass correlation of about 0.1, usual for work
groups) and move by sd 0.1 from one campaign to the next. A planted drop lowers the
level of 2 % of the branches (none of them drifting in the inspections) by 0.4 — about
9 index points, half a person-level sd — from a random campaign in the second half.
Groups are hidden exactly as the results pages hide them (surveys.suppression at the
default minimum group size, 5), and rule 6 runs on the shown groups' figures through
rules_surveys.declines, the function `dudao analyze` runs on surveys.aggregate's.
"""

from __future__ import annotations

import itertools
from dataclasses import replace

import numpy as np
from scipy import stats as sps

from dudao.definitions.spec import Definition
from dudao.surveys.intervals import t95
from dudao.surveys.suppression import Tree, suppress
from dudao.trends.rules_surveys import Figures, Round, declines

MONTHS = 3  # a campaign a quarter
ITEMS = 6
LEVEL, UNIT_SD, WAVE_SD, PERSON_SD, ITEM_SD = 3.9, 0.25, 0.1, 0.7, 0.6
DROP = 0.4  # about 9 index points
NAIVE_DROPS = (5.0, 7.5, 10.0, 12.5, 15.0, 20.0, 25.0, 30.0)  # "index down ≥ X since last time"


def generate(units: int, periods: int, seed: int, company: np.ndarray, drifting: set[int],
             names: list[str], drop: float = DROP) -> tuple[list[Round], dict]:  # fmt: skip
    """Rounds of shown group figures (unit ids as in the inspection history: branch u is
    100 + u, company c is 2 + c, the organisation 1) and the truth: drops and levels.
    `drop` on the 1–5 scale (0.4 about 9 index points, 0.8 about 19, 1.2 about 29)."""
    rng = np.random.default_rng([seed, 6])  # its own stream: the inspections stay as before
    members = rng.integers(5, 61, units)
    rate = rng.uniform(0.6, 1.0, units)
    level = LEVEL + rng.normal(0, UNIT_SD, units)
    campaigns = periods // MONTHS
    clean = np.setdiff1d(np.arange(units), sorted(drifting))
    dropping = rng.choice(clean, max(1, units // 50), replace=False)
    start = np.full(units, campaigns)
    start[dropping] = rng.integers(campaigns // 2, campaigns, len(dropping))
    companies = int(company.max()) + 1
    children = {2 + c: [100 + int(u) for u in np.flatnonzero(company == c)]
                for c in range(companies)}  # fmt: skip
    tree = Tree(1, {1: list(children), **children})
    rounds = []
    for c in range(campaigns):
        n = rng.binomial(members, rate)
        mean = level + rng.normal(0, WAVE_SD, units) - drop * (c >= start)
        who = np.repeat(np.arange(units), n)
        person = mean[who] + rng.normal(0, PERSON_SD, len(who))
        item = person[:, None] + rng.normal(0, ITEM_SD, (len(who), ITEMS))
        index = 25.0 * (np.clip(np.rint(item), 1, 5).mean(axis=1) - 1)
        hidden = suppress(tree, {100 + u: int(k) for u, k in enumerate(n)}, Definition.min_group)
        groups: dict[int, Figures] = {}
        for depth, keys in enumerate((np.ones(len(who), dtype=int), 2 + company[who], 100 + who)):
            groups |= _figures(keys, index, set(hidden), depth)
        month = min(MONTHS * c + MONTHS - 1, periods - 1)
        rounds.append(Round("satisfaction", 1, c, names[month], f"Q{c + 1}",
                            Definition.min_group, groups))  # fmt: skip
    truth = {"drop": {int(u): int(start[u]) for u in dropping}, "expected": expected(level),
             "weight": members * rate}  # fmt: skip
    return rounds, truth


def _figures(keys: np.ndarray, index: np.ndarray, hidden: set[int],
             depth: int) -> dict[int, Figures]:  # fmt: skip
    """Mean (to 0.1, as shown), t interval and standard error of each group with answers."""
    ids, inverse, n = np.unique(keys, return_inverse=True, return_counts=True)
    total = np.bincount(inverse, index)
    mean = total / n
    var = (np.bincount(inverse, index**2) - n * mean**2) / np.maximum(n - 1, 1)
    se = np.where(n >= 2, np.sqrt(np.maximum(var, 0) / n), np.nan)
    out = {}
    for g, m, s, k in zip(ids.tolist(), mean.tolist(), se.tolist(), n.tolist(), strict=True):
        if g in hidden:
            continue
        half = t95(k - 1) * s if k >= 2 else 0.0
        out[g] = Figures(round(m, 1), round(max(0.0, m - half), 1),
                         round(min(100.0, m + half), 1), k, s, depth)  # fmt: skip
    return out


def expected(level: np.ndarray) -> np.ndarray:
    """A branch's expected index at its level: 25 · Σ_j P(item answer > j), j = 1..4."""
    sd = np.hypot(PERSON_SD, ITEM_SD)
    return 25.0 * sps.norm.sf((np.arange(1, 5)[None, :] + 0.5 - level[:, None]) / sd).sum(axis=1)


def results(rounds: list[Round], truth: dict, units: int, periods: int, cfg: dict) -> dict:
    """Rule 6 scored; the same with only the comparisons with earlier campaigns (the
    rounds without the organisation's own figure), and with the single-campaign
    z-tests alone (sustained_campaigns 0); the naive rule at every threshold."""
    rule, min_drop = cfg["questionnaire_decline"], cfg["questionnaire_decline"]["min_drop"]
    alone = [replace(r, groups={u: g for u, g in r.groups.items() if u != 1}) for r in rounds]
    out: dict = {
        "questionnaire_decline": flags(rounds, rule),
        "questionnaire, earlier only": flags(alone, rule),
        "questionnaire, single campaigns": flags(rounds, rule | {"sustained_campaigns": 0}),
    }
    out |= {("survey", points): naive(rounds, points) for points in NAIVE_DROPS}
    return {k: score(found, truth, units, periods, min_drop) for k, found in out.items()}


def flags(rounds: list[Round], cfg: dict) -> list[tuple[int, int]]:
    """Rule 6 on the rounds: (branch index or −1 for a company, first campaign flagged)."""
    campaign = {r.period: r.campaign_id for r in rounds}
    return [(d.unit_ids[0] - 100 if d.unit_ids[0] >= 100 else -1, campaign[d.first])
            for d in declines(rounds, cfg)]  # fmt: skip


def naive(rounds: list[Round], points: float) -> list[tuple[int, int]]:
    """Naive: a branch's shown index down by at least `points` since the previous campaign."""
    first: dict[int, int] = {}
    for before, now in itertools.pairwise(rounds):
        for unit, g in now.groups.items():
            prior = before.groups.get(unit)
            if unit >= 100 and prior and prior.mean - g.mean >= points and unit not in first:
                first[unit] = now.campaign_id
    return [(u - 100, c) for u, c in first.items()]


def score(found: list[tuple[int, int]], truth: dict, units: int, periods: int,
          min_drop: float) -> dict:  # fmt: skip
    """TP: a flag on a dropped branch from its drop on; every other flag is false. `low`
    counts the false ones on branches whose expected index is `min_drop` or more below
    the organisation's (what the comparison with the organisation is there to find)."""
    drop, level = truth["drop"], truth["expected"]
    org = np.average(level, weights=truth["weight"])
    tp = [(u, c) for u, c in found if u in drop and c >= drop[u]]
    false = [u for u, c in found if (u, c) not in tp]
    hit = {u: c - drop[u] for u, c in tp}
    delays = [float(hit.get(u, np.inf)) for u in drop]
    return {"tp": len(tp), "fp": len(false), "n_true": len(drop), "delays": delays,
            "clean": (units - len(drop)) * periods,
            "low": sum(u >= 0 and level[u] <= org - min_drop for u in false)}  # fmt: skip
