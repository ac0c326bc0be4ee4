"""The composite, its renormalisation, the tier bands and the moves, on hand-computed data."""

from __future__ import annotations

import pytest

from dudao.assessment.queries import TierMove, assess, ranking, tier_moves, tier_moves_up
from dudao.core.numbers import one_decimal
from tests.assessment_world import configured, first_quarter, inspection  # noqa: F401

pytestmark = pytest.mark.usefixtures("configured")  # the bands 90/80/70/0 of CONFIG


def test_composite_renormalisation_and_ranks(session, org) -> None:
    first_quarter(session, org)
    inspection(session, org.branch_a1, "2025-04-10", 95)  # one inspection in Q2: not assessed
    session.commit()
    result = ranking(session, [org.group.path])
    assert result.period == "2025Q1"  # the latest closed period with assessed units
    assert result.assessment.periods == ["2025Q1", "2025Q2"]
    first = ranking(session, [org.group.path], "2025Q1")
    rows = {s.code: s for s in first.rows}
    assert [(s.code, s.composite, s.tier, s.rank) for s in first.rows] == [
        ("A1-2", 96.3, "advanced", 1),
        ("B1-1", 79.0, "average", 2),
        ("A1-1", 71.0, "average", 3),
    ]
    a1 = rows["A1-1"]
    assert a1.inspections == 2 and a1.inspection == 85
    assert (a1.rectification.on_time, a1.rectification.late) == (1, 3)
    assert a1.satisfaction.value == 75 and a1.satisfaction.responses == 10
    b1 = rows["B1-1"]
    assert b1.satisfaction.value is None and b1.satisfaction.withheld == 1
    assert rows["A1-2"].rectification is None
    assert first.tier_counts == {"advanced": 1, "good": 0, "average": 2, "lagging": 0}
    second = ranking(session, [org.group.path], "2025Q2")
    assert second.rows == [] and [s.code for s in second.unassessed] == ["A1-1"]
    # Ranks count inside the subtree asked for.
    only_a = ranking(session, [org.company_a.path], "2025Q1")
    assert [(s.code, s.rank) for s in only_a.rows] == [("A1-2", 1), ("A1-1", 2)]


def test_one_decimal_rounds_half_up() -> None:
    assert [one_decimal(x) for x in (96.25, 90.05, 89.94999, 72.66667)] == [
        96.3, 90.1, 89.9, 72.7,
    ]  # fmt: skip


def test_tier_moves_between_consecutive_assessed_periods(session, org) -> None:
    first_quarter(session, org)  # 2025Q1: a1 average, a2 advanced, b1 average
    for day in ("2025-04-10", "2025-05-10"):
        inspection(session, org.branch_a1, day, 91)  # Q2 advanced: up
        inspection(session, org.branch_b1, day, 60)  # Q2 lagging: down
    for day in ("2025-07-10", "2025-08-10"):
        inspection(session, org.branch_a2, day, 85)  # Q3 good (Q2 not assessed): down
    for day in ("2025-10-10", "2025-11-10"):
        inspection(session, org.branch_b1, day, 95)  # Q4 advanced (Q3 not assessed): up
    session.commit()
    a1, a2, b1 = org.branch_a1, org.branch_a2, org.branch_b1
    assert tier_moves_up(session, [org.group.path]) == [
        TierMove(a1.id, a1.path, "2025Q2", "average", "advanced"),
        TierMove(b1.id, b1.path, "2025Q4", "lagging", "advanced"),
    ]
    assert tier_moves_up(session, [org.company_b.path]) == [
        TierMove(b1.id, b1.path, "2025Q4", "lagging", "advanced"),
    ]
    assert tier_moves(session, [org.group.path], "down") == [
        TierMove(b1.id, b1.path, "2025Q2", "average", "lagging"),
        TierMove(a2.id, a2.path, "2025Q3", "advanced", "good"),
    ]
    q2 = ranking(session, [org.group.path], "2025Q2")
    assert {s.code: (s.move, s.previous.period) for s in q2.rows} == {
        "A1-1": ("up", "2025Q1"), "B1-1": ("down", "2025Q1"),
    }  # fmt: skip
    assert q2.moves == {"up": 1, "down": 1, "same": 0}
    assert tier_moves_up(session, []) == []


def test_the_current_period_is_provisional_and_moves_in_it_do_not_count(session, org) -> None:
    from dudao.assessment.periods import current_key

    first_quarter(session, org)
    now = current_key("quarter", "Asia/Shanghai")
    year, quarter = int(now[:4]), int(now[5])
    for month in (3 * quarter - 2, 3 * quarter - 1):
        inspection(session, org.branch_a1, f"{year}-{month:02d}-02", 100)
    session.commit()
    latest = ranking(session, [org.group.path], now)
    assert latest.provisional and latest.rows[0].move == "up"
    assert tier_moves_up(session, [org.group.path]) == []
    assert ranking(session, [org.group.path]).period == "2025Q1"  # the latest closed period
    assert assess(session, [org.group.path]).periods == ["2025Q1", now]
