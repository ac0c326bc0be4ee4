"""Server-side validation of one submission, shared by the web form and the JSON API.

It knows nothing of Flask requests: it takes the submitted values (form strings
or JSON values) keyed by item key and returns the answers as they are stored,
or the problems keyed by item key, never both partly.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dudao.core.errors import N_, Message
from dudao.definitions.itembase import at_most_photos
from dudao.definitions.items import AnswerError, is_blank, kind_of
from dudao.definitions.scoring import ScoreResult, score
from dudao.definitions.showif import visible_items
from dudao.definitions.spec import Definition, Evidence, Kind

NOTE_MAX_LENGTH = 2000
EVIDENCE_PHOTOS_MAX = 5


def validate_answers(
    definition: Definition, answers: Mapping[str, Any]
) -> tuple[dict[str, Any], dict[str, str]]:
    """(clean answers, errors by item key): coercion, show_if, required and type checks.

    Answers to hidden items are dropped and hidden items are never required;
    keys that name no item are reported as errors under that key.
    """
    coerced: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for item in definition.items:
        kind = kind_of(item)
        if not kind.answerable:
            continue
        raw = answers.get(item.key)
        try:
            value = None if is_blank(raw) else kind.coerce(item, raw)
        except AnswerError as exc:
            errors[item.key] = exc.message
            continue
        if value is not None:
            coerced[item.key] = value
    for key in answers:
        if key not in definition._index:
            errors[key] = Message(N_("There is no question with this key."))

    shown = visible_items(definition, coerced)
    clean: dict[str, Any] = {}
    for item in definition.items:
        if item.key not in shown:
            errors.pop(item.key, None)
            continue
        if item.key in errors or not kind_of(item).answerable:
            continue
        value = coerced.get(item.key)
        if is_blank(value):
            if item.required:
                errors[item.key] = Message(N_("This question needs an answer."))
            continue
        try:
            kind_of(item).check(item, value, item.required)
        except AnswerError as exc:
            errors[item.key] = exc.message
            continue
        clean[item.key] = value
    return clean, errors


def validate_evidence(
    definition: Definition, notes: Mapping[str, Any], photos: Mapping[str, Any]
) -> tuple[dict[str, str], dict[str, list[str]], dict[str, str]]:
    """(notes, photo ids, errors) for the note/photo evidence attached to checklist items."""
    clean_notes: dict[str, str] = {}
    clean_photos: dict[str, list[str]] = {}
    errors: dict[str, str] = {}
    for key, note in notes.items():
        if key not in definition._index or not isinstance(note, str):
            errors[key] = Message(N_("A note must be text attached to a question."))
            continue
        text = note.replace("\r\n", "\n").strip()
        if len(text) > NOTE_MAX_LENGTH:
            errors[key] = Message(
                N_("Keep the note to %(n)d characters or fewer."), n=NOTE_MAX_LENGTH
            )
        elif text:
            clean_notes[key] = text
    for key, ids in photos.items():
        values = [ids] if isinstance(ids, str) else ids
        if key not in definition._index or not isinstance(values, list | tuple):
            errors[key] = Message(N_("Photos must be attached to a question."))
            continue
        if not all(isinstance(v, str) for v in values):
            errors[key] = Message(N_("Name each photo by the id its upload answered."))
            continue
        kept = [v.strip() for v in values if v.strip()]
        if len(kept) > EVIDENCE_PHOTOS_MAX:
            errors[key] = at_most_photos(EVIDENCE_PHOTOS_MAX)
        elif kept:
            clean_photos[key] = kept
    return clean_notes, clean_photos, errors


def evidence_message(needed: Evidence) -> str:
    """What a failed item still needs, in words."""
    messages = {
        Evidence.NOTE: Message(N_("This item failed: add a note saying what was wrong.")),
        Evidence.PHOTO: Message(N_("This item failed: add a photo as evidence.")),
        Evidence.NOTE_OR_PHOTO: Message(N_("This item failed: add a note or a photo.")),
        Evidence.NOTE_AND_PHOTO: Message(N_("This item failed: add a note and a photo.")),
    }
    return messages.get(needed, "")


def validate_submission(
    definition: Definition,
    answers: Mapping[str, Any],
    notes: Mapping[str, Any] | None = None,
    photos: Mapping[str, Any] | None = None,
) -> tuple[dict[str, Any], dict[str, str], dict[str, list[str]], dict[str, str]]:
    """Answers plus evidence: (answers, notes, photos, errors).

    A failed checklist item without the evidence its definition asks for is an
    error on that item, so a submission is complete or it is refused.
    """
    clean, clean_notes, clean_photos, errors, _score = validate_and_score(
        definition, answers, notes, photos
    )
    return clean, clean_notes, clean_photos, errors


def validate_and_score(
    definition: Definition,
    answers: Mapping[str, Any],
    notes: Mapping[str, Any] | None = None,
    photos: Mapping[str, Any] | None = None,
) -> tuple[
    dict[str, Any], dict[str, str], dict[str, list[str]], dict[str, str], ScoreResult | None
]:
    """`validate_submission` plus the checklist's score it computed on the way (None for
    other kinds), so that a submission is scored once."""
    clean, errors = validate_answers(definition, answers)
    clean_notes, clean_photos, evidence_errors = validate_evidence(
        definition, notes or {}, photos or {}
    )
    for key, message in evidence_errors.items():
        errors.setdefault(key, message)
    result = None
    if definition.kind == Kind.CHECKLIST:
        result = score(definition, clean, clean_notes, clean_photos)
        for key, needed in result.missing_evidence.items():
            errors.setdefault(key, evidence_message(needed))
    return clean, clean_notes, clean_photos, errors, result
