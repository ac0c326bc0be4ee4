"""Reads for the rectification pages: the tasks a viewer works on, grouped, and one task with
its finding, inspection, photos and history (a fixed number of queries per page)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Select, and_, false, func, or_, select
from sqlalchemy.orm import Session

from dudao.audit.models import AuditEvent
from dudao.definitions.queries import pinned
from dudao.inspections.models import Inspection
from dudao.inspections.submission_models import Finding, Rectification, Submission
from dudao.org.models import Unit

GROUPS = ("overdue", "open", "answered", "verified")
#: How many verified tasks the list shows (the most recently verified first).
VERIFIED_SHOWN = 50


@dataclass(frozen=True)
class TaskRow:
    task: Rectification
    inspection: Inspection
    item_label: str
    overdue: bool


def overdue_clause(today: date) -> Any:
    """Past its deadline and not answered, also before the timer has marked it overdue."""
    return or_(
        Rectification.state == "overdue",
        and_(Rectification.state.in_(("open", "in_progress")), Rectification.deadline < today),
    )


def _label(session: Session, version_id: int, item_key: str, locale: str) -> str:
    item = pinned(session, version_id)._index.get(item_key)
    return item.label.get(locale) if item else item_key


def visible_clause(user_id: int, lead_paths: Sequence[str], office_paths: Sequence[str]) -> Any:
    """Tasks owned inside the viewer's led or supervised subtrees, and the tasks of findings
    the viewer made or was named to verify."""
    owned = [Unit.path.startswith(p, autoescape=True) for p in (*lead_paths, *office_paths)]
    return or_(
        *owned,
        Submission.submitted_by_id == user_id,
        Rectification.verifier_id == user_id,
    )


def task_list(
    session: Session,
    user_id: int,
    lead_paths: Sequence[str],
    office_paths: Sequence[str],
    today: date,
    locale: str,
) -> dict[str, list[TaskRow]]:
    """The viewer's tasks: overdue, open (or in progress), answered (waiting for verification)
    and recently verified, each by deadline."""
    columns = (Rectification, Inspection, Submission.definition_version_id, overdue_clause(today))
    base = _visible(select(*columns), user_id, lead_paths, office_paths).join(
        Inspection, Inspection.id == Finding.inspection_id
    )
    current = session.execute(
        base.where(Rectification.state.in_(("open", "in_progress", "overdue", "submitted")))
        .order_by(Rectification.deadline, Rectification.id)
    ).all()  # fmt: skip
    verified = session.execute(
        base.where(Rectification.state == "verified")
        .order_by(Rectification.state_changed_at.desc(), Rectification.id.desc())
        .limit(VERIFIED_SHOWN)
    ).all()  # fmt: skip
    groups: dict[str, list[TaskRow]] = {name: [] for name in GROUPS}
    for task, inspection, version_id, overdue in [*current, *verified]:
        label = _label(session, version_id, task.finding.item_key, locale)
        row = TaskRow(task, inspection, label, bool(overdue))
        if task.state == "verified":
            groups["verified"].append(row)
        elif task.state == "submitted":
            groups["answered"].append(row)
        else:
            groups["overdue" if row.overdue else "open"].append(row)
    return groups


def task_counts(
    session: Session, user_id: int, lead_paths: Sequence[str], office_paths: Sequence[str],
    today: date,
) -> dict[str, int]:  # fmt: skip
    """Of the tasks `task_list` shows, how many are overdue, how many the viewer's led units
    still have to answer (open or reopened, not yet overdue), and how many were answered and
    wait for the viewer to verify them (the office in its scope, the finding's inspector,
    the named verifier; not the lead who answered): what the home page says needs them."""
    led = or_(*(Unit.path.startswith(p, autoescape=True) for p in lead_paths), false())
    to_answer = and_(Rectification.state.in_(("open", "in_progress")), ~overdue_clause(today), led)
    to_verify = and_(Rectification.state == "submitted", visible_clause(user_id, (), office_paths))
    counts = select(
        func.count().filter(overdue_clause(today)),
        func.count().filter(to_answer),
        func.count().filter(to_verify),
    ).select_from(Rectification)
    query = _visible(counts, user_id, lead_paths, office_paths)
    overdue, to_answer_count, answered = session.execute(query).one()
    return {"overdue": overdue, "open": to_answer_count, "answered": answered}


def _visible(
    query: Select[Any], user_id: int, lead_paths: Sequence[str], office_paths: Sequence[str]
) -> Select[Any]:
    return (
        query.join(Unit, Unit.id == Rectification.unit_id)
        .join(Finding, Finding.id == Rectification.finding_id)
        .join(Submission, Submission.id == Finding.submission_pk)
        .where(visible_clause(user_id, lead_paths, office_paths))
    )


@dataclass(frozen=True)
class TaskDetail:
    task: Rectification
    finding: Finding
    submission: Submission
    inspection: Inspection
    item_label: str
    definition_title: str


def task_detail(session: Session, task: Rectification, locale: str) -> TaskDetail:
    finding = task.finding
    submission = finding.submission
    inspection = session.get(Inspection, finding.inspection_id)
    assert inspection is not None
    definition = pinned(session, submission.definition_version_id)
    return TaskDetail(
        task, finding, submission, inspection,
        _label(session, submission.definition_version_id, finding.item_key, locale),
        definition.title.get(locale),
    )  # fmt: skip


def task_history(session: Session, task_id: int) -> list[AuditEvent]:
    """The task's audit events, oldest first."""
    return list(
        session.scalars(
            select(AuditEvent)
            .where(AuditEvent.entity_type == "rectification", AuditEvent.entity_id == str(task_id))
            .order_by(AuditEvent.seq)
        )
    )
