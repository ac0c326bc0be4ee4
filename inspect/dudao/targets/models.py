"""Pioneer posts that branches register, and the office's manual entries towards targets.

A manual entry is never edited: a correction is a new entry pointing at the one it
replaces (`corrects_id`, unique, so an entry is corrected at most once), and only
entries nobody has corrected count.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from dudao.core.database import Base, UTCDateTime, utcnow
from dudao.org.models import Unit


class PioneerPost(Base):
    """A 党员先锋岗 of one branch. Personal data is kept minimal: a member count and,
    only if the branch wants to name them, who is responsible for the post."""

    __tablename__ = "pioneer_post"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    member_count: Mapped[int]
    responsible: Mapped[str | None] = mapped_column(String(200))
    established_on: Mapped[date] = mapped_column(Date)
    description: Mapped[str] = mapped_column(Text)
    retired_on: Mapped[date | None] = mapped_column(Date)
    retired_reason: Mapped[str | None] = mapped_column(String(500))
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    unit: Mapped[Unit] = relationship()

    __mapper_args__ = {"version_id_col": version}

    @property
    def active(self) -> bool:
        return self.retired_on is None


class TargetEntry(Base):
    """An amount the office records towards a `manual` target, with its evidence: an
    uploaded file (under data_dir/targets/<entry id>/) or a reference, or both."""

    __tablename__ = "target_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    target_key: Mapped[str] = mapped_column(String(64), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    entry_date: Mapped[date] = mapped_column(Date)
    amount: Mapped[int]
    #: The target's unit of count when the entry was made (zh), so history reads right.
    unit_of_count: Mapped[str] = mapped_column(String(100))
    description: Mapped[str] = mapped_column(Text)
    reference: Mapped[str | None] = mapped_column(String(500))
    evidence_name: Mapped[str | None] = mapped_column(String(255))
    evidence_path: Mapped[str | None] = mapped_column(String(255))
    evidence_type: Mapped[str | None] = mapped_column(String(100))
    evidence_sha256: Mapped[str | None] = mapped_column(String(64))
    corrects_id: Mapped[int | None] = mapped_column(ForeignKey("target_entry.id"), unique=True)
    reason: Mapped[str | None] = mapped_column(String(500))
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    unit: Mapped[Unit] = relationship()
    corrects: Mapped[TargetEntry | None] = relationship(remote_side=[id])
