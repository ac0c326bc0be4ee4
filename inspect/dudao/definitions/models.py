"""Definitions in the database: one row per key, and its immutable versions.

A version holds the loader's normalised data and the SHA-256 of its canonical
JSON; every inspection and response pins a version id, so a version row is never
updated or deleted (the ORM refuses to). A changed definition is a new version.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Enum, ForeignKey, String, Text, UniqueConstraint, event
from sqlalchemy.orm import Mapped, mapped_column

from dudao.core.database import Base, UTCDateTime, utcnow
from dudao.definitions.spec import Kind


class Origin:
    """Where a version came from: the shipped `forms/` folder or an admin's upload."""

    SYNC = "sync"
    UPLOAD = "upload"


class FormDefinition(Base):
    """A checklist or questionnaire by key; its title mirrors the current version."""

    __tablename__ = "form_definition"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(100), unique=True)
    kind: Mapped[Kind] = mapped_column(
        Enum(Kind, native_enum=False, length=16, values_callable=lambda e: [m.value for m in e])
    )
    title_zh: Mapped[str] = mapped_column(Text)
    title_en: Mapped[str | None] = mapped_column(Text)
    # The number of the version new inspections and responses should pin.
    current_number: Mapped[int] = mapped_column(default=1)
    # Hash of the forms/ file at the last sync (None for upload-only definitions):
    # an unchanged file is recognised by it, and an upload is not undone by a sync.
    synced_hash: Mapped[str | None] = mapped_column(String(64))
    retired: Mapped[bool] = mapped_column(default=False)
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def title(self, locale: str) -> str:
        return self.title_en if locale.startswith("en") and self.title_en else self.title_zh

    def __repr__(self) -> str:
        return f"<FormDefinition {self.key} v{self.current_number}>"


class DefinitionVersion(Base):
    """One immutable content of a definition, numbered 1..n per definition."""

    __tablename__ = "definition_version"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Indexed through the unique (definition_id, number) constraint.
    definition_id: Mapped[int] = mapped_column(ForeignKey("form_definition.id"))
    number: Mapped[int]
    content_hash: Mapped[str] = mapped_column(String(64))
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    source_file: Mapped[str | None] = mapped_column(String(255))
    origin: Mapped[str] = mapped_column(String(16), default=Origin.SYNC)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # No ON DELETE SET NULL: that would rewrite an immutable row (accounts are
    # deactivated, not deleted).
    created_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    __table_args__ = (
        UniqueConstraint("definition_id", "number"),
        UniqueConstraint("definition_id", "content_hash"),
    )

    def __repr__(self) -> str:
        return f"<DefinitionVersion {self.definition_id} v{self.number}>"


class ImmutableVersion(RuntimeError):
    """A bug, not bad input: code tried to change or delete a pinned version."""


@event.listens_for(DefinitionVersion, "before_update")
def _refuse_update(_mapper: Any, _connection: Any, target: DefinitionVersion) -> None:
    raise ImmutableVersion(f"definition version {target.id} is immutable")


@event.listens_for(DefinitionVersion, "before_delete")
def _refuse_delete(_mapper: Any, _connection: Any, target: DefinitionVersion) -> None:
    raise ImmutableVersion(f"definition version {target.id} is immutable and pinned")
