"""Questionnaire decline: a unit's satisfaction index significantly below its previous
campaign or below the organisation, read only through surveys.aggregate.

The survey aggregation is the one place that applies the anonymity thresholds
(minimum group size, complementary suppression), so this rule sees exactly what the
results pages show: hidden groups have no numbers and are never tested, and the
evidence holds group figures only, never a response.
"""

from __future__ import annotations

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


def _se(group: Group) -> float:
    """Standard error of a group's mean index from its t-based 95 % interval."""
    sat = group.satisfaction
    n = group.responses or 0
    if sat is None or n < 2:
        return float("nan")
    return (sat.high - sat.low) / (2 * t95(n - 1))


def questionnaire_decline(session: Session, cfg: dict[str, Any], tz: str,
                          scope_path: str | None = None) -> list[Detection]:  # fmt: skip
    now = utcnow()
    rows = session.execute(
        select(Campaign, FormDefinition.key)
        .join(DefinitionVersion, DefinitionVersion.id == Campaign.definition_version_id)
        .join(FormDefinition, FormDefinition.id == DefinitionVersion.definition_id)
        .order_by(FormDefinition.key, Campaign.scope_unit_id, Campaign.closes_at)
    ).all()
    tests: list[dict[str, Any]] = []
    previous: dict[tuple[str, int], dict[int, Group]] = {}
    for campaign, key in rows:
        if not campaign.is_over(now):
            continue
        report = aggregate(session, campaign)
        if not report.final:
            continue
        shown = {g.unit_id: g for g in report.groups if g.shown and g.satisfaction is not None}
        root = shown.get(campaign.scope_unit_id)
        before = previous.get((key, campaign.scope_unit_id), {})
        period = campaign.closes_at.astimezone(ZoneInfo(tz)).strftime("%Y-%m")
        for unit_id, group in shown.items():
            if unit_id == campaign.scope_unit_id:
                continue
            base = {"campaign": campaign, "key": key, "group": group, "period": period}
            prior = before.get(unit_id)
            if prior is not None:
                diff = prior.satisfaction.mean - group.satisfaction.mean
                se = np.hypot(_se(prior), _se(group))
                tests.append({**base, "against": "previous campaign", "diff": diff, "se": se,
                              "reference": prior.satisfaction.mean,
                              "reference_n": prior.responses})  # fmt: skip
            if root is not None:
                diff = root.satisfaction.mean - group.satisfaction.mean
                tests.append({**base, "against": "organisation", "diff": diff, "se": _se(group),
                              "reference": root.satisfaction.mean,
                              "reference_n": root.responses})  # fmt: skip
        previous[(key, campaign.scope_unit_id)] = shown
    if not tests:
        return []
    diff = np.array([t["diff"] for t in tests])
    se = np.array([t["se"] for t in tests])
    with np.errstate(invalid="ignore", divide="ignore"):
        p = np.where(se > 0, sps.norm.sf(diff / se), 1.0)
    p = np.nan_to_num(p, nan=1.0)
    rejected, adjusted = stats.benjamini_hochberg(p, cfg["fdr"])
    rejected &= diff >= cfg["min_drop"]
    latest = {(t["key"], t["campaign"].scope_unit_id): t["campaign"].id for t in tests}
    paths = dict(session.execute(select(Unit.id, Unit.path)).all()) if scope_path else {}
    found: dict[str, Detection] = {}
    for i in np.flatnonzero(rejected):
        t = tests[i]
        group, campaign = t["group"], t["campaign"]
        if scope_path and not paths.get(group.unit_id, "").startswith(scope_path):
            continue
        fingerprint = f"questionnaire_decline:{group.unit_id}:{t['key']}"
        evidence = {
            "test": "one-sided z-test on the satisfaction index (95 % t intervals), BH",
            "against": t["against"], "campaign_id": campaign.id,
            "period_label": campaign.period_label, "index": group.satisfaction.mean,
            "interval_95": [group.satisfaction.low, group.satisfaction.high],
            "responses": group.responses, "reference": t["reference"],
            "reference_responses": t["reference_n"], "drop": round(float(t["diff"]), 2),
            "p_value": float(p[i]), "q_value": float(adjusted[i]), "min_group": campaign.min_group,
        }  # fmt: skip
        old = found.get(fingerprint)
        found[fingerprint] = Detection(
            rule="questionnaire_decline", fingerprint=fingerprint, severity=cfg["severity"],
            scope_unit_id=group.unit_id, unit_ids=[group.unit_id],
            first=old.first if old else t["period"], last=t["period"],
            active=latest[(t["key"], campaign.scope_unit_id)] == campaign.id,
            definition_key=t["key"], evidence=evidence,
        )  # fmt: skip
    return list(found.values())
