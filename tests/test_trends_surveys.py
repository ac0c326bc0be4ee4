"""Questionnaire decline: read through the survey aggregation, thresholds respected."""

from __future__ import annotations

import random
import uuid
from datetime import timedelta

import numpy as np
import pytest
from scipy import stats as sps
from sqlalchemy import select

from dudao.core.database import utcnow
from dudao.surveys.models import Response
from dudao.trends import stats
from dudao.trends.models import Flag
from dudao.trends.rules_surveys import Round, declines
from dudao.trends.services import analyze
from tests.decline_world import CFG, SPREAD, branches, rounds, shown
from tests.survey_world import campaign_for, close
from tests.trend_world import TODAY, TZ

ITEMS = ("sat_leadership", "sat_meetings", "sat_members", "sat_service", "sat_openness",
         "sat_integrity")  # fmt: skip


def responses(session, campaign, unit, count, level, rng) -> None:
    for _ in range(count):
        answers = {key: max(1, min(5, level + rng.choice([-1, 0, 0, 1]))) for key in ITEMS}
        session.add(Response(id=str(uuid.uuid4()), campaign_id=campaign.id, unit_id=unit.id,
                             period_label=campaign.period_label, answers=answers))  # fmt: skip


def campaign(session, org, days_ago: int, levels: dict, rng):
    made = campaign_for(session, org.group)
    made.opens_at = utcnow() - timedelta(days=days_ago + 10)
    made.closes_at = utcnow() - timedelta(days=days_ago)
    for unit, (count, level) in levels.items():
        responses(session, made, getattr(org, unit), count, level, rng)
    session.commit()
    return close(session, made)


def test_decline_against_previous_campaign(session, org) -> None:
    rng = random.Random(2)
    before = {"branch_a1": (30, 4), "branch_a2": (30, 4), "branch_b1": (30, 4)}
    campaign(session, org, 60, before, rng)
    after = {"branch_a1": (30, 2), "branch_a2": (30, 4), "branch_b1": (30, 4)}
    campaign(session, org, 5, after, rng)
    analyze(session, TZ, today=TODAY, rules=("questionnaire_decline",))
    session.commit()
    found = list(session.scalars(select(Flag).where(Flag.rule == "questionnaire_decline")))
    codes = {tuple(f.unit_codes) for f in found}
    assert ("A1-1",) in codes
    assert ("A1-2",) not in codes
    assert ("B1-1",) not in codes
    flag = next(f for f in found if f.unit_codes == ["A1-1"])
    ev = flag.evidence
    assert ev["drop"] >= 5 and ev["q_value"] <= 0.01 and ev["responses"] == 30
    assert "response" not in str(ev).replace("responses", "")  # figures only, no answers


def test_no_flag_without_a_real_drop(session, org) -> None:
    rng = random.Random(3)
    levels = {"branch_a1": (20, 4), "branch_a2": (20, 4), "branch_b1": (20, 4)}
    campaign(session, org, 60, levels, rng)
    campaign(session, org, 5, levels, rng)
    analyze(session, TZ, today=TODAY, rules=("questionnaire_decline",))
    assert not list(session.scalars(select(Flag)))


def test_groups_the_aggregation_hides_are_never_tested(session, org) -> None:
    """B1-1 has 3 answers: hidden, and A (= G − B) with it; the drop in A1-1 stays unseen."""
    rng = random.Random(4)
    campaign(session, org, 60, {"branch_a1": (30, 4), "branch_a2": (30, 4),
                                "branch_b1": (3, 4)}, rng)  # fmt: skip
    campaign(session, org, 5, {"branch_a1": (30, 1), "branch_a2": (30, 4),
                               "branch_b1": (3, 1)}, rng)  # fmt: skip
    analyze(session, TZ, today=TODAY, rules=("questionnaire_decline",))
    assert not list(session.scalars(select(Flag)))


def test_declines_on_figures_flags_a_clear_drop_only() -> None:
    before = shown(u1=(75, 0.5, 900), u2=(80, 2, 30), u3=(74, 2, 30), u4=(76, 2, 30))
    after = shown(u1=(74, 0.5, 900), u2=(60, 2, 30), u3=(73, 2, 30), u4=(77, 2, 30))
    found = declines(rounds(before, after), CFG)
    assert [d.unit_ids for d in found] == [[2]]
    d = found[0]
    assert d.first == d.last == "2025-06" and d.active
    assert d.evidence["against"] == "organisation"  # both tests reject; the last one is kept
    assert d.evidence["drop"] == 14 and d.evidence["responses"] == 30
    assert d.evidence["reference"] == 74 and d.evidence["q_value"] <= 0.01


