"""Writing definitions: store a version, sync the `forms/` folder (uploads: uploading.py).

Every distinct content (SHA-256 of the canonical JSON of the loader's normalised
data) is one immutable `DefinitionVersion`; nothing here updates or deletes one.
Bad input is all or nothing: every located problem is reported and nothing is
written. Functions flush; the caller commits once.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy import text as sql_text
from sqlalchemy.orm import Session

from dudao.audit.services import record
from dudao.core.database import utcnow
from dudao.core.errors import N_, Listed, Message, Plural, ValidationError
from dudao.definitions.formfolder import load_folder
from dudao.definitions.loader import LoadedDefinition
from dudao.definitions.models import DefinitionVersion, FormDefinition, Origin
from dudao.definitions.problems import DefinitionError, Problem
from dudao.definitions.spec import KIND_NAMES, Kind

SOURCE_FILE_MAX = 255
_LOCK_KEY = 0x64656673  # "defs"


def plain_file_name(filename: str) -> str:
    """A file's own name (no folders, Windows' either), with only letters, digits, '.',
    '-' and '_' kept: what the upload form's file name field takes."""
    return re.sub(r"[^\w.\-]", "_", Path(filename.replace("\\", "/")).name).lstrip(".")


def canonical_json(data: dict[str, Any]) -> str:
    """One spelling per content: sorted keys, no whitespace, UTF-8 kept as is."""
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def content_hash(data: dict[str, Any]) -> str:
    return hashlib.sha256(canonical_json(data).encode()).hexdigest()


#: What a sync did to a definition, in the words of `dudao forms sync`.
ACTIONS = {
    "created": N_("created"),
    "new_version": N_("new version"),
    "current": N_("back at an earlier version"),
    "restored": N_("restored"),
    "retired": N_("retired"),
    "unchanged": N_("unchanged"),
}
#: The same as counts in the summary line, "2 definitions: 1 created; 1 with a new version."
COUNTS = {
    "created": N_("%(num)d created"),
    "new_version": N_("%(num)d with a new version"),
    "current": N_("%(num)d back at an earlier version"),
    "restored": N_("%(num)d restored"),
    "retired": N_("%(num)d retired"),
    "unchanged": N_("%(num)d unchanged"),
}


@dataclass(frozen=True)
class SyncEntry:
    key: str
    action: str  # created | new_version | current | restored | unchanged | retired
    number: int
    source_file: str | None = None

    def as_message(self) -> Message:
        """`key (file): created (version 1)`, for any reader."""
        action = Message(ACTIONS[self.action])
        if self.source_file:
            return Message(N_("%(key)s (%(file)s): %(action)s (version %(number)d)"),
                           key=self.key, file=self.source_file, action=action,
                           number=self.number)  # fmt: skip
        return Message(N_("%(key)s: %(action)s (version %(number)d)"), key=self.key,
                       action=action, number=self.number)  # fmt: skip


@dataclass
class SyncReport:
    entries: list[SyncEntry] = field(default_factory=list)

    def keys(self, action: str) -> list[str]:
        return [entry.key for entry in self.entries if entry.action == action]

    @property
    def changed(self) -> bool:
        return any(entry.action != "unchanged" for entry in self.entries)

    def summary(self) -> Plural:
        """One line for the command, in its reader's language."""
        counts = Listed(Message(text, num=len(self.keys(action)))
                        for action, text in COUNTS.items() if self.keys(action))  # fmt: skip
        count = len(self.entries)
        if not counts.parts:
            return Plural("%(num)d definition.", "%(num)d definitions.", num=count)
        return Plural("%(num)d definition: %(counts)s.", "%(num)d definitions: %(counts)s.",
                      num=count, counts=counts)  # fmt: skip


@dataclass(frozen=True)
class StoredVersion:
    definition: FormDefinition
    version: DefinitionVersion
    created: bool  # False when the same content already was a version
    restored: bool = False  # the definition was retired, and is in use again


def _kind_problems(
    session: Session, loaded: list[tuple[str, LoadedDefinition]], folder_name: str
) -> list[Problem]:
    kinds = dict(session.execute(select(FormDefinition.key, FormDefinition.kind)).all())
    problems = []
    for name, result in loaded:
        definition = result.definition
        known = kinds.get(definition.key)
        if known is not None and known != definition.kind:
            problems.append(_kind_changed(result, f"{folder_name}/{name}", known))
    return problems


def _kind_changed(loaded: LoadedDefinition, file: str, stored: Kind) -> Problem:
    """The kinds in words (检查表, 问卷), in the reader's language where it is shown, at the
    line of the `kind:` key."""
    spec = loaded.definition
    message = Message(
        N_(
            "'%(key)s' is a %(stored)s in the database; a new version cannot make it a "
            "%(new)s (use a new key)"
        ),
        key=spec.key,
        stored=Message(KIND_NAMES[stored]),
        new=Message(KIND_NAMES[spec.kind]),
    )
    line, col = loaded.source.locate(("kind",), key=True) if loaded.source else (1, 1)
    return Problem(file, line, col, "kind", message)


