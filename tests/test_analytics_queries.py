"""Analytics figures on small data whose expected values are worked out by hand below."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy.orm import Session

from dudao.analytics import queries, rates
from dudao.analytics.periods import MONTH, QUARTER, Range
from dudao.analytics.queries import Filters
from tests import analytics_world as w
from tests.factories import OrgTree

TZ = "Asia/Shanghai"
JAN_APR = Range(date(2026, 1, 1), date(2026, 4, 30))
TODAY = date(2026, 3, 15)


@pytest.fixture
def scored(session: Session, org: OrgTree) -> dict[str, list[int]]:
    """Jan–Apr results of A1-1 and A1-2, a result on A1 itself in May, one in company B.

    | month | A1-1 score, failed      | A1-2 score, failed      |
    | Jan   | 80, plan                | 90, –                   |
    | Feb   | 70, plan + leadership   | 90, leadership          |
    | Mar   | 84 (0 before it), –     | 86, –                   |
    | Apr   | 40, plan                | 50, plan + known_rate   |
    Not counted: a returned inspection of A1-1 in March (0, plan).
    """
    a1, a2 = org.branch_a1, org.branch_a2
    plan_a1 = [
        w.result(session, a1, date(2026, 1, 10), 80, ("plan",)).id,
        w.result(session, a1, date(2026, 2, 10), 70, ("plan", "leadership")).id,
        w.result(session, a1, date(2026, 4, 10), 40, ("plan",)).id,
    ]
    w.result(session, a2, date(2026, 1, 12), 90)
    w.result(session, a2, date(2026, 2, 12), 90, ("leadership",))
    march = w.inspection(session, a1, date(2026, 3, 10))
    w.submit(session, march, 0, ("plan",))  # superseded by the resubmission
    w.submit(session, march, 84)
    w.result(session, a2, date(2026, 3, 12), 86)
    plan_a2 = [w.result(session, a2, date(2026, 4, 12), 50, ("plan", "known_rate")).id]
    w.result(session, a1, date(2026, 3, 20), 0, ("plan",), state="returned")
    own = [w.result(session, org.unit_a1, date(2026, 5, 5), 60, ("plan",)).id]
    w.result(session, org.branch_b1, date(2026, 1, 10), 10, ("plan",))
    session.commit()
    return {"plan_a1": plan_a1, "plan_a2": plan_a2, "own": own}


def test_scores_per_month_with_shewhart_limits(session, org, scored):
    """Baseline = first half of the 4 months with data = Jan, Feb.
    Centre (80 + 90 + 70 + 90) / 4 = 82.5; pooled σ = √((50 + 200) / (1 + 1)) = √125 = 11.18;
    n = 2: 82.5 ± 3 · 11.18 / √2 = 82.5 ± 23.72 → LCL 58.8, UCL 106.2 clipped to 100.
    April's mean 45 is below the lower limit; March (84 and 86 → 85) is inside."""
    [series] = queries.scores(session, [org.company_a.path], Filters(org.company_a, JAN_APR))
    chart = series.chart
    assert series.definition == w.DEFINITION
    assert (chart.center, chart.sigma, chart.baseline) == (82.5, 11.2, ("2026-01", "2026-02"))
    points = {p.period: p for p in chart.points}
    assert [points[m].mean for m in ("2026-01", "2026-02", "2026-03", "2026-04")] == [
        85.0, 80.0, 85.0, 45.0,
    ]  # fmt: skip
    assert [p.n for p in chart.points] == [2, 2, 2, 2]
    assert (points["2026-04"].lcl, points["2026-04"].ucl) == (58.8, 100.0)
    assert points["2026-04"].signal == "below"
    assert points["2026-03"].signal == ""


def test_scores_per_quarter_and_a_chosen_baseline(session, org, scored):
    """Q1: (80 + 90 + 70 + 90 + 84 + 86) / 6 = 83.3; Q2 (April to June): (40 + 50) / 2 = 45;
    the result on A1 itself (May, 60) is inside company A too: (40 + 50 + 60) / 3 = 50."""
    year = Range(date(2026, 1, 1), date(2026, 6, 30), QUARTER)
    [series] = queries.scores(session, [org.company_a.path], Filters(org.company_a, year))
    assert [(p.period, p.n, p.mean) for p in series.chart.points] == [
        ("2026-Q1", 6, 83.3), ("2026-Q2", 3, 50.0),
    ]  # fmt: skip
    [one] = queries.scores(session, [org.company_a.path], Filters(org.branch_a2, JAN_APR),
                           baseline=3)  # fmt: skip
    # A1-2 alone: one score per month, so σ comes from the moving range of Jan–Mar:
    # (|90 − 90| + |86 − 90|) / 2 / 1.128 = 1.77; centre (90 + 90 + 86) / 3 = 88.7.
    assert (one.chart.center, one.chart.sigma) == (88.7, 1.8)
    assert one.chart.points[-1].signal == "below"


