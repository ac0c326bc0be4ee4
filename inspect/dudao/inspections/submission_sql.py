"""PostgreSQL: a new submission, its findings and the inspection's draft in one statement.

The three INSERTs of `submission_store` cost a tablet's submission a round trip and the
statement machinery each; on PostgreSQL data-modifying WITH clauses let one statement
do all three: the submission's INSERT returns its id, the findings' INSERT reads them
from a JSON recordset with that id, and the draft's upsert rides along. The statement is
built once, and compiled once, from the tables' own columns and types.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Select,
    String,
    Text,
    bindparam,
    column,
    func,
    insert,
    select,
    true,
)
from sqlalchemy.dialects.postgresql import insert as upsert

from dudao.inspections.submission_models import Finding, InspectionDraft, Submission

_SUBMISSION = Submission.__table__
_FINDING = Finding.__table__
_DRAFT = InspectionDraft.__table__
#: What a finding row takes from the recordset; the rest is the submission's.
FINDING_FIELDS = ("item_key", "critical", "note", "photo_ids")
DRAFT_FIELDS = ("answers", "notes", "photos", "updated_at", "updated_by_id")


def params(
    values: dict[str, Any], unit_id: int, findings: list[dict[str, Any]], draft: dict[str, Any]
) -> dict[str, Any]:
    """The statement's parameters: the submission's columns, its findings' own fields, and
    the draft's columns (prefixed: the draft keeps what the device sent)."""
    return {
        **{f"s_{name}": value for name, value in values.items()},
        "f_unit_id": unit_id,
        "f_rows": [{name: f[name] for name in FINDING_FIELDS} for f in findings],
        **{f"d_{name}": draft[name] for name in DRAFT_FIELDS},
    }


@cache
def stored_together(submission_columns: tuple[str, ...]) -> Select[Any]:
    """Returns one row: the submission's id, its findings as [[id, item_key], ...] (None
    when there are none) and the draft's id."""
    submission = (
        insert(_SUBMISSION)
        .values({name: _param("s", _SUBMISSION, name) for name in submission_columns})
        .returning(_SUBMISSION.c.id)
        .cte("new_submission")
    )
    rows = (
        func.json_to_recordset(bindparam("f_rows", type_=JSON))
        .table_valued(
            column("item_key", String),
            column("critical", Boolean),
            column("note", Text),
            column("photo_ids", JSON),
        )
        .render_derived(name="f", with_types=True)
    )
    findings = (
        insert(_FINDING)
        .from_select(
            ["submission_pk", "inspection_id", "unit_id", *FINDING_FIELDS, "created_at"],
            select(
                submission.c.id,
                _param("s", _SUBMISSION, "inspection_id"),
                bindparam("f_unit_id", type_=_FINDING.c.unit_id.type),
                *(rows.c[name] for name in FINDING_FIELDS),
                _param("s", _SUBMISSION, "submitted_at"),
            ).select_from(submission.join(rows, true())),
        )
        .returning(_FINDING.c.id, _FINDING.c.item_key)
        .cte("new_findings")
    )
    draft = upsert(_DRAFT).values(
        inspection_id=_param("s", _SUBMISSION, "inspection_id"),
        revision=1,
        **{name: _param("d", _DRAFT, name) for name in DRAFT_FIELDS},
    )
    draft = draft.on_conflict_do_update(
        index_elements=[_DRAFT.c.inspection_id],
        set_={
            **{name: draft.excluded[name] for name in DRAFT_FIELDS},
            "revision": _DRAFT.c.revision + 1,
        },
    ).returning(_DRAFT.c.id)
    draft_cte = draft.cte("draft")
    found = select(func.json_agg(func.json_build_array(findings.c.id, findings.c.item_key)))
    return select(
        submission.c.id, found.scalar_subquery().label("findings"), draft_cte.c.id.label("draft_id")
    ).select_from(submission.join(draft_cte, true()))


def _param(prefix: str, table: Any, name: str) -> Any:
    return bindparam(f"{prefix}_{name}", type_=table.c[name].type)