def test_declines_tests_only_the_groups_given() -> None:
    """A group the aggregation hid is absent: no test of it or against it; without the
    scope's own figure there is no organisation test either."""
    before = shown(u2=(80, 2, 30))
    after = shown(u3=(40, 2, 30))  # u2 hidden now, u3 hidden before, the scope not shown
    assert not declines(rounds(before, after), CFG)
    with_scope = after | shown(u1=(75, 0.5, 900))
    assert [d.evidence["against"] for d in declines(rounds(with_scope), CFG)] == ["organisation"]
    dropped = shown(u2=(40, 2, 30))
    assert declines(rounds(before, dropped), CFG)
    assert not declines(rounds(before, dropped), CFG | {"min_drop": 50})


def test_declines_controls_the_false_discovery_rate() -> None:
    """p = 0.005 passes 0.01 on its own, not among 40 tests that find nothing (BH: q = 0.2)."""
    z = 2.5758  # one-sided p = 0.005
    alone = shown(u1=(75, 0.1, 900), u2=(75 - 2 * z, 2, 30))
    assert declines(rounds(alone), CFG | {"min_drop": 1})
    crowd = alone | shown(**{f"u{i}": (75, 2, 30) for i in range(3, 42)})
    assert not declines(rounds(crowd), CFG | {"min_drop": 1})


def test_between_variance_is_dersimonian_laird_winsorised() -> None:
    """Unwinsorised, DL by hand: Q = 100·(0.2² + 0 + 0.2²) = 8 on 2 df, Σw − Σw²/Σw = 200,
    τ² = 6/200. Winsorised (the default), the spread of many estimates beyond their
    unequal sampling errors is still recovered, and one far-out estimate among 20 — the
    unit to find — widens it much less than it widens DL's."""
    y = np.array([0.1, 0.3, 0.5])
    assert stats.between_variance(y, np.full(3, 0.1), winsor=0) == pytest.approx(0.03)
    assert stats.between_variance(np.ones(3), np.full(3, 0.1)) == 0.0
    assert stats.between_variance(y[:2], np.full(2, 0.1), at_least=5) == 0.0
    rng = np.random.default_rng(5)
    se = rng.uniform(1, 5, 4000)
    y = rng.normal(0, 3, se.size) + rng.normal(0, se)
    assert stats.between_variance(y, se) == pytest.approx(9, rel=0.1)
    assert stats.between_variance(y, se, winsor=0) == pytest.approx(9, rel=0.1)
    few = np.array([3 * float(sps.norm.ppf((i + 0.5) / 19)) for i in range(19)] + [25.0])
    dl, robust = (stats.between_variance(few, np.ones(20), winsor=w) for w in (0, 0.1))
    assert robust < 12 < 30 < dl


def test_a_branch_low_all_along_within_the_spread_is_not_flagged() -> None:
    """62 among branches spread by about 6 points around 75 is low, not an outlier: on its
    sampling error alone (z = 13/3) it would be flagged, against the spread it is not; a
    branch at 40 is far outside the spread and is."""
    org = shown(u1=(75, 0.3, 1500))
    low = org | branches(SPREAD) | shown(u2=(62, 3, 30))
    assert not declines(rounds(low, low), CFG)
    few = org | branches(SPREAD[9:12]) | shown(u2=(62, 3, 30))  # 4 peers: no spread estimated
    assert [d.unit_ids for d in declines(rounds(few, few), CFG)] == [[2]]
    outside = low | shown(u3=(40, 3, 30))
    found = declines(rounds(outside), CFG)
    assert [d.unit_ids for d in found] == [[3]]
    ev = found[0].evidence
    assert ev["against"] == "organisation" and ev["peers"] == 22 and ev["tau2"] > 20
    assert ev["z"] == pytest.approx(35 / np.sqrt(9 + ev["tau2"]), abs=1e-3)
    assert ev["standard_error"] == 3 and ev["q_value"] <= 0.01


def test_ordinary_movement_is_not_flagged_a_clear_drop_is() -> None:
    """Every branch moves between campaigns (by about 4 points, far beyond sampling errors of
    1): a branch 8 points down moved as branches do; one 30 points down did not."""
    rng = np.random.default_rng(8)
    start = [float(m) for m in rng.normal(75, 5, 20)]
    moved = [m + float(d) for m, d in zip(start, rng.normal(0, 4, 20), strict=True)]
    before = branches(start, se=1) | shown(u2=(76, 1, 30), u3=(74, 1, 30))
    after = branches(moved, se=1) | shown(u2=(68, 1, 30), u3=(44, 1, 30))
    found = declines(rounds(before, after), CFG)  # the scope not shown: no organisation test
    assert [d.unit_ids for d in found] == [[3]]
    ev = found[0].evidence
    assert ev["against"] == "earlier campaigns" and ev["peers"] == 22 and ev["tau2"] > 8
    assert ev["z"] == pytest.approx(30 / np.sqrt(2 + ev["tau2"]), abs=1e-3)
    alone = declines(rounds(before, after), CFG | {"fdr": 0.5})  # u2 on its sampling error:
    assert [3] in [d.unit_ids for d in alone] and [2] not in [d.unit_ids for d in alone]


