"""Reads for the tablets' JSON API: an inspector's assignments with what syncing needs."""

from __future__ import annotations

from typing import Any

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session, joinedload

from dudao.definitions.models import DefinitionVersion, FormDefinition
from dudao.inspections.models import Inspection, InspectionAssignment
from dudao.inspections.submission_models import InspectionDraft, Submission
from dudao.org.models import Unit

#: States the tablet shows: work to do, and work waiting for the office's review.
LISTED_STATES = ("assigned", "in_progress", "returned", "submitted")


def unit_ref(unit: Unit) -> dict[str, Any]:
    """A unit as the API names it: both names, so a client shows the one for its reader's
    language (`name_en` where set, else `name`; the rule of `Unit.name_in`) offline too."""
    return {"id": unit.id, "code": unit.code, "name": unit.name, "name_en": unit.name_en}


def assignments(session: Session, user_id: int) -> list[dict[str, Any]]:
    """The user's inspections in LISTED_STATES, by due date, in three queries."""
    rows = session.execute(
        select(Inspection, DefinitionVersion.number, DefinitionVersion.content_hash,
               FormDefinition.key, FormDefinition.title_zh, FormDefinition.title_en)
        .join(InspectionAssignment, InspectionAssignment.inspection_id == Inspection.id)
        .join(DefinitionVersion, DefinitionVersion.id == Inspection.definition_version_id)
        .join(FormDefinition, FormDefinition.id == DefinitionVersion.definition_id)
        .where(InspectionAssignment.user_id == user_id, Inspection.state.in_(LISTED_STATES))
        .order_by(Inspection.due_date, Inspection.id)
    ).all()  # fmt: skip
    ids = [row[0].id for row in rows]
    drafts = dict(
        session.execute(
            select(InspectionDraft.inspection_id, InspectionDraft.revision).where(
                InspectionDraft.inspection_id.in_(ids)
            )
        ).all()
    )
    newest = (
        select(func.max(Submission.id))
        .where(Submission.inspection_id.in_(ids))
        .group_by(Submission.inspection_id)
    )
    latest = {
        s.inspection_id: s
        for s in session.scalars(select(Submission).where(Submission.id.in_(newest)))
    }
    result = []
    for inspection, number, digest, key, title_zh, title_en in rows:
        submission = latest.get(inspection.id)
        result.append(
            {
                "id": inspection.id,
                "state": inspection.state,
                "version": inspection.version,
                "due_date": inspection.due_date.isoformat(),
                "origin": inspection.origin,
                "unit": unit_ref(inspection.unit),
                "definition_version_id": inspection.definition_version_id,
                "definition": {
                    "key": key,
                    "number": number,
                    "content_hash": digest,
                    "title": {"zh": title_zh, "en": title_en},
                },
                "draft_revision": drafts.get(inspection.id),
                "latest_submission": None
                if submission is None
                else {
                    "submission_id": submission.submission_id,
                    "review_state": submission.review_state,
                },
            }
        )
    return result


#: Built once: every API call on an inspection runs it.
_FOR_WORK = (
    select(Inspection)
    .where(Inspection.id == bindparam("id"))
    .options(
        joinedload(Inspection.assignments),
        joinedload(Inspection.definition_version).load_only(DefinitionVersion.content_hash),
    )
)


def inspection_for_work(session: Session, inspection_id: int) -> Inspection | None:
    """The inspection with its unit, its assignees and its pinned version's content hash in
    one query: what every API call checks (who may see it) and what a submission needs
    (`pinned` then finds the version in the identity map and its definition by that hash)."""
    return session.scalars(_FOR_WORK, {"id": inspection_id}).unique().one_or_none()
