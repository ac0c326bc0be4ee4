"""Each rule on small planted histories, and silence on clean ones; flag lifecycle."""

from __future__ import annotations

import math
import random

import pytest
from scipy.stats import binom, norm
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from dudao.audit.models import AuditEvent
from dudao.core.enums import UnitLevel
from dudao.org.models import Unit
from dudao.org.services import create_unit
from dudao.trends.models import Flag
from dudao.trends.services import UNIT_RULES, analyze
from dudao.workflow.engine import apply
from tests.trend_world import TODAY, TZ, load, row


def flags(session, rule=None):
    query = select(Flag).order_by(Flag.id)
    if rule:
        query = query.where(Flag.rule == rule)
    return list(session.scalars(query))


def run(session, **kw):
    summary = analyze(session, TZ, today=TODAY, **kw)
    session.commit()
    return summary


def noisy(rng: random.Random, bad: float = 0.0) -> dict:
    """Answers with a little chance variation in the scored items; `bad` adds failures."""
    good = rng.random() > bad
    return {
        "public_rating": rng.choice([6, 7, 8, 9, 10, 10] if good else [2, 3]),
        "site_impression": rng.choice([2, 3, 4, 4, 4] if good else [1, 2]),
        "interviews": rng.choice([4, 8, 10, 10, 12] if good else [1, 2]),
    }


def symmetric(rng: random.Random) -> dict:
    """Chance variation of the score that is roughly symmetric (CUSUM assumes near-normal)."""
    return {"public_rating": rng.choice([3, 9]), "site_impression": rng.choice([2, 4])}


def many_units(session, org, per_company: int = 12) -> list[str]:
    codes = []
    for parent, prefix in ((org.unit_a1, "A1"), (org.unit_b1, "B1")):
        for j in range(per_company):
            code = f"{prefix}-x{j}"
            create_unit(session, None, code, code, UnitLevel.BRANCH, parent)
            codes.append(code)
    session.commit()
    return codes


def test_critical_failure_flags_and_clears(session, org, tmp_path) -> None:
    rows = [row(u, i) for u in ("A1-1", "B1-1") for i in range(6)]
    load(session, tmp_path, [*rows, row("A1-1", 6, site_matches="no")])
    run(session)
    (flag,) = flags(session)
    assert (flag.rule, flag.item_key, flag.unit_codes) == (
        "critical_failure",
        "site_matches",
        ["A1-1"],
    )
    assert (flag.first_detected, flag.detected, flag.state) == ("2024-07", True, "new")
    assert flag.evidence["inspection_ids"] and flag.severity == "high"
    load(session, tmp_path, [row("A1-1", 7)], name="later.jsonl")
    summary = run(session)
    (flag,) = flags(session)  # the same flag, no second one
    assert (summary.cleared, summary.updated) == (1, 0) and flag.detected is False
    assert flag.first_detected == "2024-07"
    assert run(session).cleared == 0  # still cleared: recorded once
    events = session.scalars(select(AuditEvent.action).where(
        AuditEvent.entity_type == "trend_flag", AuditEvent.entity_id == str(flag.id)
    ).order_by(AuditEvent.id))  # fmt: skip
    assert list(events) == ["trend_flag.create", "trend_flag.cleared"]  # not "detected again"


def test_recurring_failure_needs_consecutive_inspections(session, org, tmp_path) -> None:
    rows = [row("A1-1", i) for i in range(8)] + [row("A1-2", i) for i in range(8)]
    rows[2] = row("A1-1", 2, leadership="assigned")  # once only: no flag
    rows[4] = row("A1-1", 4, leadership="assigned")
    rows[8 + 3] = row("A1-2", 3, leadership="assigned")
    rows[8 + 4] = row("A1-2", 4, leadership="assigned")
    load(session, tmp_path, rows)
    run(session)
    (flag,) = flags(session, "recurring_failure")
    assert flag.unit_codes == ["A1-2"] and flag.item_key == "leadership"
    assert flag.first_detected == "2024-05"  # the second failure met the condition
    assert flag.detected is False  # passed since
    assert flag.evidence["consecutive"] == 2


def test_cross_unit_problem_one_flag_for_the_company(session, org, tmp_path) -> None:
    codes = many_units(session, org)
    rng = random.Random(1)
    rows = []
    for j, code in enumerate(codes):
        for i in range(12):
            fails = (i * 7 + j) % 20 == 0 or (code.startswith("A1") and i >= 10 and j % 3 != 0)
            rows.append(row(code, i, leadership="assigned" if fails else "secretary_leads",
                            **noisy(rng)))  # fmt: skip
    load(session, tmp_path, rows)
    run(session)
    found = flags(session, "cross_unit")
    scopes = {f.unit.code for f in found}
    assert "A" in scopes and "B" not in scopes
    (flag,) = [f for f in found if f.unit.code == "A"]
    assert flag.item_key == "leadership" and flag.first_detected == "2024-11"
    assert len(flag.unit_codes) >= 8 and all(c.startswith("A1-x") for c in flag.unit_codes)
    ev = flag.evidence
    assert ev["p_value"] < 0.01 and ev["q_value"] <= 0.01 and ev["rate"] > ev["baseline_rate"]
    assert ev["wilson_95"][0] > ev["baseline_rate"]


