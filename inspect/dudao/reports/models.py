"""A requested report (one PDF, or a ZIP of many) and how far its generation has got.

The row is the truth; the RQ job is transport. `key` is the hash of what the
report shows (kind, parameters and a fingerprint of the data), so asking again
for the same report returns the same row and file, and a changed inspection
makes a new one. A request stuck in 'running' after its worker died is taken
over by the periodic sweep (reports/jobs.py).
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from dudao.core.database import Base, UTCDateTime, utcnow
from dudao.org.models import Unit


class ReportState(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class ReportKind(StrEnum):
    INSPECTION = "inspection"
    BATCH = "batch"
    SUMMARY = "summary"
    CAMPAIGN = "campaign"


class ReportRequest(Base):
    __tablename__ = "report_request"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(32))
    params: Mapped[dict[str, Any]] = mapped_column(JSON)
    # Who may download it: viewers entitled on this unit (docs/reports.md).
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    state: Mapped[str] = mapped_column(String(16), default=ReportState.QUEUED)
    progress_done: Mapped[int] = mapped_column(Integer, default=0)
    progress_total: Mapped[int] = mapped_column(Integer, default=0)
    file_path: Mapped[str | None] = mapped_column(String(255))
    file_name: Mapped[str] = mapped_column(String(200))
    error: Mapped[str | None] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    job_id: Mapped[str | None] = mapped_column(String(64))
    requested_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    unit: Mapped[Unit] = relationship(lazy="joined")

    __table_args__ = (Index("ix_report_request_state_heartbeat", "state", "heartbeat_at"),)

    @property
    def percent(self) -> int:
        if self.state == ReportState.DONE:
            return 100
        return int(100 * self.progress_done / self.progress_total) if self.progress_total else 0
