"""Inspections: one checklist to fill for one unit, created by a schedule, a draw or the office.

Issue 4 creates them and moves them through the workflow; the tablet client adds
answers, findings and rectifications on top.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from dudao.core.database import Base, UTCDateTime, utcnow
from dudao.definitions.models import DefinitionVersion
from dudao.org.models import Unit


class InspectionOrigin(StrEnum):
    PERIODIC = "periodic"
    AD_HOC = "ad_hoc"
    DRAW = "draw"
    #: Loaded from an organisation's earlier records (`dudao import inspections`).
    IMPORT = "import"


class Inspection(Base):
    """`(schedule_id, unit_id, period_key)` is unique, so materialising twice creates nothing.

    `version` is the optimistic lock: the workflow engine refuses a transition made
    against an older version ("changed meanwhile").
    """

    __tablename__ = "inspection"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    definition_version_id: Mapped[int] = mapped_column(ForeignKey("definition_version.id"))
    workflow: Mapped[str] = mapped_column(String(64), default="inspection")
    state: Mapped[str] = mapped_column(String(32))
    version: Mapped[int] = mapped_column(default=1)
    origin: Mapped[str] = mapped_column(String(16))
    schedule_id: Mapped[int | None] = mapped_column(ForeignKey("schedule.id"))
    draw_id: Mapped[int | None] = mapped_column(ForeignKey("spot_check_draw.id"), index=True)
    period_key: Mapped[str | None] = mapped_column(String(32))
    period_start: Mapped[date | None] = mapped_column(Date)
    due_date: Mapped[date] = mapped_column(Date)
    reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    state_changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    unit: Mapped[Unit] = relationship(lazy="joined")
    #: The pinned version; loaded on purpose only (its content hash, for `pinned`).
    definition_version: Mapped[DefinitionVersion] = relationship(viewonly=True)
    assignments: Mapped[list[InspectionAssignment]] = relationship(
        back_populates="inspection", cascade="all, delete-orphan", lazy="selectin"
    )

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        UniqueConstraint("schedule_id", "unit_id", "period_key"),
        Index("ix_inspection_state_due", "state", "due_date"),
    )

    @property
    def assignee_ids(self) -> set[int]:
        return {assignment.user_id for assignment in self.assignments}

    @property
    def content_hash(self) -> str:
        """The pinned version's content hash (see `definitions.queries.pinned`)."""
        return self.definition_version.content_hash


class InspectionAssignment(Base):
    __tablename__ = "inspection_assignment"

    id: Mapped[int] = mapped_column(primary_key=True)
    inspection_id: Mapped[int] = mapped_column(ForeignKey("inspection.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    assigned_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    inspection: Mapped[Inspection] = relationship(back_populates="assignments")

    __table_args__ = (UniqueConstraint("inspection_id", "user_id"),)