def test_a_cross_unit_problem_that_goes_on_stays_detected(session, org, tmp_path) -> None:
    """Company A's branches keep failing the item from month 6 to the end (month 21). The
    baseline is the periods before the problem, not the problem itself: by the end a
    baseline of the 12 periods before the window would be all problem months, and the
    flag would have been marked "no longer detected" while the problem went on."""
    codes = many_units(session, org)
    rng = random.Random(3)
    rows = []
    for j, code in enumerate(codes):
        for i in range(22):
            fails = (i * 7 + j) % 20 == 0 or (code.startswith("A1") and i >= 6 and j % 2 == 0)
            rows.append(row(code, i, leadership="assigned" if fails else "secretary_leads",
                            **noisy(rng)))  # fmt: skip
    load(session, tmp_path, rows)
    run(session)
    (flag,) = [f for f in flags(session, "cross_unit") if f.unit.code == "A"]
    assert flag.first_detected == "2024-07" and flag.last_detected == "2025-10"
    assert flag.detected, "the problem goes on in the last month"
    ev = flag.evidence
    assert ev["period"] == "2025-10" and ev["baseline_rate"] < 0.1 < 0.4 < ev["rate"]
    # the baseline's own counts: the 6 months before the problem, 12 branches of A each
    assert ev["baseline_inspections"] == 6 * 12
    assert ev["baseline_rate"] == round(ev["baseline_failures"] / (6 * 12), 4)  # as observed
    # and its months: those 6, every flagged month up to the window left out
    assert ev["baseline_months"] == ["2024-01", "2024-06"]
    # the series drawn with it begins with the baseline, so its rows add up to its counts
    assert ev["periods"][0] == "2024-01" and ev["periods"][-1] == "2025-10"
    assert sum(ev["failures_series"][:6]) == ev["baseline_failures"]
    assert sum(ev["inspections_series"][:6]) == ev["baseline_inspections"]
    start = 21 - ev["window_periods"] + 1  # the window's first month (2024-01 is 0)
    assert ev["baseline_left_out"] == [
        f"{2024 + i // 12}-{i % 12 + 1:02d}" for i in range(6, start)
    ]


def _one_unit_drifts(
    session, org, tmp_path, per_company: int, answers, drifter_months: int = 18
) -> list[str]:  # fmt: skip
    """18 months of every unit's answers (`answers(rng)`), A1-x1 failing two items most
    months from month 10 (and inspected in its first `drifter_months` only); loaded.
    Returns the unit codes."""
    codes = many_units(session, org, per_company=per_company)
    rng = random.Random(5)
    rows = []
    for code in codes:
        for i in range(drifter_months if code == "A1-x1" else 18):
            bad = code == "A1-x1" and i >= 10 and rng.random() < 0.7
            rows.append(row(code, i, **{**answers(rng), **({"leadership": "assigned",
                            "interviews": 2} if bad else {})}))  # fmt: skip
    load(session, tmp_path, rows)
    return codes


def test_deterioration_by_cusum_and_clean_units_stay_quiet(session, org, tmp_path) -> None:
    _one_unit_drifts(session, org, tmp_path, 6, symmetric)
    run(session)
    found = flags(session, "deterioration")
    flagged = {f.unit_codes[0]: f for f in found}
    assert "A1-x1" in flagged
    # Baselines from 6 points make an occasional false alarm possible on 11 clean units
    # over 12 periods; the quality benchmark measures the rate, this test bounds it.
    assert len(flagged) <= 2
    ev = flagged["A1-x1"].evidence
    assert ev["cusum"] > 5 and ev["k"] == 0.5 and ev["cusum_signal"]
    assert "2024-11" <= flagged["A1-x1"].first_detected <= "2025-06"
    # In the office's terms: the mean score before the run, when it began, the mean since.
    assert "2024-09" <= ev["decline_from"] <= flagged["A1-x1"].first_detected
    assert 0 < ev["mean_score_since"] < ev["baseline_score"] - 5 <= 100
    assert not flags(session, "cross_unit")