def test_standard_errors_come_from_the_pooled_sd_of_the_peers() -> None:
    """A group of 5 answers that happen to agree (own sd 1.3, se 0.6) is not 9 points ×
    15 standard errors down: its standard error is σ/√5 with σ the branches' pooled sd."""
    org = shown(u1=(75, 0.3, 1500))
    peers = branches([75 + (i % 5 - 2) * 0.5 for i in range(20)])  # sd √30·3 ≈ 16.4
    assert not declines(rounds(org | peers | shown(u2=(66, 0.6, 5))), CFG)
    found = declines(rounds(org | peers | shown(u2=(30, 0.6, 5))), CFG)
    assert [d.unit_ids for d in found] == [[2]]
    sigma = np.sqrt((20 * 29 * 30 * 9 + 4 * 5 * 0.36) / (20 * 29 + 4))
    assert found[0].evidence["standard_error"] == pytest.approx(sigma / np.sqrt(5), abs=1e-3)


def test_a_drop_is_judged_against_several_earlier_campaigns() -> None:
    """A branch steady at 76 for four campaigns, then 59, among branches moving by about 4
    points a campaign (standard errors 1.5; τ²_change about 26): against the previous
    campaign alone the drop is within what branches do (z = 17/√(2·1.5² + 26) ≈ 3.1, not
    enough among 21 tests); against the precision-weighted mean of the four, whose own
    movement averages out, it is not (z = 17/√(1.25·1.5² + 1.25·26/2) ≈ 3.9)."""
    waves = [4 * float(sps.norm.ppf((j + 0.5) / 20)) for j in range(20)]
    campaigns = [
        branches([m + waves[(i * step + 5 * k) % 20] for i, m in enumerate(SPREAD)], se=1.5)
        | shown(u2=(76 if k < 4 else 59, 1.5, 30))
        for k, step in enumerate((1, 3, 7, 9, 11))  # the same movements, reshuffled
    ]
    assert not declines(rounds(*campaigns), CFG | {"baseline_campaigns": 1})
    found = declines(rounds(*campaigns), CFG)
    assert [d.unit_ids for d in found] == [[2]]
    ev = found[0].evidence
    assert ev["against"] == "earlier campaigns" and ev["reference"] == 76 and ev["drop"] == 17
    assert [b["campaign_id"] for b in ev["baseline"]] == [0, 1, 2, 3]
    assert [b["weight"] for b in ev["baseline"]] == [0.25] * 4  # equal standard errors
    assert ev["reference_responses"] == 120 and ev["tests"] == 21 and ev["tau2_change"] > 20
    assert ev["tau2"] == pytest.approx(ev["tau2_change"] / 2 * 1.25, abs=1e-3)
    assert ev["standard_error"] == pytest.approx(1.5 * np.sqrt(1.25), abs=1e-3)
    assert ev["z"] == pytest.approx(17 / np.sqrt(1.5**2 * 1.25 + ev["tau2"]), abs=2e-3)


def test_each_campaign_is_its_own_false_discovery_family() -> None:
    """p = 0.005 passes 0.01 in its campaign of one test; the 120 tests of three earlier
    campaigns of another questionnaire that find nothing do not dilute it (as one family
    of 121 its q would be 0.6)."""
    z = 2.5758  # one-sided p = 0.005
    alone = shown(u1=(75, 0.1, 900), u2=(75 - 2 * z, 2, 30))
    crowd = shown(u1=(75, 0.1, 900), **{f"u{i}": (75, 2, 30) for i in range(3, 43)})
    old = [Round("climate", 1, 10 + i, f"2024-{3 * i + 3:02d}", f"Q{i + 1}", 5, crowd)
           for i in range(3)]  # fmt: skip
    found = declines([*old, *rounds(alone)], CFG | {"min_drop": 1})
    assert [d.unit_ids for d in found] == [[2]]
    assert found[0].evidence["tests"] == 1 and found[0].evidence["q_value"] == pytest.approx(
        0.005, rel=1e-3
    )
