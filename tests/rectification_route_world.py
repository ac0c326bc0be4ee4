"""A finding and its rectification task in company A and in company B, for the route walk
(tests/test_access_routes.py): rows written directly, as a submission would leave them."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy.orm import Session

from dudao.inspections.models import Inspection
from dudao.inspections.submission_models import Finding, Rectification, Submission


def rectifications_in_and_out(session: Session, inspections: dict[str, int]) -> dict[str, int]:
    """{"finding_in", "finding_out", "in", "out"}: finding ids and task ids per side."""
    found: dict[str, int] = {}
    for side, inspection_id in inspections.items():
        inspection = session.get(Inspection, inspection_id)
        assert inspection is not None
        finding = Finding(inspection_id=inspection.id, unit_id=inspection.unit_id, item_key="q")
        submission = Submission(
            submission_id=str(uuid.uuid4()), inspection_id=inspection.id,
            definition_version_id=inspection.definition_version_id, content_hash="0" * 64,
            answers={"q": "no"}, notes={}, photos={}, result={"failed": ["q"]}, percent=0.0,
            passed=False, item_comments={}, review_state="approved", findings=[finding],
        )  # fmt: skip
        session.add(submission)
        session.flush()
        task = Rectification(
            finding_id=finding.id, unit_id=inspection.unit_id, state="open",
            deadline=date(2027, 1, 31), description="整改", evidence_photo_ids=[],
        )  # fmt: skip
        session.add(task)
        session.flush()
        found[f"finding_{side}"], found[side] = finding.id, task.id
    session.commit()
    return found
