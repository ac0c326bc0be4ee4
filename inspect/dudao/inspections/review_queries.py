"""Reads for the inspection page's review part: the latest submission item by item, with the
office's comment beside each item, and its findings with their rectification tasks."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from dudao.definitions.display import display_value
from dudao.definitions.itembase import is_blank
from dudao.definitions.queries import pinned
from dudao.definitions.showif import visible_items
from dudao.definitions.spec import Definition, Item, ItemType, Section
from dudao.inspections.models import Inspection
from dudao.inspections.submission_models import Finding, Rectification, Submission
from dudao.inspections.submissions import latest_submission


@dataclass(frozen=True)
class ItemView:
    item: Item
    key: str
    number: str
    label: str
    answer: str
    verdict: str  # "pass", "fail", "na" or "" (not scored, not answered)
    critical: bool
    note: str
    photo_ids: tuple[str, ...]
    comment: str  # the office's comment on this item when it returned the submission


@dataclass(frozen=True)
class SectionView:
    title: str
    items: tuple[ItemView, ...]


@dataclass(frozen=True)
class FindingView:
    finding: Finding
    label: str
    tasks: tuple[Rectification, ...]


@dataclass
class SubmissionView:
    submission: Submission
    sections: list[SectionView] = field(default_factory=list)
    findings: list[FindingView] = field(default_factory=list)

    @property
    def pending(self) -> bool:
        return self.submission.review_state == "pending"


def item_views(
    definition: Definition, submission: Submission | None, locale: str, index: int, section: Section
) -> tuple[ItemView, ...]:
    """The shown items of one section as answered in the submission (blank without one), numbered
    `index.n`; the review page and the inspection report (PDF) both list the items this way."""
    answers = submission.answers if submission else {}
    notes = submission.notes if submission else {}
    photos = submission.photos if submission else {}
    comments = (submission.item_comments if submission else None) or {}
    failed = set(submission.result.get("failed", ())) if submission else set()
    shown = visible_items(definition, answers)
    rows = []
    for item in section.items:
        if item.type == ItemType.NOTE or item.key not in shown:
            continue
        value = answers.get(item.key)
        verdict = "fail" if item.key in failed else ""
        if not verdict and item.scored and not is_blank(value):
            verdict = "na" if value == "na" else "pass"
        ids = list(photos.get(item.key, ()))
        if item.type == ItemType.PHOTO and isinstance(value, list):
            ids += value
        rows.append(
            ItemView(
                item=item, key=item.key, number=f"{index}.{len(rows) + 1}",
                label=item.label.get(locale), answer=display_value(item, value, locale),
                verdict=verdict, critical=item.critical, note=str(notes.get(item.key) or ""),
                photo_ids=tuple(dict.fromkeys(ids)), comment=str(comments.get(item.key) or ""),
            )
        )  # fmt: skip
    return tuple(rows)


def submission_view(session: Session, inspection: Inspection, locale: str) -> SubmissionView | None:
    """The latest submission of the inspection as the office reviews it (None before any)."""
    submission = latest_submission(session, inspection.id)
    if submission is None:
        return None
    definition = pinned(session, submission.definition_version_id)
    view = SubmissionView(submission)
    for index, section in enumerate(definition.sections, start=1):
        items = item_views(definition, submission, locale, index, section)
        if items:
            view.sections.append(SectionView(section.title.get(locale), items))
    tasks: dict[int, list[Rectification]] = {}
    found = session.scalars(
        select(Rectification)
        .join(Finding, Finding.id == Rectification.finding_id)
        .where(Finding.submission_pk == submission.id)
        .order_by(Rectification.id)
    )
    for task in found:
        tasks.setdefault(task.finding_id, []).append(task)
    for finding in submission.findings:
        item = definition._index.get(finding.item_key)
        label = item.label.get(locale) if item else finding.item_key
        view.findings.append(FindingView(finding, label, tuple(tasks.get(finding.id, ()))))
    return view