def test_heatmap_rows_are_children_and_the_units_own_inspections(session, org, scored):
    """A1 over Jan–May: A1 itself 1 result (plan failed); A1-1 4 results (plan 3 of 4 = 75 %,
    leadership 1 = 25 %); A1-2 4 results (plan, leadership, known_rate 1 of 4 each = 25 %)."""
    period = Range(date(2026, 1, 1), date(2026, 5, 31))
    result = queries.heatmap(session, [org.group.path], Filters(org.unit_a1, period, w.DEFINITION))
    keys = [key for key, _label in result.items]
    assert keys[0] == "plan" and {"leadership", "known_rate", "site_matches"} <= set(keys)
    rows = {row.code: row for row in result.rows}
    assert [r.code for r in result.rows] == ["A1", "A1-1", "A1-2"]
    assert rows["A1"].subtree is False and rows["A1-1"].subtree is True
    cell = {(code, key): rows[code].cells[keys.index(key)] for code in rows for key in keys}
    assert (cell["A1-1", "plan"].failures, cell["A1-1", "plan"].inspections) == (3, 4)
    assert cell["A1-1", "plan"].rate == 75.0
    assert cell["A1-1", "leadership"].rate == 25.0
    assert cell["A1-2", "known_rate"].rate == 25.0
    assert cell["A1-2", "plan"].rate == 25.0
    assert cell["A1", "plan"].rate == 100.0
    assert cell["A1-2", "site_matches"].rate == 0.0
    total = result.total.cells[keys.index("plan")]
    assert (total.failures, total.inspections) == (5, 9)
    assert result.left_out == 0


def test_heatmap_branch_rows_leave_out_results_above_branches(session, org, scored):
    period = Range(date(2026, 1, 1), date(2026, 5, 31))
    result = queries.heatmap(
        session, [org.group.path], Filters(org.company_a, period, w.DEFINITION),
        mode=queries.BRANCHES,
    )  # fmt: skip
    assert [(r.code, r.inspections) for r in result.rows] == [("A1-1", 4), ("A1-2", 4)]
    assert result.left_out == 1


def test_rectification_on_time_rate_per_month(session, org):
    """Jan: due 3 (cancelled not counted): on time 1, late 1, missed 1 → 1/3 = 33.3 %.
    Feb: verified at 01:00 local the day after its deadline (still the deadline day in UTC):
    late → 0 %. Mar: on time 1 (verified before the deadline), 1 not yet due → 1/1 = 100 %."""
    a1 = org.branch_a1
    w.rectification(session, a1, date(2026, 1, 10), "verified", date(2026, 1, 10))
    w.rectification(session, a1, date(2026, 1, 20), "verified", date(2026, 1, 25))
    w.rectification(session, a1, date(2026, 1, 31), "open")
    w.rectification(session, a1, date(2026, 1, 15), "cancelled")
    task = w.rectification(session, a1, date(2026, 2, 10), "verified")
    task.state_changed_at = w.local(date(2026, 2, 11), 1)
    w.rectification(session, a1, date(2026, 3, 1), "verified", date(2026, 2, 28))
    w.rectification(session, a1, date(2026, 3, 20), "in_progress")
    w.rectification(session, org.branch_b1, date(2026, 1, 10), "verified", date(2026, 1, 10))
    session.commit()
    q1 = Range(date(2026, 1, 1), date(2026, 3, 31), MONTH)
    found = rates.rectification_rates(session, [org.company_a.path], Filters(org.group, q1),
                                      TODAY, TZ)  # fmt: skip
    assert [(r.label, r.due, r.on_time, r.late, r.missed, r.pending, r.rate) for r in found] == [
        ("2026-01", 3, 1, 1, 1, 0, 33.3),
        ("2026-02", 1, 0, 1, 0, 0, 0.0),
        ("2026-03", 2, 1, 0, 0, 1, 100.0),
    ]


def test_completion_per_schedule_per_draw_and_per_period(session, org):
    """Schedule S: Jan on time + late; Feb missed (+ one cancelled, not due); Mar on time +
    not yet due → 2 on time of 4 judged = 50 %. Draw D: Feb, submitted 23:00 local on the due
    day → 100 %. Company B's drawn inspection and an ad hoc inspection do not count."""
    a1, a2 = org.branch_a1, org.branch_a2
    s, d = w.schedule(session, org.company_a, "S"), w.draw(session, "D")
    jan, feb, mar = date(2026, 1, 31), date(2026, 2, 28), date(2026, 3, 31)
    w.submit(session, w.inspection(session, a1, jan, schedule=s), 90, at=w.local(date(2026, 1, 30)))
    w.submit(session, w.inspection(session, a2, jan, schedule=s), 90, at=w.local(date(2026, 2, 2)))
    w.inspection(session, a1, feb, state="assigned", schedule=s)
    w.inspection(session, a2, feb, state="cancelled", schedule=s)
    w.inspection(session, a1, mar, state="assigned", schedule=s)
    w.submit(session, w.inspection(session, a2, mar, schedule=s), 90, at=w.local(date(2026, 3, 10)))
    drawn = w.inspection(session, a1, date(2026, 2, 15), draw=d)
    w.submit(session, drawn, 90, at=w.local(date(2026, 2, 15), 23))
    w.inspection(session, org.branch_b1, date(2026, 2, 15), state="assigned", draw=d)
    w.inspection(session, a1, feb, state="assigned")
    session.commit()
    q1 = Range(date(2026, 1, 1), date(2026, 3, 31), MONTH)
    found = rates.completion(session, [org.company_a.path], Filters(org.company_a, q1), TODAY, TZ)
    [(sid, sched)] = found.schedules
    assert (sid, sched.label) == (s.id, "S")
    assert (sched.due, sched.on_time, sched.late, sched.missed, sched.pending, sched.rate) == (
        5, 2, 1, 1, 1, 50.0,
    )  # fmt: skip
    [(did, drawn_rate)] = found.draws
    assert (did, drawn_rate.due, drawn_rate.rate) == (d.id, 1, 100.0)
    assert [r.rate for r in found.by_period["schedules"]] == [50.0, 0.0, 100.0]
    assert [r.rate for r in found.by_period["draws"]] == [None, 100.0, None]
