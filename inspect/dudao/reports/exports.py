"""CSV and XLSX exports of inspections, answers, findings, rectification tasks, trend flags
and questionnaire results (through the surveys aggregation, which enforces its thresholds).

Every dataset is read inside the viewer's scope (subtree path prefixes) with a
fixed number of queries. Both writers pass every cell through `neutralise`, so a
cell a spreadsheet would read as a formula (=, +, -, @, tab, carriage return)
starts with a single quote instead. CSV is UTF-8 with a BOM so Excel opens
Chinese correctly.

Other features may add datasets with `register_dataset`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, contains_eager

from dudao.core.errors import N_, Message, ValidationError, name_list
from dudao.definitions.display import display_value
from dudao.definitions.models import DefinitionVersion, FormDefinition
from dudao.definitions.queries import pinned, titles
from dudao.inspections.models import Inspection
from dudao.inspections.submission_models import Finding, Rectification, Submission
from dudao.org.models import Unit
from dudao.org.queries import within


@dataclass(frozen=True)
class Scope:
    """Which inspections an export covers: the viewer's subtrees, optionally narrowed."""

    paths: Sequence[str]
    unit: Unit | None = None
    start: date | None = None
    end: date | None = None
    #: None: column keys and coded values, Chinese names (scripts); else people's words.
    locale: str | None = None

    @property
    def names(self) -> str:
        """The language of unit names, item labels and grades."""
        return self.locale or "zh"

    def apply(self, query: Select[Any]) -> Select[Any]:
        query = query.where(within(self.paths))
        if self.unit is not None:
            query = query.where(Unit.path.startswith(self.unit.path))
        if self.start is not None:
            query = query.where(Inspection.due_date >= self.start)
        if self.end is not None:
            query = query.where(Inspection.due_date <= self.end)
        return query


@dataclass(frozen=True)
class Dataset:
    name: str
    headers: list[str]
    rows: list[list[Any]]

    def localized(self, locale: str) -> Dataset:
        """Headers and coded values in `locale`'s words (export_text.py)."""
        from dudao.reports.export_text import header, value_labeller

        labellers = [value_labeller(self.name, key, locale) for key in self.headers]
        rows = [[cell if f is None or cell in (None, "") else f(cell)
                 for f, cell in zip(labellers, row, strict=True)] for row in self.rows]  # fmt: skip
        return Dataset(self.name, [header(k, locale) for k in self.headers], rows)


Builder = Callable[[Session, Scope, Any], Dataset]
ONE_DAY = timedelta(days=1)
DATASETS: dict[str, Builder] = {}


def register_dataset(name: str) -> Callable[[Builder], Builder]:
    """Hook for other features' exports (a builder gets session, scope and the org tz)."""

    def decorator(builder: Builder) -> Builder:
        DATASETS[name] = builder
        return builder

    return decorator


def _local(moment: datetime | None, tz: Any) -> datetime | None:
    """The moment on the organisation's clock, to the minute (a spreadsheet's date-time)."""
    if moment is None:
        return None
    return moment.astimezone(tz).replace(tzinfo=None, second=0, microsecond=0)


def _checklists(session: Session, scope: Scope, keys: set[str]) -> dict[str, str]:
    """Checklist titles for people (their key for scripts)."""
    return titles(session, keys, scope.locale) if scope.locale else {}


def _latest(scope: Scope) -> Select[Any]:
    """(Submission, Inspection, Unit) of each in-scope inspection's latest submission."""
    latest = (
        select(func.max(Submission.id).label("id")).group_by(Submission.inspection_id).subquery()
    )
    query = (
        select(Submission, Inspection, Unit)
        .join(latest, latest.c.id == Submission.id)
        .join(Inspection, Inspection.id == Submission.inspection_id)
        .join(Unit, Unit.id == Inspection.unit_id)
    )
    return scope.apply(query).order_by(Unit.path, Inspection.id)


@register_dataset("inspections")
def inspections(session: Session, scope: Scope, tz: Any) -> Dataset:
    latest = (
        select(Submission.inspection_id, func.max(Submission.id).label("id"))
        .group_by(Submission.inspection_id)
        .subquery()
    )
    query = (
        select(Inspection, Unit, FormDefinition.key, DefinitionVersion.number, Submission)
        .join(Unit, Unit.id == Inspection.unit_id)
        .join(DefinitionVersion, DefinitionVersion.id == Inspection.definition_version_id)
        .join(FormDefinition, FormDefinition.id == DefinitionVersion.definition_id)
        .outerjoin(latest, latest.c.inspection_id == Inspection.id)
        .outerjoin(Submission, Submission.id == latest.c.id)
    )
    found = session.execute(
        scope.apply(query).order_by(Unit.path, Inspection.due_date, Inspection.id)
    ).all()
    named = _checklists(session, scope, {key for _i, _u, key, _n, _s in found})
    rows = [
        [i.id, u.code, u.name_in(scope.names), named.get(key, key), number, i.origin, i.state,
         i.due_date,
         _local(s.submitted_at, tz) if s else None, s.percent if s else None,
         (s.grade_in(scope.names) or "") if s else "", ("yes" if s.passed else "no") if s else "",
         s.review_state if s else ""]
        for i, u, key, number, s in found
    ]  # fmt: skip
    headers = ["inspection_id", "unit_code", "unit_name", "checklist", "version", "origin",
               "state", "due_date", "submitted_at", "percent", "grade", "passed",
               "review"]  # fmt: skip
    return Dataset("inspections", headers, rows)


