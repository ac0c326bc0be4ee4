"""The period summary of a unit subtree: key figures read with set-based queries.

Everything is in the language asked for ("zh" or "en"): the fixed words through the
catalogue, unit names, item labels, grades and states in English where they have it.
Other features' parts come through `register_summary_section` (reports/summary_sections.py:
open flags by severity, questionnaire results through the surveys aggregation, which
applies the anonymity thresholds, the assessment's ranking and tier moves); a
registered builder returns a `SummarySection` or None when it has nothing for the unit
and period.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dudao.core.numbers import competition_ranks, one_decimal
from dudao.definitions.queries import pinned
from dudao.inspections.models import Inspection
from dudao.inspections.queries import RESULT_STATES
from dudao.inspections.submission_models import Finding, Rectification, Submission
from dudao.org.models import Unit, name_in
from dudao.reports.services import Period
from dudao.scheduling.models import SpotCheckDraw
from dudao.scheduling.recurrence import org_today
from dudao.workflow.registry import get_workflow

TOP_FAILURES = 10


@dataclass(frozen=True)
class SummarySection:
    """A titled table another feature contributes (headers, rows of plain text), and charts
    (ReportLab drawings, drawn in the PDF and as SVG on the page) that the table gives in
    figures."""

    title: str
    headers: list[str]
    rows: list[list[Any]]
    note: str = ""
    charts: tuple[Any, ...] = ()
    widths: tuple[float, ...] = ()  # the PDF's columns as shares of the text width


#: A builder's 4th argument is the summary's language ("zh" or "en"; `services.gettext_for`).
SectionBuilder = Callable[[Session, Unit, Period, str], SummarySection | None]


SUMMARY_SECTIONS: list[SectionBuilder] = []


def register_summary_section(builder: SectionBuilder) -> SectionBuilder:
    """Hook: flags (trends) and questionnaire results (surveys) add their sections here."""
    SUMMARY_SECTIONS.append(builder)
    return builder


@dataclass
class Summary:
    unit_name: str
    unit_code: str
    period: Period
    planned: int
    done: int
    cancelled: int
    average: float | None
    grades: list[tuple[str, int]]
    failures: list[tuple[str, int]]  # item label, number of findings
    units: list[tuple[int, str, str, float, int]]  # rank, code, name, average %, submissions
    monthly: list[tuple[str, float | None, int]]  # "2026-07", average, submissions
    overdue: list[tuple[str, str, str, str]]  # owner, task, deadline, state (and when closed)
    overdue_count: int  # rectification tasks due in the period that missed their deadline
    rectifications_due: int
    draws: list[tuple[str, str, int, bool]]  # title, created, inspections, published
    locale: str = "zh"  # the language it is in: "zh" or "en"
    sections: list[SummarySection] = field(default_factory=list)

    @property
    def completion(self) -> str:
        """Inspections done of those planned, as the page and the PDF print it ("97%")."""
        return f"{100 * self.done / self.planned:.0f}%" if self.planned else "—"


def _latest_submissions(session: Session, unit: Unit, period: Period) -> list[Any]:
    """The last submission of each inspection with a result (one sent back has none yet)."""
    latest = (
        select(func.max(Submission.id).label("id")).group_by(Submission.inspection_id).subquery()
    )
    return list(
        session.execute(
            select(Submission.id, Submission.percent, Submission.grade, Inspection.due_date,
                   Inspection.definition_version_id, Unit.code, Unit.name, Unit.name_en)
            .join(latest, latest.c.id == Submission.id)
            .join(Inspection, Inspection.id == Submission.inspection_id)
            .join(Unit, Unit.id == Inspection.unit_id)
            .where(Unit.path.startswith(unit.path), Inspection.due_date >= period.start,
                   Inspection.due_date <= period.end, Inspection.state.in_(RESULT_STATES))
        )
    )  # fmt: skip


def _failures(
    session: Session, submission_ids: list[int], versions: dict[int, int], locale: str
) -> list:
    if not submission_ids:
        return []
    counts: Counter[str] = Counter()
    labels: dict[str, str] = {}
    for submission_pk, item_key, n in session.execute(
        select(Finding.submission_pk, Finding.item_key, func.count())
        .where(Finding.submission_pk.in_(submission_ids))
        .group_by(Finding.submission_pk, Finding.item_key)
    ):
        counts[item_key] += n
        if item_key not in labels:
            item = pinned(session, versions[submission_pk])._index.get(item_key)
            labels[item_key] = item.label.get(locale) if item else item_key
    return [(labels[key], n) for key, n in counts.most_common(TOP_FAILURES)]


def _late(
    session: Session, unit: Unit, period: Period, today: date, tz: Any, locale: str
) -> tuple[list, int, int]:
    """The tasks due in the quarter that missed their deadline: still open after it, or
    verified after it (the day it reached a final state, in the organisation's time zone).
    (up to 20 rows, how many were late, how many were due); cancelled tasks count in none."""
    workflow = get_workflow("rectification")
    due = session.scalars(
        select(Rectification)
        .join(Unit, Unit.id == Rectification.unit_id)
        .where(Unit.path.startswith(unit.path), Rectification.deadline >= period.start,
               Rectification.deadline <= period.end, Rectification.state != "cancelled")
        .order_by(Rectification.deadline, Rectification.id)
    ).all()  # fmt: skip
    late = []
    for task in due:
        state = workflow.state(task.state)
        closed = task.state_changed_at.astimezone(tz).date() if state.final else None
        missed = task.deadline < today if closed is None else closed > task.deadline
        if missed:
            status = state.label.get(locale) + (f" {closed.isoformat()}" if closed else "")
            late.append((task.unit.name_in(locale), task.description, task.deadline.isoformat(),
                         status))  # fmt: skip
    return late[:20], len(late), len(due)


def _draws(session: Session, unit: Unit, period: Period, tz: Any) -> list:
    rows = session.execute(
        select(SpotCheckDraw.title, SpotCheckDraw.created_at, SpotCheckDraw.published,
               func.count(Inspection.id))
        .join(Inspection, Inspection.draw_id == SpotCheckDraw.id)
        .join(Unit, Unit.id == Inspection.unit_id)
        .where(Unit.path.startswith(unit.path), Inspection.due_date >= period.start,
               Inspection.due_date <= period.end)
        .group_by(SpotCheckDraw.id, SpotCheckDraw.title, SpotCheckDraw.created_at,
                  SpotCheckDraw.published)
        .order_by(SpotCheckDraw.created_at)
    )  # fmt: skip
    return [(t, c.astimezone(tz).strftime("%Y-%m-%d"), n, p) for t, c, p, n in rows]


def _ranked(by_unit: dict[tuple[str, str], list[float]]) -> list[tuple[int, str, str, float, int]]:
    """Units best first by their average as shown (to 0.1), equal ones sharing a place."""
    rows = sorted(
        ((code, name, one_decimal(sum(v) / len(v)), len(v)) for (code, name), v in by_unit.items()),
        key=lambda r: (-r[2], r[0]),
    )
    places = competition_ranks([average for _code, _name, average, _n in rows])
    return [(place, *row) for place, row in zip(places, rows, strict=True)]


def _grades(session: Session, latest: list[Any], locale: str) -> list[tuple[str, int]]:
    """The grades counted, best first as the checklists' bands rank them (by count they
    read 优秀, 不合格, 良好); results without a grade last. Counted by the Chinese label a
    submission stores, shown in `locale`."""
    bands = {band.label.zh: band
             for version in {row.definition_version_id for row in latest}
             for band in pinned(session, version).grades}  # fmt: skip
    counts = Counter(row.grade or "—" for row in latest)
    ranked = sorted(counts.items(), key=lambda kv: -(bands[kv[0]].min_score
                                                     if kv[0] in bands else -1.0))  # fmt: skip
    return [(bands[g].label.get(locale) if g in bands else g, n) for g, n in ranked]


def load_summary(
    session: Session, unit: Unit, period: Period, tz: Any, locale: str = "zh"
) -> Summary:
    """Key figures of `unit`'s subtree for `period` (by due date), in a few queries."""
    states = dict(
        session.execute(
            select(Inspection.state, func.count())
            .join(Unit, Unit.id == Inspection.unit_id)
            .where(Unit.path.startswith(unit.path), Inspection.due_date >= period.start,
                   Inspection.due_date <= period.end)
            .group_by(Inspection.state)
        ).all()
    )  # fmt: skip
    latest = _latest_submissions(session, unit, period)
    scores = [row.percent for row in latest if row.percent is not None]
    by_unit: dict[tuple[str, str], list[float]] = {}
    by_month: dict[str, list[float]] = {}
    for row in latest:
        if row.percent is not None:
            name = name_in(row.name, row.name_en, locale)
            by_unit.setdefault((row.code, name), []).append(row.percent)
            by_month.setdefault(row.due_date.strftime("%Y-%m"), []).append(row.percent)
    months = [f"{period.start.year}-{m:02d}" for m in range(period.start.month,
                                                          period.end.month + 1)]  # fmt: skip
    versions = {row.id: row.definition_version_id for row in latest}
    overdue, overdue_count, due = _late(session, unit, period, org_today(session), tz, locale)
    summary = Summary(
        unit_name=unit.name_in(locale), unit_code=unit.code, period=period, locale=locale,
        planned=sum(n for s, n in states.items() if s != "cancelled"),
        done=len(latest), cancelled=states.get("cancelled", 0),
        average=one_decimal(sum(scores) / len(scores)) if scores else None,
        grades=_grades(session, latest, locale),
        failures=_failures(session, list(versions), versions, locale),
        units=_ranked(by_unit),
        monthly=[(m, one_decimal(sum(by_month[m]) / len(by_month[m])) if m in by_month else None,
                  len(by_month.get(m, ()))) for m in months],
        overdue=overdue, overdue_count=overdue_count, rectifications_due=due,
        draws=_draws(session, unit, period, tz),
    )  # fmt: skip
    from dudao.reports import summary_sections  # noqa: F401  (registers the built-in sections)

    for builder in SUMMARY_SECTIONS:
        section = builder(session, unit, period, locale)
        if section is not None:
            summary.sections.append(section)
    return summary