def snapshot(definition: FormDefinition) -> dict[str, Any]:
    return {
        "key": definition.key,
        "kind": definition.kind.value,
        "title": definition.title_zh,
        "current_number": definition.current_number,
        "retired": definition.retired,
    }


def store(
    session: Session,
    actor: Any,
    loaded: LoadedDefinition,
    source_file: str | None,
    origin: str,
) -> tuple[StoredVersion, str]:
    """Make `loaded` the current version of its key; returns what happened."""
    spec = loaded.definition
    digest = content_hash(loaded.data)
    source_file = source_file[:SOURCE_FILE_MAX] if source_file else None
    definition = session.scalar(select(FormDefinition).where(FormDefinition.key == spec.key))
    action = "current"
    if definition is None:
        definition = FormDefinition(
            key=spec.key,
            kind=spec.kind,
            title_zh=spec.title.zh,
            title_en=spec.title.en,
            current_number=1,
        )
        session.add(definition)
        session.flush()
        record(
            session, actor, "definition.create", "form_definition", definition.id,
            after=snapshot(definition),
        )  # fmt: skip
        action = "created"
    elif definition.kind != spec.kind:
        raise DefinitionError([_kind_changed(loaded, source_file or spec.key, definition.kind)])
    version = session.scalar(
        select(DefinitionVersion).where(
            DefinitionVersion.definition_id == definition.id,
            DefinitionVersion.content_hash == digest,
        )
    )
    created = version is None
    if version is None:
        last = session.scalar(
            select(func.max(DefinitionVersion.number)).where(
                DefinitionVersion.definition_id == definition.id
            )
        )
        version = DefinitionVersion(
            definition_id=definition.id,
            number=(last or 0) + 1,
            content_hash=digest,
            data=loaded.data,
            source_file=source_file,
            origin=origin,
            created_by=getattr(actor, "id", None),
        )
        session.add(version)
        session.flush()
        record(
            session, actor, "definition.version", "definition_version", version.id,
            after={"key": spec.key, "number": version.number, "content_hash": digest,
                   "source_file": source_file, "origin": origin},
        )  # fmt: skip
        if action != "created":
            action = "new_version"
    before = snapshot(definition)
    definition.current_number = version.number
    definition.title_zh, definition.title_en = spec.title.zh, spec.title.en
    definition.retired, definition.retired_at = False, None
    after = snapshot(definition)
    if action != "created" and after != before:
        record(session, actor, "definition.update", "form_definition", definition.id, before, after)
    if action == "current" and after == before:
        action = "unchanged"
    elif action == "current" and before["retired"] and before["current_number"] == version.number:
        action = "restored"
    session.flush()
    return StoredVersion(definition, version, created, before["retired"]), action


def serialise(session: Session) -> None:
    """One definition writer at a time on PostgreSQL, so two syncs or uploads of the same
    content do not both try to insert it (SQLite serialises writers by itself)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(sql_text("SELECT pg_advisory_xact_lock(:key)"), {"key": _LOCK_KEY})


def sync_forms(session: Session, actor: Any, folder: Path) -> SyncReport:
    """Load every definition file in `folder` into the database, all or nothing.

    A new content becomes a new current version; a file whose content is the same
    as at the last sync creates nothing; a definition whose file is gone is
    retired, with its versions kept for whatever pinned them.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise ValidationError(
            Message(N_("%(folder)s is not a folder; nothing was synced."), folder=str(folder))
        )
    loaded, problems = load_folder(folder)
    serialise(session)
    problems.extend(_kind_problems(session, loaded, folder.name))
    if problems:
        raise DefinitionError(problems)
    report = SyncReport()
    for name, result in loaded:
        definition = session.scalar(
            select(FormDefinition).where(FormDefinition.key == result.definition.key)
        )
        digest = content_hash(result.data)
        if definition is not None and definition.synced_hash == digest and not definition.retired:
            entry = SyncEntry(definition.key, "unchanged", definition.current_number, name)
            report.entries.append(entry)
            continue
        stored, action = store(session, actor, result, name, Origin.SYNC)
        stored.definition.synced_hash = digest
        number = stored.version.number
        report.entries.append(SyncEntry(stored.definition.key, action, number, name))
    present = {result.definition.key for _, result in loaded}
    gone = session.scalars(
        select(FormDefinition)
        .where(FormDefinition.synced_hash.is_not(None), FormDefinition.retired.is_(False))
        .order_by(FormDefinition.key)
    ).all()
    for definition in gone:
        if definition.key in present:
            continue
        before = snapshot(definition)
        definition.retired, definition.retired_at = True, utcnow()
        record(
            session, actor, "definition.retire", "form_definition", definition.id,
            before, snapshot(definition),
        )  # fmt: skip
        report.entries.append(SyncEntry(definition.key, "retired", definition.current_number))
    session.flush()
    return report
