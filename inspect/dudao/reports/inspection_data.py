"""Everything an inspection report shows, read in a fixed number of queries.

The report is built from this plain structure, so the PDF code never touches the
database and the benchmark can build many reports from one read.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from dudao.auth.models import User
from dudao.core.errors import N_, Message, NotFound
from dudao.definitions.models import DefinitionVersion, FormDefinition
from dudao.definitions.queries import pinned
from dudao.definitions.spec import Definition, Item
from dudao.inspections.models import Inspection
from dudao.inspections.review_queries import item_views
from dudao.inspections.submission_models import Finding, Photo, Rectification, Submission
from dudao.workflow.registry import get_workflow


@dataclass(frozen=True)
class ItemRow:
    number: str
    item: Item
    answer: str
    verdict: str  # "pass", "fail", "na", "" (not scored or not answered)
    critical: bool
    note: str
    comment: str  # the reviewer's comment on this item
    photo_paths: tuple[Path, ...]
    hidden_photos: int  # photos the reader may not see (only counted)


@dataclass(frozen=True)
class SectionRow:
    key: str
    title: str
    percent: float | None
    earned: float
    possible: float
    failed: int
    items: tuple[ItemRow, ...]


@dataclass(frozen=True)
class FindingRow:
    item_label: str
    critical: bool
    note: str
    task: str
    owner: str
    deadline: str
    state: str


@dataclass
class InspectionReport:
    inspection_id: int
    unit_name: str
    unit_code: str
    definition_title: str
    version_number: int
    origin: str
    state_label: str
    inspectors: list[str]
    due_date: str
    submitted_at: str | None
    submitted_by: str | None
    reviewed_by: str | None
    review_state: str | None
    review_comment: str
    percent: float | None
    grade: str | None
    passed: bool | None
    sections: list[SectionRow] = field(default_factory=list)
    findings: list[FindingRow] = field(default_factory=list)
    reason: str = ""

    @property
    def item_count(self) -> int:
        return sum(len(s.items) for s in self.sections)


def _when(moment: datetime | None, tz: Any) -> str | None:
    return moment.astimezone(tz).strftime("%Y-%m-%d %H:%M") if moment else None


def _item_rows(
    definition: Definition,
    submission: Submission | None,
    photo_paths: dict[str, Path] | None,
    locale: str,
    section_index: int,
    section: Any,
) -> tuple[ItemRow, ...]:
    """The section's items as the review page lists them, with the photos' server-side files
    (`photo_paths` None: the reader may not see them, so they are only counted)."""
    return tuple(
        ItemRow(
            number=view.number,
            item=view.item,
            answer=view.answer,
            verdict=view.verdict,
            critical=view.critical,
            note=view.note,
            comment=view.comment,
            photo_paths=tuple(photo_paths[i] for i in view.photo_ids if i in photo_paths)
            if photo_paths is not None
            else (),
            hidden_photos=len(view.photo_ids) if photo_paths is None else 0,
        )
        for view in item_views(definition, submission, locale, section_index, section)
    )


def _photo_paths(session: Session, inspection_id: int, data_dir: Path) -> dict[str, Path]:
    """Server-side files of the inspection's photos, kept only when inside data_dir."""
    root = data_dir.resolve()
    found = {}
    for photo_id, relative in session.execute(
        select(Photo.id, Photo.path).where(Photo.inspection_id == inspection_id)
    ):
        path = (root / relative).resolve()
        if path.is_relative_to(root) and path.is_file():
            found[photo_id] = path
    return found


def _exact(score: dict[str, Any]) -> float | None:
    """The score's percentage from its points: the stored one is rounded to two decimals,
    and rounding that again to one printed 7 of 13 (53.846 %) as 53.9 %."""
    possible = float(score.get("possible") or 0)
    return 100.0 * float(score.get("earned") or 0) / possible if possible else None


