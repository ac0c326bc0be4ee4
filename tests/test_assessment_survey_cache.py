"""The per-process cache of finished campaigns' group figures: a unit moved after the
campaign closed stays counted where it answered, as on the results pages."""

from __future__ import annotations

from dudao.assessment import components
from dudao.assessment.components import satisfaction_cells
from dudao.org.services import move_unit
from tests.assessment_world import survey

TZ = "Asia/Shanghai"


def _companies(session, org) -> dict[str, tuple[int, float | None]]:
    cells = satisfaction_cells(
        session, [org.group.path], {org.company_a.id, org.company_b.id}, "quarter", TZ
    )
    return {
        code: (cell.responses, cell.value)
        for (unit_id, _period), cell in cells.items()
        for code, unit in (("A", org.company_a), ("B", org.company_b))
        if unit.id == unit_id
    }


def test_a_unit_moved_after_the_close_stays_counted_where_it_answered(session, org) -> None:
    survey(session, org.group, "2025-03-20",
           {"a": (org.branch_a1, 6, 4), "b": (org.branch_b1, 6, 2)}, min_group=5)  # fmt: skip
    assert _companies(session, org) == {"A": (6, 75.0), "B": (6, 25.0)}
    assert _companies(session, org) == {"A": (6, 75.0), "B": (6, 25.0)}  # from the cache

    move_unit(session, None, org.branch_a1, org.unit_b1)
    session.commit()
    components._FINAL.clear()  # read again, not from the cache
    assert _companies(session, org) == {"A": (6, 75.0), "B": (6, 25.0)}


def test_the_figures_are_read_without_question_figures(session, org, monkeypatch) -> None:
    """Only each group's index and count are kept: the aggregation leaves out the
    per-question figures, most of its work (paid on a cold cache, for every campaign)."""
    from collections import OrderedDict

    from dudao.surveys import aggregate as module

    def refuse(*_args):
        raise AssertionError("per-question figures computed")

    monkeypatch.setattr(components, "_FINAL", OrderedDict())
    monkeypatch.setattr(module, "_item_stat", refuse)
    survey(session, org.group, "2025-03-20",
           {"a": (org.branch_a1, 6, 4), "b": (org.branch_b1, 6, 2)}, min_group=5)  # fmt: skip
    assert _companies(session, org) == {"A": (6, 75.0), "B": (6, 25.0)}
