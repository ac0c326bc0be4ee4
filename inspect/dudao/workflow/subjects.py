"""The kinds of things a workflow moves (inspections, later rectifications and flags).

Timers and notifications work on every kind the same way, through this registry,
so the workflow package needs no import of the features that use it. A feature
registers its subject in a module listed in SUBJECT_MODULES (like guards).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

#: Modules that call `register_subject`; imported before the registry is read.
SUBJECT_MODULES = (
    "dudao.inspections.subject",
    "dudao.inspections.rectification_subject",
    "dudao.trends.subject",
    "dudao.feedback.subject",
)


#: Who works on a subject (`SubjectType.workers`).
ASSIGNED, UNIT_LEADS, NOBODY = "assigned", "unit_leads", "nobody"


@dataclass(frozen=True)
class SubjectType:
    """`model` has id, unit (relationship), workflow, state and version columns and a due
    date column named `due`; `assignment` is the table of (`subject_column`, user_id) rows
    naming its assignees (None: the subject's own `assignee_ids` name them).

    `workers` says who a notification for "the assignees" reaches: ASSIGNED, the
    assignees; UNIT_LEADS, the leads of the subject's unit (a rectification task, whose
    `assignee_ids` is its verifier); NOBODY (named feedback, for the office and its author
    alone). `author_link`, where the subject's author reads it (their own page: the
    office's `link` is not theirs to open); `link` when None."""

    table: str
    model: Any
    assignment: Any | None
    subject_column: str
    link: Callable[[int], str]
    noun: tuple[str, str]  # (Chinese, English), for notification titles
    due: str = "due_date"
    workers: str = ASSIGNED
    author_link: Callable[[int], str] | None = None

    def link_for(self, audience: str, subject_id: int) -> str:
        """The page a notification for `audience` ("author", "office"...) opens."""
        if audience == "author" and self.author_link is not None:
            return self.author_link(subject_id)
        return self.link(subject_id)

    def noun_in(self, locale: str) -> str:
        """The noun a reader of `locale` sees (like `Unit.name_in`: English for English)."""
        return self.noun[1] if locale.startswith("en") else self.noun[0]

    @property
    def due_column(self) -> Any:
        return getattr(self.model, self.due)

    def due_date(self, subject: Any) -> Any:
        return getattr(subject, self.due)

    def assignees(self, session: Session, subjects: list[Any]) -> dict[int, set[int]]:
        """Assignee ids of many loaded subjects: the assignment table's users (one query),
        or without one the subjects' own `assignee_ids` (a flag's assignee, a rectification's
        verifier); nobody when `workers` is NOBODY. Notifications and timers both ask here."""
        ids = [s.id for s in subjects]
        found: dict[int, set[int]] = {i: set() for i in ids}
        if self.workers == NOBODY:
            return found
        if self.assignment is None:
            return {s.id: set(s.assignee_ids) for s in subjects}
        column = getattr(self.assignment, self.subject_column)
        for chunk in _chunks(ids):
            rows = session.execute(select(column, self.assignment.user_id).where(column.in_(chunk)))
            for subject_id, user_id in rows:
                found[subject_id].add(user_id)
        return found


_SUBJECTS: dict[str, SubjectType] = {}


def register_subject(subject: SubjectType) -> SubjectType:
    _SUBJECTS[subject.table] = subject
    return subject


def subject_types() -> dict[str, SubjectType]:
    for module in SUBJECT_MODULES:
        importlib.import_module(module)
    return dict(_SUBJECTS)


def subject_type(table: str) -> SubjectType | None:
    return subject_types().get(table)


def _chunks(ids: list[int], size: int = 500) -> list[list[int]]:
    return [ids[i : i + size] for i in range(0, len(ids), size)]
