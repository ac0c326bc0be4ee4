"""Questionnaire decline: a unit's satisfaction index significantly below its earlier
campaigns or below the organisation, read only through surveys.aggregate. "Significantly"
is judged against how units differ and move anyway (Spiegelhalter's funnel plots with
additive overdispersion): a unit is flagged as an outlier among its peers. A drop too
small for one campaign to show is found as it persists, by testing the mean of the unit's
last campaigns against its campaigns before them (survey_runs).

The survey aggregation is the one place that applies the anonymity thresholds
(minimum group size, complementary suppression), so this rule sees exactly what the
results pages show: hidden groups have no numbers and are never tested, and the
evidence holds group figures only, never a response. The statistics (`declines`) work
on those figures alone, so bench/trend_quality.py runs the same code on simulated ones.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
from scipy import stats as sps
from sqlalchemy import select
from sqlalchemy.orm import Session

from dudao.core.database import utcnow
from dudao.definitions.models import DefinitionVersion, FormDefinition
from dudao.surveys.aggregate import Group, aggregate
from dudao.surveys.intervals import t95
from dudao.surveys.models import Campaign
from dudao.trends import stats, survey_runs
from dudao.trends.detection import Detection
from dudao.trends.survey_runs import DropTest, detection

# Fewer shown peers than this (units of one depth, or units shown in two campaigns running)
# say too little about the spread between units: τ² is taken as 0 then, the z-test on the
# sampling error alone.
MIN_PEERS = 5


@dataclass(frozen=True)
class Figures:
    """A shown group's satisfaction index as the results page gives it: mean, the 95 %
    interval, number of answers; `se` is the mean's standard error (nan if unknown)."""

    mean: float
    low: float
    high: float
    responses: int
    se: float
    depth: int  # below the campaign's scope: 0 the scope, 1 its children, …


@dataclass(frozen=True)
class Round:
    """One finished campaign of questionnaire `key` over a scope: the figures of its shown
    groups by unit id (the scope's own among them). Rounds of the same key and scope are
    compared in the order given."""

    key: str
    scope_unit_id: int
    campaign_id: int
    period: str  # the month the campaign closed, YYYY-MM
    period_label: str
    min_group: int
    groups: Mapping[int, Figures]


def _figures(group: Group) -> Figures:
    """A shown group's figures; the standard error from its t-based 95 % interval."""
    sat = group.satisfaction
    assert sat is not None
    n = group.responses or 0
    se = (sat.high - sat.low) / (2 * t95(n - 1)) if n >= 2 else float("nan")
    return Figures(sat.mean, sat.low, sat.high, n, se, group.depth)


def questionnaire_decline(session: Session, cfg: dict[str, Any], tz: str) -> list[Detection]:
    now = utcnow()
    rows = session.execute(
        select(Campaign, FormDefinition.key)
        .join(DefinitionVersion, DefinitionVersion.id == Campaign.definition_version_id)
        .join(FormDefinition, FormDefinition.id == DefinitionVersion.definition_id)
        .order_by(FormDefinition.key, Campaign.scope_unit_id, Campaign.closes_at, Campaign.id)
    ).all()
    rounds = []
    for campaign, key in rows:
        if not campaign.is_over(now):
            continue
        report = aggregate(session, campaign, items=False)
        if not report.final:
            continue
        groups = {g.unit_id: _figures(g) for g in report.groups if g.shown and g.satisfaction}
        period = campaign.closes_at.astimezone(ZoneInfo(tz)).strftime("%Y-%m")
        rounds.append(Round(key, campaign.scope_unit_id, campaign.id, period,
                            campaign.period_label, campaign.min_group, groups))  # fmt: skip
    return declines(rounds, cfg)


