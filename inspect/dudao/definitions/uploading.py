"""An administrator's upload of one definition file, and the earlier version it may name.

An upload is checked like the sync checks a file and becomes the current version. Its
content may already be an earlier version: then nothing is written and the page offers
to make that version current again (`make_current`), which an upload did silently once.
Functions flush; the caller commits.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from dudao.core.errors import N_, Message, ValidationError
from dudao.definitions import queries
from dudao.definitions.loader import LoadedDefinition, load_text
from dudao.definitions.models import DefinitionVersion, FormDefinition, Origin
from dudao.definitions.services import StoredVersion, content_hash, serialise, store


class EarlierVersion(ValidationError):
    """An upload whose content is an earlier version of its key, not the current one."""

    def __init__(self, version: DefinitionVersion, key: str, current: int) -> None:
        super().__init__(Message(
            N_("This content already is version %(number)d of %(key)s, but version "
               "%(current)d is the current one. Nothing was saved."),
            number=version.number, key=key, current=current,
        ))  # fmt: skip
        self.version = version


def upload_version(session: Session, actor: Any, text: str, filename: str) -> StoredVersion:
    """Validate one uploaded file like the sync does and make it the current version.

    Raises `DefinitionError` (a `ValidationError`) with every located problem, or
    `EarlierVersion`; nothing is written then. The same content uploaded twice is one
    version.
    """
    loaded = load_text(text, filename)
    serialise(session)
    earlier = session.execute(
        select(DefinitionVersion, FormDefinition.current_number)
        .join(FormDefinition, FormDefinition.id == DefinitionVersion.definition_id)
        .where(FormDefinition.key == loaded.definition.key,
               DefinitionVersion.content_hash == content_hash(loaded.data),
               DefinitionVersion.number != FormDefinition.current_number)
    ).first()  # fmt: skip
    if earlier is not None:
        raise EarlierVersion(earlier[0], loaded.definition.key, earlier[1])
    name = Path(filename.replace("\\", "/")).name or None
    stored, _action = store(session, actor, loaded, name, Origin.UPLOAD)
    return stored


def make_current(session: Session, actor: Any, version: DefinitionVersion) -> StoredVersion:
    """Make an earlier version current again (and its definition in use, if retired), as
    storing its content again does; audited as `definition.update`."""
    serialise(session)
    loaded = LoadedDefinition(queries.pinned(session, version.id), version.data)
    stored, _action = store(session, actor, loaded, version.source_file, version.origin)
    return stored
