"""The demo's imported history yields the planted flags, with evidence, once."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from dudao.demo.data import build_demo
from dudao.inspections.rectification_queries import overdue_clause
from dudao.inspections.submission_models import Rectification
from dudao.scheduling.recurrence import org_today
from dudao.trends.demo import load_demo_history, load_demo_questionnaire_flags
from dudao.trends.models import Flag


@pytest.mark.demo(seed=5)
def test_demo_history_flags_the_planted_problems(demo, session) -> None:
    loaded = demo  # load_demo(session, seed=5), committed
    created = {r.name: r.created for r in loaded.results}["inspection history and trend flags"]
    assert created > 1000
    flags = list(session.scalars(select(Flag)))
    by_rule = {}
    for flag in flags:
        by_rule.setdefault(flag.rule, []).append(flag)
    company = sorted(u.code for u in build_demo(5).units if u.level == "company")[0]
    cross = {f.unit.code: f for f in by_rule["cross_unit"]}
    assert company in cross and cross[company].item_key == "known_rate"
    assert len(cross[company].unit_codes) > 10 and cross[company].evidence["p_value"] < 0.001
    assert by_rule["critical_failure"] and by_rule["deterioration"] and by_rule["outlier"]
    assert any(f.item_key == "leadership" for f in by_rule["recurring_failure"])
    # The latest satisfaction campaign's planted fall, judged against the spread of branches.
    # The latest satisfaction campaign's planted falls (two branches, about 37 points),
    # judged against the spread of branches: found, and no flood of others.
    declines = by_rule["questionnaire_decline"]
    clearest = max(declines, key=lambda f: f.evidence["drop"])
    assert clearest.unit.level == "branch" and clearest.evidence["drop"] > 20
    assert clearest.evidence["z"] > 3 and clearest.evidence["tau2"] > 0
    assert clearest.evidence["peers"] >= 5 and len(declines) <= 4
    # A few of the last weeks' rectifications are still undone: one flag per unit, naming
    # every overdue task there.
    overdue = {t.id: t for t in session.scalars(
        select(Rectification).where(overdue_clause(org_today(session))))}  # fmt: skip
    flagged = [i for f in by_rule["overdue_rectification"] for i in f.evidence["rectification_ids"]]
    assert overdue and sorted(flagged) == sorted(overdue)
    assert {f.unit_id for f in by_rule["overdue_rectification"]} == {
        t.unit_id for t in overdue.values()}  # fmt: skip
    assert max(t.deadline for t in overdue.values()) < org_today(session)
    assert load_demo_history(session, build_demo(5)) == 0  # idempotent
    assert load_demo_questionnaire_flags(session, build_demo(5)) == 0