@register_dataset("answers")
def answers(session: Session, scope: Scope, tz: Any) -> Dataset:
    rows = []
    for submission, inspection, unit in session.execute(_latest(scope)):
        definition = pinned(session, submission.definition_version_id)
        failed = set(submission.result.get("failed", ()))
        for item in definition.items:
            if item.key not in submission.answers:
                continue
            value = submission.answers[item.key]
            verdict = "fail" if item.key in failed else ("pass" if item.scored else "")
            if value == "na":
                verdict = "na"
            rows.append(
                [inspection.id, unit.code, item.key, item.label.get(scope.names),
                 display_value(item, value, scope.names), verdict,
                 submission.notes.get(item.key) or ""]
            )  # fmt: skip
    headers = ["inspection_id", "unit_code", "item", "label", "answer", "verdict", "note"]
    return Dataset("answers", headers, rows)


@register_dataset("findings")
def findings(session: Session, scope: Scope, tz: Any) -> Dataset:
    query = (
        select(Finding, Inspection, Unit)
        .join(Inspection, Inspection.id == Finding.inspection_id)
        .join(Unit, Unit.id == Finding.unit_id)
    )
    rows = []
    for finding, inspection, unit in session.execute(
        scope.apply(query).order_by(Unit.path, Finding.id)
    ):
        item = pinned(session, inspection.definition_version_id)._index.get(finding.item_key)
        rows.append(
            [finding.id, inspection.id, unit.code, finding.item_key,
             item.label.get(scope.names) if item else "", "yes" if finding.critical else "no",
             finding.note or "", _local(finding.created_at, tz)]
        )  # fmt: skip
    headers = ["finding_id", "inspection_id", "unit_code", "item", "label", "critical", "note",
               "created_at"]  # fmt: skip
    return Dataset("findings", headers, rows)


@register_dataset("rectifications")
def rectifications(session: Session, scope: Scope, tz: Any) -> Dataset:
    query = (
        select(Rectification, Finding, Inspection)
        .join(Finding, Finding.id == Rectification.finding_id)
        .join(Inspection, Inspection.id == Finding.inspection_id)
        .join(Unit, Unit.id == Inspection.unit_id)
    )
    rows = [
        [task.id, finding.id, inspection.id, task.unit.code, task.state,
         task.deadline, task.description, task.response or "",
         _local(task.created_at, tz)]
        for task, finding, inspection in session.execute(
            scope.apply(query).order_by(Rectification.id)
        )
    ]  # fmt: skip
    headers = ["task_id", "finding_id", "inspection_id", "owner_unit", "state", "deadline",
               "description", "response", "created_at"]  # fmt: skip
    return Dataset("rectifications", headers, rows)


@register_dataset("flags")
def flags(session: Session, scope: Scope, tz: Any) -> Dataset:
    """Trend flags about units of the scope (today's triage state); `start`/`end` select
    by the day a flag was raised."""
    from dudao.trends.models import Flag

    query = select(Flag).join(Unit, Unit.id == Flag.unit_id).options(contains_eager(Flag.unit))
    query = query.where(within(scope.paths))
    if scope.unit is not None:
        query = query.where(Unit.path.startswith(scope.unit.path))
    if scope.start is not None:
        query = query.where(Flag.created_at >= datetime.combine(scope.start, time.min, tz))
    if scope.end is not None:
        query = query.where(Flag.created_at < datetime.combine(scope.end + ONE_DAY, time.min, tz))
    found = list(session.scalars(query.order_by(Flag.id)))
    named = _checklists(session, scope, {f.definition_key for f in found if f.definition_key})
    rows = [
        [f.id, f.unit.code, f.unit.name_in(scope.names), " ".join(f.unit_codes), f.rule,
         f.severity, f.state, named.get(f.definition_key or "", f.definition_key or ""),
         f.item_key or "", f.first_detected, f.last_detected, f.due_date,
         _local(f.created_at, tz)]
        for f in found
    ]  # fmt: skip
    headers = ["flag_id", "unit_code", "unit", "unit_codes", "rule", "severity", "state",
               "checklist", "item", "first_detected", "last_detected", "due_date",
               "created_at"]  # fmt: skip
    return Dataset("flags", headers, rows)


@register_dataset("survey_results")
def survey_results(session: Session, scope: Scope, tz: Any) -> Dataset:
    """Per campaign in scope, each group's figures from `surveys.aggregate` (its thresholds:
    a hidden group has its name and why, no figure); `start`/`end` select by closing date."""
    from dudao.reports.campaign_data import campaigns_in_scope

    rows: list[list[Any]] = []
    found = campaigns_in_scope(
        session, tz, scope.unit, scope.start, scope.end, scope.paths, locale=scope.names
    )
    for campaign, report in found:
        for g in report.groups:
            sat = g.satisfaction
            interval = (sat.mean, sat.low, sat.high) if sat else (None, None, None)
            figures = [g.responses, g.invited, g.rate, *interval] if g.shown else [None] * 6
            status = "shown" if g.shown else f"hidden:{g.hidden}"
            rows.append([campaign.id, campaign.title, campaign.period_label, g.code, g.name,
                         status, *figures])  # fmt: skip
    headers = ["campaign_id", "campaign", "period", "unit_code", "unit", "status", "responses",
               "invited", "response_rate", "satisfaction", "satisfaction_low",
               "satisfaction_high"]  # fmt: skip
    return Dataset("survey_results", headers, rows)


def build(session: Session, names: Iterable[str], scope: Scope, tz: Any) -> list[Dataset]:
    unknown = [n for n in names if n not in DATASETS]
    if unknown:  # `dudao export NAME` takes any name
        choose = Message(N_("Unknown dataset '%(name)s'; choose from %(choices)s."),
                         name=unknown[0], choices=name_list([*DATASETS, "all"]))  # fmt: skip
        raise ValidationError.of_field("dataset", choose)
    made = [DATASETS[name](session, scope, tz) for name in names]
    return [d.localized(scope.locale) for d in made] if scope.locale else made