def declines(rounds: Iterable[Round], cfg: Mapping[str, Any]) -> list[Detection]:
    """Test every shown unit of every round against its own earlier campaigns of the same
    key and scope (the precision-weighted mean of its last cfg['baseline_campaigns']
    shown figures) and against the scope's own figure: one-sided z-tests whose variance
    adds to the sampling error the spread between units of that depth beyond it (τ², so
    that a unit is flagged as an outlier among its peers, not for being below the mean
    or for moving as units do), Benjamini–Hochberg at cfg['fdr'] over each campaign's
    tests (the batch the office reads when it closes), and a drop of cfg['min_drop'].
    Unless cfg['sustained_campaigns'] is 0 or 1, the mean of every shown unit's last 2 …
    cfg['sustained_campaigns'] shown campaigns is also tested against its shown campaigns
    before them, in the same family (survey_runs.sustained)."""
    tested: dict[tuple[str, int], int] = {}  # the latest campaign with tests, by key and scope
    earlier: dict[tuple[str, int], dict[int, list[tuple[Round, Figures]]]] = {}
    previous: dict[tuple[str, int], int] = {}  # the campaign before, by key and scope
    found: dict[str, tuple[tuple[str, int], Detection]] = {}
    keep = max(cfg["baseline_campaigns"], cfg["sustained_baseline"] + cfg["sustained_campaigns"])
    for r in rounds:
        scope = (r.key, r.scope_unit_id)
        history, prior = earlier.setdefault(scope, {}), previous.get(scope)
        root = r.groups.get(r.scope_unit_id)
        tests: list[DropTest] = []
        windows: list[DropTest] = []  # first: a unit's last rejected test is kept
        last = {u: h[-1][1] for u, h in history.items() if h[-1][0].campaign_id == prior}
        for peers in _peers(r).values():
            pairs = [(g, last[u]) for u, g in peers.items() if u in last]
            tau2_change = stats.between_variance(
                np.array([b.mean - g.mean for g, b in pairs]),
                np.array([np.hypot(b.se, g.se) for g, b in pairs]), at_least=MIN_PEERS,
            )  # fmt: skip
            tests += _against_earlier(r, peers, history, tau2_change, len(pairs),
                                      cfg["baseline_campaigns"])  # fmt: skip
            if cfg["sustained_campaigns"] > 1 and len(pairs) >= MIN_PEERS:
                windows += _sustained(r, peers, history, tau2_change / 2, len(pairs), cfg)
            if root is not None:
                tests += _compare(r, "organisation", [(u, g, root.mean, root.responses, {})
                                                      for u, g in peers.items()],
                                  [g.se for g in peers.values()])  # fmt: skip
            for unit_id, group in peers.items():
                kept = history.setdefault(unit_id, [])
                kept.append((r, group))
                del kept[:-keep]
        previous[scope] = r.campaign_id
        if tests or windows:
            tested[scope] = r.campaign_id
        for d in _flagged(windows + tests, cfg):
            old = found.get(d.fingerprint)
            found[d.fingerprint] = (scope, replace(d, first=old[1].first) if old else d)
    return [replace(d, active=tested[scope] == d.evidence["campaign_id"])
            for scope, d in found.values()]  # fmt: skip


def _flagged(tests: list[DropTest], cfg: Mapping[str, Any]) -> list[Detection]:
    """One campaign's tests: z, p, BH at cfg['fdr'] over them, min_drop; a detection for
    each unit rejected (its last test rejected, organisation after earlier campaigns)."""
    if not tests:
        return []
    diff = np.array([t.diff for t in tests])
    sd = np.sqrt(np.array([t.se**2 + t.tau2 for t in tests]))
    with np.errstate(invalid="ignore", divide="ignore"):
        z = diff / sd
        p = np.where(sd > 0, sps.norm.sf(z), 1.0) * [t.times for t in tests]
    p = np.minimum(np.nan_to_num(p, nan=1.0), 1.0)
    rejected, adjusted = stats.benjamini_hochberg(p, cfg["fdr"])
    rejected &= diff >= cfg["min_drop"]
    found: dict[int, Detection] = {}
    for i in np.flatnonzero(rejected):
        t = tests[i]
        r, group = t.round, t.group
        evidence = {
            "test": "one-sided z-test on the satisfaction index (95 % t intervals) against "
                    "the spread between units (tau2: Paule-Mandel, winsorised), BH over "
                    "the campaign's tests",
            "against": t.against, "campaign_id": r.campaign_id,
            "period_label": r.period_label, "index": group.mean,
            "interval_95": [group.low, group.high], "responses": group.responses,
            "reference": round(float(t.reference), 2),
            "reference_responses": t.reference_responses,
            "drop": round(float(t.diff), 2), "standard_error": round(float(t.se), 3),
            "tau2": round(t.tau2, 3), "peers": t.peers, "z": round(float(z[i]), 3),
            "p_value": float(p[i]), "q_value": float(adjusted[i]), "tests": len(tests),
            "min_group": r.min_group, **t.extra,
        }  # fmt: skip
        found[t.unit_id] = detection(r, t.unit_id, evidence, cfg)
    return list(found.values())


