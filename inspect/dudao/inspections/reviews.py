"""The office's review of a submission: approve it, or return it with comments per item."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy.orm import Session

from dudao.audit.services import record
from dudao.core.database import utcnow
from dudao.core.errors import N_, Message
from dudao.definitions.answers import NOTE_MAX_LENGTH
from dudao.definitions.queries import pinned
from dudao.inspections.models import Inspection
from dudao.inspections.submission_models import ReviewState, Submission
from dudao.inspections.submissions import FieldErrors, SubmissionConflict, latest_submission
from dudao.workflow.engine import apply

DECISIONS = {"approve": ReviewState.APPROVED, "return": ReviewState.RETURNED}
#: A review's outcome in a sentence ("already reviewed (approved)").
REVIEWED = {ReviewState.APPROVED: N_("approved"), ReviewState.RETURNED: N_("returned")}


def _clean_item_comments(
    session: Session, inspection: Inspection, item_comments: Mapping[str, Any]
) -> dict[str, str]:
    definition = pinned(session, inspection.definition_version_id)
    clean: dict[str, str] = {}
    errors: dict[str, str] = {}
    for key, text in item_comments.items():
        if key not in definition._index:
            errors[key] = Message(N_("There is no question with this key."))
        elif not isinstance(text, str):
            errors[key] = Message(N_("A comment must be text."))
        elif len(text.strip()) > NOTE_MAX_LENGTH:
            errors[key] = Message(
                N_("Keep the comment to %(n)d characters or fewer."), n=NOTE_MAX_LENGTH
            )
        elif text.strip():
            clean[key] = text.strip()
    if errors:
        raise FieldErrors(Message(N_("Some item comments cannot be stored.")), errors)
    return clean


def review(
    session: Session,
    actor: Any,
    inspection: Inspection,
    submission: Submission,
    decision: str,
    comment: str = "",
    item_comments: Mapping[str, Any] | None = None,
    expected_version: int | None = None,
) -> Submission:
    """Approve or return the inspection's latest submission through the workflow engine.

    A return needs a comment (the workflow requires it); per-item comments are kept on
    the submission so the returned checklist shows each one beside its item.
    """
    if decision not in DECISIONS:
        raise FieldErrors(
            Message(N_("Choose approve or return.")), {"decision": Message(N_("approve or return"))}
        )
    latest = latest_submission(session, inspection.id)
    if latest is None or latest.id != submission.id or submission.inspection_id != inspection.id:
        raise SubmissionConflict(
            "submission_superseded",
            Message(N_("Only the latest submission of an inspection is reviewed.")),
        )
    if submission.review_state != ReviewState.PENDING:
        raise SubmissionConflict(
            "already_reviewed",
            Message(
                N_("This submission was already reviewed (%(state)s)."),
                state=Message(REVIEWED.get(submission.review_state, submission.review_state)),
            ),
        )
    comments = _clean_item_comments(session, inspection, item_comments or {})
    if comments and decision != "return":
        raise FieldErrors(
            Message(N_("Item comments go with a return.")),
            {"item_comments": Message(N_("only when returning"))},
        )
    apply(
        session, actor, inspection, decision,
        expected_version=expected_version, fields={"comment": comment},
    )  # fmt: skip
    submission.review_state = DECISIONS[decision]
    submission.review_comment = comment.strip() or None
    submission.item_comments = comments
    submission.reviewed_by_id = getattr(actor, "id", None)
    submission.reviewed_at = utcnow()
    session.flush()
    if comments:
        record(
            session, actor, "inspection.item_comments", "inspection", inspection.id,
            after={"submission_id": submission.submission_id, "item_comments": comments},
        )  # fmt: skip
    return submission
