"""Writes: branches register, edit and retire pioneer posts; the office records manual
entries towards targets, and corrects one only by a new entry. Every write is audited;
the caller commits once."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import date
from pathlib import Path, PurePath
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from dudao.audit.services import record
from dudao.core.enums import UnitLevel
from dudao.core.errors import N_, Message, ValidationError
from dudao.core.filekinds import holds_what_it_says
from dudao.feedback.services import (
    ALLOWED_SUFFIXES,
    MAX_ATTACHMENT_BYTES,
    MISNAMED,
    UNSUPPORTED,
)
from dudao.org.models import Unit
from dudao.targets.config import Target
from dudao.targets.models import PioneerPost, TargetEntry
from dudao.targets.queries import correction_of

#: No entry or post is dated before this: the targets have no start date of their own, and a
#: typo such as 0001-01-01 would otherwise count towards today's targets.
EARLIEST = date(2000, 1, 1)
EARLIEST_MESSAGE = N_("The date cannot be before %(earliest)s.")
POST_FIELDS = ("unit_id", "name", "member_count", "responsible", "established_on", "description")


class Stale(ValidationError):
    """Someone else changed the record since the form was opened."""


@dataclass(frozen=True)
class PostFields:
    unit: Unit
    name: str
    member_count: int
    responsible: str
    established_on: date
    description: str


@dataclass(frozen=True)
class EntryFields:
    unit: Unit
    entry_date: date
    amount: int
    description: str
    reference: str


@dataclass(frozen=True)
class Upload:
    filename: str
    data: bytes
    content_type: str


def _post_values(post: PioneerPost) -> dict[str, Any]:
    return {name: getattr(post, name) for name in POST_FIELDS}


def _check_post(fields: PostFields, today: date) -> None:
    if fields.unit.level != UnitLevel.BRANCH or not fields.unit.active:
        raise ValidationError(Message(N_("%(code)s is not an active party branch."),
                                      code=fields.unit.code))  # fmt: skip
    if fields.established_on > today:
        raise ValidationError(Message(N_("The establishment date is in the future.")))
    _not_too_early(fields.established_on)


def _not_too_early(day: date) -> None:
    if day < EARLIEST:
        raise ValidationError(Message(EARLIEST_MESSAGE, earliest=EARLIEST.isoformat()))


def _apply_post(post: PioneerPost, fields: PostFields) -> None:
    post.unit_id = fields.unit.id
    post.name = fields.name.strip()
    post.member_count = fields.member_count
    post.responsible = fields.responsible.strip() or None
    post.established_on = fields.established_on
    post.description = fields.description.strip()


def register_post(session: Session, actor: Any, fields: PostFields, today: date) -> PioneerPost:
    _check_post(fields, today)
    post = PioneerPost(created_by_id=getattr(actor, "id", None))
    _apply_post(post, fields)
    session.add(post)
    session.flush()
    record(session, actor, "pioneer_post.registered", "pioneer_post", post.id, None,
           _post_values(post))  # fmt: skip
    return post


def _flush_version(session: Session, post: PioneerPost, expected_version: int) -> None:
    if post.version != expected_version:
        raise Stale("The post was changed by someone else meanwhile.")
    try:
        session.flush()
    except StaleDataError:
        raise Stale("The post was changed by someone else meanwhile.") from None


def update_post(
    session: Session, actor: Any, post: PioneerPost, fields: PostFields, *,
    expected_version: int, today: date,
) -> PioneerPost:  # fmt: skip
    _check_post(fields, today)
    before = _post_values(post)
    _apply_post(post, fields)
    _flush_version(session, post, expected_version)
    after = _post_values(post)
    changed = {k for k in after if after[k] != before[k]}
    if changed:
        record(session, actor, "pioneer_post.updated", "pioneer_post", post.id,
               {k: before[k] for k in changed}, {k: after[k] for k in changed})  # fmt: skip
    return post


def retire_post(
    session: Session, actor: Any, post: PioneerPost, *, retired_on: date, reason: str,
    expected_version: int, today: date,
) -> PioneerPost:  # fmt: skip
    """A retired post stays on record but no longer counts towards targets."""
    if post.retired_on is not None:
        raise ValidationError(Message(N_("The post is already retired.")))
    if not post.established_on <= retired_on <= today:
        raise ValidationError(
            Message(N_("The retirement date must lie between establishment and today."))
        )
    _not_too_early(retired_on)
    post.retired_on, post.retired_reason = retired_on, reason.strip()
    _flush_version(session, post, expected_version)
    record(session, actor, "pioneer_post.retired", "pioneer_post", post.id, None,
           {"retired_on": retired_on, "reason": post.retired_reason})  # fmt: skip
    return post


def _store(session: Session, entry: TargetEntry, upload: Upload, data_dir: Path) -> None:
    suffix = PurePath(upload.filename).suffix.lower()
    if suffix not in ALLOWED_SUFFIXES:
        raise ValidationError(Message(UNSUPPORTED, file=upload.filename))
    if len(upload.data) > MAX_ATTACHMENT_BYTES:
        raise ValidationError(Message(N_("%(file)s: larger than 10 MB."), file=upload.filename))
    if not holds_what_it_says(suffix, upload.data):
        raise ValidationError(Message(MISNAMED, file=upload.filename, suffix=suffix))
    session.flush()  # the entry's id names its folder
    relative = f"targets/{entry.id}/{secrets.token_hex(16)}{suffix}"
    (data_dir / relative).parent.mkdir(parents=True, exist_ok=True)
    (data_dir / relative).write_bytes(upload.data)
    entry.evidence_name = PurePath(upload.filename).name[:255]
    entry.evidence_path = relative
    entry.evidence_type = upload.content_type[:100] or "application/octet-stream"
    entry.evidence_sha256 = hashlib.sha256(upload.data).hexdigest()


def _entry_values(entry: TargetEntry) -> dict[str, Any]:
    return {
        "target": entry.target_key, "unit_id": entry.unit_id, "date": entry.entry_date,
        "amount": entry.amount, "unit_of_count": entry.unit_of_count,
        "description": entry.description, "reference": entry.reference,
        "evidence": entry.evidence_name, "evidence_sha256": entry.evidence_sha256,
        "corrects": entry.corrects_id, "reason": entry.reason,
    }  # fmt: skip


def _new_entry(
    session: Session, actor: Any, target: Target, fields: EntryFields, upload: Upload | None,
    data_dir: Path, today: date, *, minimum: int,
) -> TargetEntry:  # fmt: skip
    if target.source != "manual":
        computed = N_("The target '%(key)s' is computed from data, not entered.")
        raise ValidationError(Message(computed, key=target.key))
    if fields.entry_date > today:
        raise ValidationError(Message(N_("The date is in the future.")))
    _not_too_early(fields.entry_date)
    if fields.amount < minimum:
        raise ValidationError(
            Message(N_("The amount must be at least %(minimum)s."), minimum=minimum)
        )
    entry = TargetEntry(
        target_key=target.key, unit_id=fields.unit.id, entry_date=fields.entry_date,
        amount=fields.amount, unit_of_count=target.unit_of_count.zh,
        description=fields.description.strip(), reference=fields.reference.strip() or None,
        created_by_id=getattr(actor, "id", None),
    )  # fmt: skip
    session.add(entry)
    if upload is not None:
        _store(session, entry, upload, data_dir)
    return entry


def add_entry(
    session: Session, actor: Any, target: Target, fields: EntryFields, upload: Upload | None,
    data_dir: Path, today: date,
) -> TargetEntry:  # fmt: skip
    """An amount achieved at a unit, with an evidence file or a reference (or both)."""
    if upload is None and not fields.reference.strip():
        raise ValidationError(Message(N_("Attach an evidence file or give a reference.")))
    entry = _new_entry(session, actor, target, fields, upload, data_dir, today, minimum=1)
    session.flush()
    record(session, actor, "target_entry.added", "target_entry", entry.id, None,
           _entry_values(entry))  # fmt: skip
    return entry


def correct_entry(
    session: Session, actor: Any, target: Target, old: TargetEntry, fields: EntryFields,
    upload: Upload | None, reason: str, data_dir: Path, today: date,
) -> TargetEntry:  # fmt: skip
    """A new entry replacing `old` (which stays on record, unchanged); the old file and
    reference carry over unless replaced. An amount of 0 withdraws the old entry."""
    newer = correction_of(session, old.id)
    if newer is not None:
        raise ValidationError(Message(N_("Entry #%(old)d was already corrected by entry #%(new)d."),
                                      old=old.id, new=newer))  # fmt: skip
    if not reason.strip():
        raise ValidationError(Message(N_("Say why the entry is corrected.")))
    entry = _new_entry(session, actor, target, fields, upload, data_dir, today, minimum=0)
    entry.corrects_id, entry.reason = old.id, reason.strip()[:500]
    if upload is None:
        entry.evidence_name, entry.evidence_path = old.evidence_name, old.evidence_path
        entry.evidence_type, entry.evidence_sha256 = old.evidence_type, old.evidence_sha256
    entry.reference = entry.reference or old.reference
    try:
        session.flush()
    except IntegrityError:  # a correction of the same entry committed meanwhile
        raise ValidationError(
            Message(N_("Entry #%(old)d was already corrected."), old=old.id)
        ) from None
    record(session, actor, "target_entry.corrected", "target_entry", entry.id,
           _entry_values(old) | {"id": old.id}, _entry_values(entry))  # fmt: skip
    return entry
