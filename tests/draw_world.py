"""Published draw rows for tests that only need a draw to exist (the route walk): one draw
over company A's subtree and one over company B's, made by the real algorithm on a
one-unit input, without inspections; and an approved submission with the score draws read."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy.orm import Session

from dudao.core.database import utcnow
from dudao.inspections.submission_models import ReviewState, Submission
from dudao.org.models import Unit
from dudao.scheduling.draw_params import normalise_params
from dudao.scheduling.draws import ALGORITHM, digest, run_draw
from dudao.scheduling.models import SpotCheckDraw
from tests.factories import OrgTree


def published_draw(session: Session, scope: Unit, unit: Unit) -> SpotCheckDraw:
    params = normalise_params({"count": 1, "inspectors_per_inspection": 1})
    inputs = {
        "scope": {"id": scope.id, "code": scope.code, "path": scope.path},
        "as_of": "2026-11-25",
        "units": [{"id": unit.id, "code": unit.code, "name": unit.name, "path": unit.path,
                   "level": "branch", "company": scope.code, "open_flags": 0,
                   "recent_score": None, "last_inspected": None}],
        "inspectors": [{"id": 0, "username": "nobody", "reach": ["/"], "own": []}],
    }  # fmt: skip
    result = run_draw("route-walk", params, inputs)
    draw = SpotCheckDraw(
        title=f"Draw over {scope.code}", definition_key="branch_standardisation", seed="route-walk",
        algorithm=ALGORITHM, params=params, inputs=inputs, result=result,
        result_hash=digest(result), due_date=date(2026, 12, 31), published=True,
        published_at=utcnow(),
    )  # fmt: skip
    session.add(draw)
    session.flush()
    return draw


def draws_in_and_out(session: Session, org: OrgTree) -> dict[str, int]:
    """{"in": draw over company A, "out": draw over company B} (committed)."""
    ids = {
        "in": published_draw(session, org.company_a, org.branch_a1).id,
        "out": published_draw(session, org.company_b, org.branch_b1).id,
    }
    session.commit()
    return ids


def approved_submission(session, inspection, percent, grade=None, result=None):
    """An approved submission with a score, written directly (the tablet flow is tested
    elsewhere); what draws read from it is the percent and the grade."""
    submission = Submission(
        submission_id=str(uuid.uuid4()), inspection_id=inspection.id,
        definition_version_id=inspection.definition_version_id, content_hash="0" * 64,
        answers={}, notes={}, photos={}, result=result or {}, percent=percent, passed=True,
        grade=grade,
        review_state=ReviewState.APPROVED,
    )  # fmt: skip
    session.add(submission)
    session.flush()
    return submission
