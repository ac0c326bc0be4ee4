"""The inspector's draft: saved as they work, and what it still lacks before a submit.

Drafts are kept apart from submissions because they follow other rules: incomplete
answers are fine, the last save wins (unless the device says which revision it edited),
and nothing is audited.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from dudao.core.database import utcnow
from dudao.core.errors import N_, Message
from dudao.definitions.answers import validate_submission
from dudao.definitions.queries import pinned
from dudao.definitions.spec import Definition
from dudao.inspections.models import Inspection
from dudao.inspections.submission_models import InspectionDraft
from dudao.inspections.submissions import (
    FieldErrors,
    SubmissionConflict,
    canonical_payload,
    check_open_for,
    just_validated,
)


def draft_of(session: Session, inspection_id: int) -> InspectionDraft | None:
    return session.scalar(
        select(InspectionDraft).where(InspectionDraft.inspection_id == inspection_id)
    )


def _structure_errors(definition: Definition, parts: dict[str, Any]) -> dict[str, str]:
    return {
        key: Message(N_("There is no question with this key."))
        for name in ("answers", "notes", "photos")
        for key in parts[name]
        if key not in definition._index
    }


def save_draft(
    session: Session,
    actor: Any,
    inspection: Inspection,
    payload: Mapping[str, Any],
    base_revision: int | None = None,
) -> InspectionDraft:
    """Keep the inspector's work as it is (incomplete answers allowed); last save wins
    unless `base_revision` names an older revision than the stored one, or another save
    of the same revision lands at the same moment (both refused as `draft_changed`).

    Not audited: a draft is the inspector's scratch pad, saved every few seconds; the
    submission (and every state change) is.
    """
    check_open_for(actor, inspection)
    parts = canonical_payload(payload)
    errors = _structure_errors(pinned(session, inspection.definition_version_id), parts)
    if errors:
        raise FieldErrors(
            Message(N_("The draft names questions that are not in this checklist.")), errors
        )
    try:
        with session.begin_nested():  # a save at the very moment of another tablet's
            draft = _stored(session, actor, inspection, parts, base_revision)
    except (IntegrityError, StaleDataError) as exc:
        raise SubmissionConflict(
            "draft_changed",
            Message(N_("The draft was saved elsewhere at the same moment; load it and merge.")),
        ) from exc
    return draft


def _stored(
    session: Session,
    actor: Any,
    inspection: Inspection,
    parts: dict[str, Any],
    base_revision: int | None,
) -> InspectionDraft:
    """The draft row with the new answers (its revision is counted by the mapper)."""
    draft = draft_of(session, inspection.id)
    if draft is None:
        draft = InspectionDraft(inspection_id=inspection.id)
        session.add(draft)
    elif base_revision is not None and base_revision != draft.revision:
        if (draft.answers, draft.notes, draft.photos) == (
            parts["answers"],
            parts["notes"],
            parts["photos"],
        ):
            return draft  # the device's own save sent again: nothing to merge
        raise SubmissionConflict(
            "draft_changed",
            Message(
                N_(
                    "The draft was saved elsewhere meanwhile (revision %(saved)d, yours is based "
                    "on %(base)d); load it and merge."
                ),
                saved=draft.revision,
                base=base_revision,
            ),
        )
    draft.answers, draft.notes, draft.photos = parts["answers"], parts["notes"], parts["photos"]
    draft.updated_at = utcnow()
    draft.updated_by_id = getattr(actor, "id", None)
    return draft


def missing_answers(session: Session, inspection: Inspection) -> dict[str, str]:
    """What the draft still lacks (empty when complete); nothing when this transaction has
    just stored a fully validated submission of the inspection."""
    if just_validated(session, inspection.id):
        return {}
    draft = draft_of(session, inspection.id)
    if draft is None:
        return {"answers": Message(N_("nothing has been answered yet"))}
    definition = pinned(session, inspection.definition_version_id)
    *_clean, errors = validate_submission(definition, draft.answers, draft.notes, draft.photos)
    return errors
