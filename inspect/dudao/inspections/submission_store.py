"""The rows of a new submission, written with as few statements as they need.

A submission is the tablets' hottest write (see docs/api.md, Performance): its
submission and finding rows and its draft go in as one statement on PostgreSQL, and as
two Core INSERTs and one upsert elsewhere, instead of through the ORM's unit of work,
which costs as much again as the rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import insert
from sqlalchemy.orm import Session, make_transient_to_detached
from sqlalchemy.orm.util import identity_key

from dudao.core.database import dialect_insert
from dudao.inspections.submission_models import (
    Finding,
    InspectionDraft,
    ReviewState,
    Submission,
)
from dudao.inspections.submission_sql import params, stored_together

_SUBMISSION = Submission.__table__
_FINDING = Finding.__table__
_NEW_SUBMISSION = insert(_SUBMISSION).returning(_SUBMISSION.c.id)
_NEW_FINDINGS = insert(_FINDING).returning(_FINDING.c.id, sort_by_parameter_order=True)
#: The columns of a new submission that its answer gives back.
_ANSWERED = (
    "submission_id", "inspection_id", "definition_version_id", "content_hash", "submitted_at",
    "result", "passed", "grade",
)  # fmt: skip
#: A new submission's columns that the caller does not give.
_UNREVIEWED = {
    "review_state": ReviewState.PENDING, "review_comment": None, "reviewed_by_id": None,
    "reviewed_at": None,
}  # fmt: skip


@dataclass(frozen=True)
class NewFinding:
    id: int
    item_key: str
    critical: bool


@dataclass(frozen=True)
class NewSubmission:
    """A submission just inserted, as the plain values it was written with: what the API
    answers with. `attach` makes the session's ORM objects of it for a caller that wants
    them (building them costs a tablet's submission a twentieth of its time)."""

    id: int
    submission_id: str
    inspection_id: int
    definition_version_id: int
    content_hash: str
    submitted_at: datetime
    result: dict[str, Any]
    passed: bool
    grade: str | None
    findings: tuple[NewFinding, ...]
    values: dict[str, Any] = field(repr=False)
    finding_rows: list[dict[str, Any]] = field(repr=False)

    def attach(self, session: Session) -> Submission:
        """The submission and its findings as objects of `session`, as if loaded."""
        findings = [
            Finding(id=f.id, submission_pk=self.id, **row)
            for f, row in zip(self.findings, self.finding_rows, strict=True)
        ]
        submission = Submission(id=self.id, **self.values, findings=findings)
        for instance in (submission, *findings):
            make_transient_to_detached(instance)
        session.add(submission)
        return submission


def store_submission(
    session: Session, values: dict[str, Any], findings: list[dict[str, Any]],
    draft: dict[str, Any],
) -> NewSubmission:  # fmt: skip
    """Insert the submission and its findings (IntegrityError when the submission id is
    taken) and insert or overwrite the inspection's draft with `draft` (answers, notes,
    photos, updated_at, updated_by_id; an upsert on its unique inspection id, counting
    the save in `revision`), without reading anything back. One statement on
    PostgreSQL (`submission_sql`), three elsewhere."""
    values = {**_UNREVIEWED, "item_comments": {}, **values}  # a dict of its own each time
    if session.get_bind().dialect.name == "postgresql":
        unit_id = findings[0]["unit_id"] if findings else None
        statement = stored_together(tuple(values))
        row = session.execute(statement, params(values, unit_id, findings, draft)).one()
        pk, draft_id = row.id, row.draft_id
        found = {key: i for i, key in row.findings or ()}
        ids = [found[f["item_key"]] for f in findings]
    else:
        pk = session.scalar(_NEW_SUBMISSION, values)
        rows = [{**f, "submission_pk": pk} for f in findings]
        ids = list(session.scalars(_NEW_FINDINGS, rows)) if rows else []
        draft_id = session.scalar(
            _draft_upsert(session.get_bind().dialect.name),
            {**draft, "inspection_id": values["inspection_id"], "revision": 1},
        )
    loaded = session.identity_map.get(identity_key(InspectionDraft, draft_id))
    if loaded is not None:  # a draft this session read earlier is now out of date
        session.expire(loaded)
    return NewSubmission(
        id=pk,
        **{name: values[name] for name in _ANSWERED},
        findings=tuple(
            NewFinding(i, f["item_key"], f["critical"]) for i, f in zip(ids, findings, strict=True)
        ),
        values=values,
        finding_rows=findings,
    )


@cache
def _draft_upsert(dialect: str) -> Any:
    """Built once per dialect (and compiled once): the statement is the same every time."""
    table = InspectionDraft.__table__
    statement = dialect_insert(dialect)(table)
    changed = {
        name: statement.excluded[name]
        for name in ("answers", "notes", "photos", "updated_at", "updated_by_id")
    }
    return statement.on_conflict_do_update(
        index_elements=[table.c.inspection_id],
        set_={**changed, "revision": table.c.revision + 1},
    ).returning(table.c.id)
