"""The demo's assessment: every component present for the demo branches, tiers and moves."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from dudao.assessment.demo import load_demo_assessment
from dudao.assessment.queries import ranking, tier_moves_up
from dudao.core.database import utcnow
from dudao.demo.data import build_demo
from dudao.inspections.submission_models import Rectification
from dudao.org.models import Unit


@pytest.mark.demo(seed=5)  # load_demo(session, seed=5), committed
def test_demo_ranks_the_history_branches_on_all_three_components(session) -> None:
    root = session.query(Unit).filter_by(code=build_demo(5).root.code).one()
    board = ranking(session, [root.path])
    assert not board.provisional and len(board.rows) > 50
    assert all(s.inspection is not None for s in board.rows)
    assert sum(1 for s in board.rows if s.rectification) > 10
    shown = [s for s in board.rows if s.satisfaction and s.satisfaction.value is not None]
    assert len(shown) > len(board.rows) / 2
    assert sum(board.tier_counts.values()) == len(board.rows)
    assert len([k for k, n in board.tier_counts.items() if n]) >= 3
    assert tier_moves_up(session, [root.path])
    assert load_demo_assessment(session, build_demo(5)) == 0  # idempotent
    # Verified late, never after today: a summary printed tasks verified next month.
    last = session.scalar(select(func.max(Rectification.state_changed_at)))
    assert last is not None and last <= utcnow()
