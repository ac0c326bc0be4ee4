"""The org tree: units of any depth, stored with a materialised path for fast subtrees."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Enum, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from dudao.core.database import Base, UTCDateTime, utcnow
from dudao.core.enums import UnitLevel


def name_in(name: str, name_en: str | None, locale: str) -> str:
    """The one rule for a unit's name in a language: the English name on English pages
    when the unit has one, the Chinese name otherwise (a unit always has that)."""
    return name_en if name_en and locale.startswith("en") else name


class Unit(Base):
    """A node of the org tree.

    `path` is the ids from the root down to this unit, e.g. ``/1/7/42/``: a subtree
    is one indexed prefix query, and moving a unit rewrites one prefix.

    `deactivated_at` is the moment an inactive unit was deactivated. Units deactivated in
    one act (a unit and the active units below it) share that moment, which is how their
    reactivation knows them (`queries.deactivated_with`).
    """

    __tablename__ = "unit"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str | None] = mapped_column(String(200))
    level: Mapped[UnitLevel] = mapped_column(
        Enum(
            UnitLevel, native_enum=False, length=16, values_callable=lambda e: [m.value for m in e]
        )
    )
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), index=True)
    path: Mapped[str] = mapped_column(String(1000))
    depth: Mapped[int] = mapped_column(default=0)
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    headcount: Mapped[int | None]
    active: Mapped[bool] = mapped_column(default=True)
    deactivated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    parent: Mapped[Unit | None] = relationship(remote_side=[id])

    __table_args__ = (Index("ix_unit_path", "path", postgresql_ops={"path": "text_pattern_ops"}),)

    def name_in(self, locale: str) -> str:
        """The name a reader of `locale` sees (see the module's `name_in`)."""
        return name_in(self.name, self.name_en, locale)

    def is_within(self, ancestor_path: str) -> bool:
        return self.path.startswith(ancestor_path)

    @property
    def ancestor_ids(self) -> list[int]:
        return [int(part) for part in self.path.strip("/").split("/") if part]

    def __repr__(self) -> str:
        return f"<Unit {self.code} {self.name}>"