def load_inspection_report(
    session: Session,
    inspection_id: int,
    data_dir: Path,
    tz: Any,
    locale: str = "zh",
    photos: bool = True,
) -> InspectionReport:
    """The report of an inspection: its latest submission (if any), findings and tasks;
    without `photos` for a reader the inspection's photos are not shown to."""
    inspection = session.get(Inspection, inspection_id)
    if inspection is None:
        raise NotFound(Message(N_("Inspection %(id)d does not exist."), id=inspection_id))
    definition = pinned(session, inspection.definition_version_id)
    number, title_zh, title_en = session.execute(
        select(DefinitionVersion.number, FormDefinition.title_zh, FormDefinition.title_en)
        .join(FormDefinition, FormDefinition.id == DefinitionVersion.definition_id)
        .where(DefinitionVersion.id == inspection.definition_version_id)
    ).one()
    submission = session.scalar(
        select(Submission)
        .where(Submission.inspection_id == inspection_id)
        .order_by(Submission.id.desc())
        .limit(1)
    )
    user_ids = set(inspection.assignee_ids)
    if submission is not None:
        user_ids |= {submission.submitted_by_id, submission.reviewed_by_id} - {None}
    names = {
        u.id: u.display_name for u in session.scalars(select(User).where(User.id.in_(user_ids)))
    }
    workflow = get_workflow(inspection.workflow)
    photo_paths = _photo_paths(session, inspection_id, data_dir) if photos else None
    result = submission.result if submission else {}
    by_section = {s.get("key"): s for s in result.get("sections", ())}
    sections = []
    for index, section in enumerate(definition.sections, start=1):
        score = by_section.get(section.key, {})
        sections.append(
            SectionRow(
                key=section.key, title=section.title.get(locale),
                percent=_exact(score), earned=float(score.get("earned") or 0),
                possible=float(score.get("possible") or 0), failed=len(score.get("failed", ())),
                items=_item_rows(definition, submission, photo_paths, locale, index, section),
            )
        )  # fmt: skip
    report = InspectionReport(
        inspection_id=inspection.id,
        unit_name=inspection.unit.name_in(locale),
        unit_code=inspection.unit.code,
        definition_title=(title_en or title_zh) if locale.startswith("en") else title_zh,
        version_number=number,
        origin=inspection.origin,
        state_label=workflow.state(inspection.state).label.get(locale),
        inspectors=sorted(names[i] for i in inspection.assignee_ids if i in names),
        due_date=inspection.due_date.isoformat(),
        submitted_at=_when(submission.submitted_at, tz) if submission else None,
        submitted_by=names.get(submission.submitted_by_id) if submission else None,
        reviewed_by=names.get(submission.reviewed_by_id) if submission else None,
        review_state=submission.review_state if submission else None,
        review_comment=(submission.review_comment or "") if submission else "",
        percent=(_exact(result) if result.get("possible") else submission.percent)
        if submission else None,
        grade=submission.grade_in(locale) if submission else None,
        passed=submission.passed if submission else None,
        sections=sections,
        reason=inspection.reason or "",
    )  # fmt: skip
    if submission is not None:
        report.findings = _findings(session, submission.id, definition, workflow, locale)
    return report


def _findings(
    session: Session, submission_pk: int, definition: Definition, workflow: Any, locale: str
) -> list[FindingRow]:
    rect_flow = get_workflow("rectification")
    rows = session.execute(
        select(Finding, Rectification)
        .outerjoin(Rectification, Rectification.finding_id == Finding.id)
        .where(Finding.submission_pk == submission_pk)
        .order_by(Finding.id, Rectification.id)
    ).all()
    out = []
    for finding, task in rows:
        item = definition._index.get(finding.item_key)
        out.append(
            FindingRow(
                item_label=item.label.get(locale) if item else finding.item_key,
                critical=finding.critical, note=finding.note or "",
                task=task.description if task else "",
                owner=task.unit.name_in(locale) if task else "",
                deadline=task.deadline.isoformat() if task else "",
                state=rect_flow.state(task.state).label.get(locale) if task else "",
            )
        )  # fmt: skip
    return out