def test_deterioration_evidence_is_read_at_the_units_last_month_with_a_score(
    session, org, tmp_path
) -> None:  # fmt: skip
    """Months go on without the unit (its inspection is not in yet): the signal stays up,
    and the trend test is the one of its last scored month, not an untested default."""
    _one_unit_drifts(session, org, tmp_path, 6, symmetric, drifter_months=16)
    run(session)
    (flag,) = [f for f in flags(session, "deterioration") if f.unit_codes == ["A1-x1"]]
    ev = flag.evidence
    assert flag.last_detected == ev["periods"][-1] and ev["scores"][-2:] == [None, None]
    assert ev["mann_kendall_p"] < 0.5 and ev["sen_slope"] < 0, ev


def test_incremental_runs_leave_the_deterioration_flags_to_the_full_run(
    session, org, tmp_path
) -> None:
    """σ and the shrinkage of the deterioration rule come from all units: one unit's history
    alone would give other answers, so the run after a submission does not redo them."""
    codes = _one_unit_drifts(session, org, tmp_path, 12, noisy)
    run(session)
    before = {(f.fingerprint, f.first_detected, f.detected) for f in flags(session)}
    units = {u.code: u.id for u in session.scalars(select(Unit))}
    for code in codes:
        run(session, unit_ids=[units[code]], rules=UNIT_RULES)
    assert {(f.fingerprint, f.first_detected, f.detected) for f in flags(session)} == before


def test_outlier_unit_outside_funnel_limits(session, org, tmp_path) -> None:
    codes = many_units(session, org, per_company=8)
    rng = random.Random(9)
    rows = []
    for code in codes:
        for i in range(6):
            bad = (
                {"leadership": "nobody", "known_rate": "few", "plan": "no"}
                if code == "B1-x2"
                else {}
            )
            rows.append(row(code, i, **noisy(rng), **bad))
    load(session, tmp_path, rows)
    run(session, rules=("outlier",))
    (flag,) = flags(session, "outlier")
    # Outside the 3-month funnel at the end of three consecutive months (persist_periods).
    assert flag.unit_codes == ["B1-x2"] and flag.first_detected == "2024-05"
    assert flag.evidence["proportion"] > flag.evidence["upper_limit"]
    # The limit can be checked from the evidence: p0, φ and which limit it is.
    ev = flag.evidence
    n, p0, phi = ev["scored_items"], ev["organisation_proportion"], ev["overdispersion"]
    exact = binom.ppf(0.999, n, p0) / n
    normal = p0 + norm.ppf(0.999) * math.sqrt(phi * p0 * (1 - p0) / n)
    assert 0 < p0 < ev["proportion"] and phi >= 1
    exact_used = n * p0 < 10 or exact >= normal
    assert ev["limit_method"] == ("exact binomial quantile" if exact_used
                                  else "normal approximation with overdispersion")  # fmt: skip
    shown = exact if exact_used else normal
    assert shown == pytest.approx(ev["upper_limit"], abs=1e-3)


def test_flag_lifecycle_resolve_recur_reopen(session, org, tmp_path, user_factory) -> None:
    office = user_factory("office", ("office", org.group))
    load(session, tmp_path, [row("A1-1", 0, site_matches="no"), row("A1-1", 1)])
    run(session)
    (flag,) = flags(session)
    apply(session, office, flag, "acknowledge")
    apply(session, office, flag, "resolve", fields={"comment": "fixed"})
    session.commit()
    assert flag.open_key == flag.id
    run(session)  # nothing new: stays resolved
    assert flags(session)[0].state == "resolved"
    load(session, tmp_path, [row("A1-1", 2, site_matches="no")], name="again.jsonl")
    summary = run(session)
    (flag,) = flags(session)
    assert summary.reopened == 1 and flag.state == "acknowledged" and flag.open_key == 0
    assert (flag.first_detected, flag.last_detected, flag.detected) == ("2024-01", "2024-03", True)
    session.add(Flag(rule=flag.rule, fingerprint=flag.fingerprint, severity="high",
                     unit_id=flag.unit_id, first_detected="x", last_detected="x"))  # fmt: skip
    with pytest.raises(IntegrityError):
        session.flush()
    session.rollback()


def test_incremental_analysis_of_one_unit(session, org, tmp_path, app) -> None:
    from dudao.inspections.models import Inspection
    from dudao.trends.jobs import analyze_inspection, enqueue_after_submit
    from dudao.workflow import engine

    assert enqueue_after_submit in engine.listeners()
    load(session, tmp_path, [row("A1-1", 0, site_matches="no"), row("B1-1", 0, site_matches="no")])
    inspection = session.scalar(select(Inspection).where(Inspection.unit_id == org.branch_a1.id))
    assert analyze_inspection(inspection.id) == {"created": 1, "updated": 0}
    session.expire_all()
    assert [f.unit_codes for f in flags(session)] == [["A1-1"]]
