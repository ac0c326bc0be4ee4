"""Questionnaire decline: read through the survey aggregation, thresholds respected."""

from __future__ import annotations

import random
import uuid
from datetime import timedelta

from sqlalchemy import select

from dudao.core.database import utcnow
from dudao.surveys.models import Response
from dudao.trends.models import Flag
from dudao.trends.services import analyze
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
