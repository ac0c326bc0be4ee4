"""Flags raised by trend detection (问题线索): one row per problem, moved by `flag_triage`.

A flag's fingerprint names the rule and its subject (unit, item, scope...). At most
one flag per fingerprint is open: `open_key` is 0 while the flag is open and the
flag's own id once it is resolved or dismissed, and (fingerprint, open_key) is
UNIQUE — the same guarantee as a partial unique index, on every database.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from dudao.core.database import Base, UTCDateTime, utcnow
from dudao.core.errors import N_
from dudao.org.models import Unit

#: Triage states in which a flag no longer counts as open.
CLOSED_STATES = ("resolved", "dismissed")
#: The rules' and severities' names, for the catalogue to translate: the triage pages
#: (`triage.evidence_labels`) and the period summary show them.
RULE_NAMES = {
    "critical_failure": N_("Critical item failed"),
    "recurring_failure": N_("Recurring failure"),
    "cross_unit": N_("Failure across units"),
    "deterioration": N_("Deteriorating scores"),
    "outlier": N_("Outlier unit"),
    "questionnaire_decline": N_("Satisfaction decline"),
    "feedback_theme": N_("Feedback theme"),
    "overdue_rectification": N_("Overdue rectifications"),
    "returned_inspection": N_("Inspection returned repeatedly"),
}
SEVERITY_NAMES = {"high": N_("High"), "medium": N_("Medium"), "low": N_("Low")}
#: The columns the triage queue filters and sorts on (its two indexes carry them).
QUEUE_COLUMNS = ("state", "severity", "rule", "assignee_id", "first_detected", "last_detected")


class Flag(Base):
    __tablename__ = "trend_flag"

    id: Mapped[int] = mapped_column(primary_key=True)
    rule: Mapped[str] = mapped_column(String(32))
    fingerprint: Mapped[str] = mapped_column(String(255))
    open_key: Mapped[int] = mapped_column(default=0)
    severity: Mapped[str] = mapped_column(String(16))
    workflow: Mapped[str] = mapped_column(String(64), default="flag_triage")
    state: Mapped[str] = mapped_column(String(32), default="new")
    version: Mapped[int] = mapped_column(default=1)
    # The scope the flag is about (a unit, or the company/organisation of a cross-unit flag).
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    unit_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    unit_codes: Mapped[list[str]] = mapped_column(JSON, default=list)
    item_key: Mapped[str | None] = mapped_column(String(100))
    definition_key: Mapped[str | None] = mapped_column(String(100))
    first_detected: Mapped[str] = mapped_column(String(16))
    last_detected: Mapped[str] = mapped_column(String(16))
    detected: Mapped[bool] = mapped_column(Boolean, default=True)
    evidence: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    due_date: Mapped[date | None] = mapped_column(Date)
    # The office user following the flag up (set on the flag page; migration 0009).
    assignee_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    state_changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    unit: Mapped[Unit] = relationship(lazy="joined")

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        UniqueConstraint("fingerprint", "open_key"),
        Index("ix_trend_flag_rule_state", "rule", "state"),
        # The triage queue (migration 0014): both indexes hold every column the queue
        # filters on, so its counts and the ids of a page are read from an index alone;
        # the first serves a viewer's subtree, the second the newest/oldest order and
        # deep pages.
        Index("ix_trend_flag_queue_scope", "unit_id", *QUEUE_COLUMNS, "created_at"),
        Index("ix_trend_flag_queue_created", "created_at", "id", "unit_id", *QUEUE_COLUMNS),
    )

    @validates("state")
    def _track_open(self, _key: str, state: str) -> str:
        """Keep `open_key` in step with the state, however the state is changed."""
        self.open_key = (self.id or 0) if state in CLOSED_STATES else 0
        return state

    @property
    def is_open(self) -> bool:
        return self.state not in CLOSED_STATES

    @property
    def assignee_ids(self) -> set[int]:
        return {self.assignee_id} if self.assignee_id else set()