def _peers(r: Round) -> dict[int, dict[int, Figures]]:
    """The round's shown units other than the scope, by depth below it: the units whose
    spread a unit is judged against (branches with branches, companies with companies).
    Their standard errors are σ/√n with σ the depth's pooled within-unit sd, as a funnel
    plot for means has it: a group of 5 answers estimates its own sd too roughly for a
    z-test (by chance small, it made ordinary groups look significant)."""
    by_depth: dict[int, dict[int, Figures]] = {}
    for unit_id, group in r.groups.items():
        if unit_id != r.scope_unit_id:
            by_depth.setdefault(group.depth, {})[unit_id] = group
    for depth, peers in by_depth.items():
        usable = [g for g in peers.values() if g.responses >= 2 and np.isfinite(g.se)]
        df = sum(g.responses - 1 for g in usable)
        if df:
            var = sum((g.responses - 1) * g.responses * g.se**2 for g in usable) / df
            by_depth[depth] = {u: replace(g, se=float(np.sqrt(var / g.responses)))
                               for u, g in peers.items()}  # fmt: skip
    return by_depth


def _sustained(r: Round, peers: Mapping[int, Figures],
               history: Mapping[int, list[tuple[Round, Figures]]], tau2_w: float, pairs: int,
               cfg: Mapping[str, Any]) -> list[DropTest]:  # fmt: skip
    """Each unit's test of its last campaigns against those before (survey_runs); only
    campaigns with a known standard error take part."""
    tests = []
    for unit_id, group in peers.items():
        shown = [(b, g) for b, g in [*history.get(unit_id, []), (r, group)] if np.isfinite(g.se)]
        if shown and shown[-1][0] is r:
            t = survey_runs.sustained(r, unit_id, shown, tau2_w, pairs, cfg)
            tests += [t] if t else []
    return tests


def _against_earlier(r: Round, peers: Mapping[int, Figures],
                     history: Mapping[int, list[tuple[Round, Figures]]], tau2_change: float,
                     pairs: int, campaigns: int) -> list[DropTest]:  # fmt: skip
    """Each unit against the precision-weighted mean of its last `campaigns` shown figures.
    A unit's index in a campaign is its level + the campaign's own movement (variance
    τ²_w) + sampling error; τ²_w = τ²_change / 2, τ²_change the spread of the changes of
    the `pairs` units shown in this campaign and the one before beyond their sampling
    errors. Weights w_j ∝ 1/(se_j² + τ²_w), so the difference's variance is se² + τ²_w +
    1/Σ 1/(se_j² + τ²_w): sampling se² + Σw_j²·se_j², τ² = τ²_w·(1 + Σw_j²) — for one
    campaign se² + se_prev² + τ²_change, the previous-campaign test."""
    tau2_w = tau2_change / 2
    tests = []
    for unit_id, group in peers.items():
        before = history.get(unit_id, [])[-campaigns:]
        if not before:
            continue
        base = survey_runs.baseline(before, tau2_w)
        extra = {"baseline": base.evidence(), "tau2_change": round(tau2_change, 3)}
        tests += _compare(r, "earlier campaigns", [(unit_id, group, base.mean, base.responses,
                                                    extra)],
                          [float(np.sqrt(group.se**2 + base.sampling))],
                          tau2_w * (1 + base.wsq), pairs)  # fmt: skip
    return tests


def _compare(r: Round, against: str, pairs: list[tuple[int, Figures, float, int, dict]],
             se: list[float], tau2: float | None = None,
             peers: int | None = None) -> list[DropTest]:  # fmt: skip
    """One test per (unit, its figure, the reference's index and answers, evidence): the
    drop reference − figure, its sampling error `se`, and τ² — if not given, that of the
    drops of all these units beyond their sampling errors (0 with fewer than MIN_PEERS
    of them: too few to estimate a spread)."""
    diff = [ref - g.mean for _, g, ref, _, _ in pairs]
    if tau2 is None:
        tau2 = stats.between_variance(np.array(diff), np.array(se), at_least=MIN_PEERS)
    peers = len(pairs) if peers is None else peers
    return [DropTest(r, u, g, against, ref, n, extra, d, s, tau2, peers)
            for (u, g, ref, n, extra), d, s in zip(pairs, diff, se, strict=True)]  # fmt: skip
