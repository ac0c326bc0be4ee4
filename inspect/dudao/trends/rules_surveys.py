"""Questionnaire decline: a unit's satisfaction index significantly below its previous
campaign or below the organisation, read only through surveys.aggregate.

The survey aggregation is the one place that applies the anonymity thresholds
(minimum group size, complementary suppression), so this rule sees exactly what the
results pages show: hidden groups have no numbers and are never tested, and the
evidence holds group figures only, never a response. The statistics (`declines`) work
on those figures alone, so bench/trend_quality.py runs the same code on simulated ones.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
from scipy import stats as sps
from sqlalchemy import select
from sqlalchemy.orm import Session

from dudao.core.database import utcnow
from dudao.definitions.models import DefinitionVersion, FormDefinition
from dudao.org.models import Unit
from dudao.surveys.aggregate import Group, aggregate, t95
from dudao.surveys.models import Campaign
from dudao.trends import stats
from dudao.trends.detection import Detection


@dataclass(frozen=True)
class Figures:
    """A shown group's satisfaction index as the results page gives it: mean, the 95 %
    interval, number of answers; `se` is the mean's standard error (nan if unknown)."""

    mean: float
    low: float
    high: float
    responses: int
    se: float


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
    return Figures(sat.mean, sat.low, sat.high, n, se)


def questionnaire_decline(session: Session, cfg: dict[str, Any], tz: str,
                          scope_path: str | None = None) -> list[Detection]:  # fmt: skip
    now = utcnow()
    rows = session.execute(
        select(Campaign, FormDefinition.key)
        .join(DefinitionVersion, DefinitionVersion.id == Campaign.definition_version_id)
        .join(FormDefinition, FormDefinition.id == DefinitionVersion.definition_id)
        .order_by(FormDefinition.key, Campaign.scope_unit_id, Campaign.closes_at)
    ).all()
    rounds = []
    for campaign, key in rows:
        if not campaign.is_over(now):
            continue
        report = aggregate(session, campaign)
        if not report.final:
            continue
        groups = {g.unit_id: _figures(g) for g in report.groups if g.shown and g.satisfaction}
        period = campaign.closes_at.astimezone(ZoneInfo(tz)).strftime("%Y-%m")
        rounds.append(Round(key, campaign.scope_unit_id, campaign.id, period,
                            campaign.period_label, campaign.min_group, groups))  # fmt: skip
    found = declines(rounds, cfg)
    if scope_path:
        paths = dict(session.execute(select(Unit.id, Unit.path)).all())
        found = [d for d in found if paths.get(d.scope_unit_id, "").startswith(scope_path)]
    return found


def declines(rounds: Iterable[Round], cfg: Mapping[str, Any]) -> list[Detection]:
    """Test every shown unit of every round against its figure in the previous round of
    the same key and scope and against the scope's own figure (one-sided z-tests),
    Benjamini–Hochberg at cfg['fdr'] over all of them, and a drop of cfg['min_drop']."""
    tests: list[dict[str, Any]] = []
    previous: dict[tuple[str, int], Mapping[int, Figures]] = {}
    for r in rounds:
        root = r.groups.get(r.scope_unit_id)
        before = previous.get((r.key, r.scope_unit_id), {})
        for unit_id, group in r.groups.items():
            if unit_id == r.scope_unit_id:
                continue
            base = {"round": r, "unit_id": unit_id, "group": group}
            prior = before.get(unit_id)
            if prior is not None:
                tests.append({**base, "against": "previous campaign", "reference": prior,
                              "diff": prior.mean - group.mean,
                              "se": np.hypot(prior.se, group.se)})  # fmt: skip
            if root is not None:
                tests.append({**base, "against": "organisation", "reference": root,
                              "diff": root.mean - group.mean, "se": group.se})  # fmt: skip
        previous[(r.key, r.scope_unit_id)] = r.groups
    if not tests:
        return []
    diff = np.array([t["diff"] for t in tests])
    se = np.array([t["se"] for t in tests])
    with np.errstate(invalid="ignore", divide="ignore"):
        p = np.where(se > 0, sps.norm.sf(diff / se), 1.0)
    p = np.nan_to_num(p, nan=1.0)
    rejected, adjusted = stats.benjamini_hochberg(p, cfg["fdr"])
    rejected &= diff >= cfg["min_drop"]
    latest = {(t["round"].key, t["round"].scope_unit_id): t["round"].campaign_id for t in tests}
    found: dict[str, Detection] = {}
    for i in np.flatnonzero(rejected):
        t = tests[i]
        r, group, unit_id = t["round"], t["group"], t["unit_id"]
        fingerprint = f"questionnaire_decline:{unit_id}:{r.key}"
        evidence = {
            "test": "one-sided z-test on the satisfaction index (95 % t intervals), BH",
            "against": t["against"], "campaign_id": r.campaign_id,
            "period_label": r.period_label, "index": group.mean,
            "interval_95": [group.low, group.high], "responses": group.responses,
            "reference": t["reference"].mean, "reference_responses": t["reference"].responses,
            "drop": round(float(t["diff"]), 2), "p_value": float(p[i]),
            "q_value": float(adjusted[i]), "min_group": r.min_group,
        }  # fmt: skip
        old = found.get(fingerprint)
        found[fingerprint] = Detection(
            rule="questionnaire_decline", fingerprint=fingerprint, severity=cfg["severity"],
            scope_unit_id=unit_id, unit_ids=[unit_id],
            first=old.first if old else r.period, last=r.period,
            active=latest[(r.key, r.scope_unit_id)] == r.campaign_id,
            definition_key=r.key, evidence=evidence,
        )  # fmt: skip
    return list(found.values())
