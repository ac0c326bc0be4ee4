"""Feedback test data for the route walk: an item with an attachment in A1 and in B1."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.orm import Session

from dudao.feedback.models import FeedbackKind
from dudao.feedback.services import Upload, submit_feedback
from tests.factories import OrgTree


def feedback_in_and_out(session: Session, org: OrgTree, data_dir: Path) -> dict[str, object]:
    found: dict[str, object] = {}
    for side, unit in (("in", org.unit_a1), ("out", org.unit_b1)):
        item = submit_feedback(
            session, None, unit=unit, kind=FeedbackKind.OPINION, category="other",
            title=f"walk {side}", body="route walk", data_dir=data_dir,
            uploads=[Upload("walk.txt", b"walk", "text/plain")],
        )  # fmt: skip
        found[side] = item.id
        found[f"attachment_{side}"] = item.attachments[0].id if item.attachments else None
    session.commit()
    return found
