"""The three components' data per (unit, period), read set-based for a whole subtree.

- inspection: the mean percent score of the unit's counted inspections (the latest
  submission of every submitted, approved or closed inspection, placed by the month it
  was submitted in), one GROUP BY over units and months;
- rectification: the share of rectification tasks due in the period that the unit
  submitted for verification by their deadline, one query over the tasks and their last
  `rectification.submit` audit event;
- satisfaction: the satisfaction index of the unit's group in every questionnaire
  campaign that closed in the period, read only through `surveys.aggregate`, so a group
  withheld by the anonymity thresholds has no number here either.
"""

from __future__ import annotations

from collections import OrderedDict, defaultdict
from collections.abc import Sequence
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy import String, cast, func, or_, select
from sqlalchemy.orm import Session

from dudao.assessment.periods import key_of_date, key_of_month, local_date
from dudao.audit.models import AuditEvent
from dudao.core.database import utcnow
from dudao.definitions.models import DefinitionVersion, FormDefinition
from dudao.inspections.models import Inspection
from dudao.inspections.submission_models import Rectification, Submission
from dudao.org.models import Unit
from dudao.org.queries import within
from dudao.scheduling.recurrence import org_today
from dudao.surveys.aggregate import aggregate
from dudao.surveys.models import Campaign, Response
from dudao.trends.queries import counted_submissions, period_expr

Cell = tuple[int, str]  # (unit id, period key)
#: Rectification states in which the unit has submitted its work for verification.
DONE_STATES = ("submitted", "verified")


@dataclass
class RectificationCell:
    on_time: int = 0
    late: int = 0

    @property
    def value(self) -> float | None:
        due = self.on_time + self.late
        return 100.0 * self.on_time / due if due else None


@dataclass
class SatisfactionCell:
    responses: int = 0
    weighted: float = 0.0
    #: Campaigns that covered the unit but withheld its group (anonymity threshold).
    withheld: int = 0
    campaigns: list[tuple[int, str, int | None, float | None]] = field(default_factory=list)

    @property
    def value(self) -> float | None:
        return self.weighted / self.responses if self.responses else None


def inspection_cells(
    session: Session, paths: Sequence[str], levels: Sequence[str], kind: str, tz: str,
    unit_ids: Sequence[int] | None = None,
) -> dict[Cell, tuple[int, float]]:  # fmt: skip
    """(count, sum of percent scores) per (unit, period) of the scored counted inspections."""
    latest = counted_submissions()
    month = period_expr(session, Submission.submitted_at, tz).label("month")
    query = (
        select(Inspection.unit_id, month, func.count(), func.sum(Submission.percent))
        .join(latest, latest.c.pk == Submission.id)
        .join(Inspection, Inspection.id == Submission.inspection_id)
        .join(Unit, Unit.id == Inspection.unit_id)
        .where(within(paths), Unit.level.in_(levels), Submission.percent.is_not(None))
        .group_by(Inspection.unit_id, month)
    )
    if unit_ids is not None:
        query = query.where(Inspection.unit_id.in_(unit_ids))
    cells: dict[Cell, tuple[int, float]] = {}
    for unit_id, key, count, total in session.execute(query):
        cell = (unit_id, key_of_month(key, kind))
        before = cells.get(cell, (0, 0.0))
        cells[cell] = (before[0] + count, before[1] + float(total))
    return cells


@dataclass(frozen=True)
class InspectionRow:
    id: int
    submitted_on: date
    percent: float
    definition: FormDefinition


def inspection_rows(
    session: Session, unit_id: int, start: date, end: date, tz: str
) -> list[InspectionRow]:
    """The counted, scored inspections of one unit submitted in [start, end) (local days)."""
    zone = ZoneInfo(tz)
    low, high = (datetime.combine(d, time(), zone) for d in (start, end))
    latest = counted_submissions(unit_ids=[unit_id])
    rows = session.execute(
        select(Inspection.id, Submission.submitted_at, Submission.percent, FormDefinition)
        .join(latest, latest.c.pk == Submission.id)
        .join(Inspection, Inspection.id == Submission.inspection_id)
        .join(DefinitionVersion, DefinitionVersion.id == Submission.definition_version_id)
        .join(FormDefinition, FormDefinition.id == DefinitionVersion.definition_id)
        .where(Submission.percent.is_not(None))
        .where(Submission.submitted_at >= low, Submission.submitted_at < high)
        .order_by(Submission.submitted_at, Inspection.id)
    )
    return [InspectionRow(i, local_date(at, tz), p, d) for i, at, p, d in rows]


@dataclass(frozen=True)
class RectificationRow:
    id: int
    unit_id: int
    state: str
    deadline: date
    submitted_on: date | None
    outcome: str  # "on_time", "late" or "pending"


def rectification_rows(
    session: Session, paths: Sequence[str], levels: Sequence[str], tz: str,
    unit_ids: Sequence[int] | None = None, today: date | None = None,
) -> list[RectificationRow]:  # fmt: skip
    """Every not-cancelled task of the units with its outcome against its deadline.

    On time: submitted for verification (or verified) and the last submission was on
    or before the deadline. Late: submitted after it, or still not submitted once the
    deadline has passed. Pending (not counted yet): not submitted, deadline not passed.
    """
    today = today or org_today(session)
    # Per task, through the audit log's (entity_type, entity_id) index: the work grows with
    # the tasks in scope, not with every submission the log has ever recorded.
    last_submit = (
        select(func.max(AuditEvent.occurred_at))
        .where(AuditEvent.entity_type == "rectification")
        .where(AuditEvent.entity_id == cast(Rectification.id, String))
        .where(AuditEvent.action == "rectification.submit")
        .correlate(Rectification)
        .scalar_subquery()
    )
    query = (
        select(Rectification.id, Rectification.unit_id, Rectification.state,
               Rectification.deadline, Rectification.state_changed_at, last_submit)
        .join(Unit, Unit.id == Rectification.unit_id)
        .where(within(paths), Unit.level.in_(levels), Rectification.state != "cancelled")
        .order_by(Rectification.deadline, Rectification.id)
    )  # fmt: skip
    if unit_ids is not None:
        query = query.where(Rectification.unit_id.in_(unit_ids))
    rows = []
    for rid, unit_id, state, deadline, changed, submitted_at in session.execute(query):
        done = state in DONE_STATES
        moment: datetime | None = submitted_at or (changed if done else None)
        submitted_on = local_date(moment, tz) if done and moment else None
        if submitted_on is not None:
            outcome = "on_time" if submitted_on <= deadline else "late"
        else:
            outcome = "late" if deadline < today else "pending"
        rows.append(RectificationRow(rid, unit_id, state, deadline, submitted_on, outcome))
    return rows


def rectification_cells(rows: list[RectificationRow], kind: str) -> dict[Cell, RectificationCell]:
    """On-time and late counts per (unit, period of the deadline)."""
    cells: dict[Cell, RectificationCell] = defaultdict(RectificationCell)
    for row in rows:
        if row.outcome == "pending":
            continue
        cell = cells[(row.unit_id, key_of_date(row.deadline, kind))]
        if row.outcome == "on_time":
            cell.on_time += 1
        else:
            cell.late += 1
    return dict(cells)


#: (unit id, shown, responses, mean index) of every group of a campaign's final report.
GroupFigures = list[tuple[int, bool, int | None, float | None]]
_FINAL: OrderedDict[tuple[object, ...], GroupFigures] = OrderedDict()
_FINAL_SIZE = 256


def final_figures(session: Session, campaign: Campaign, responses: int) -> GroupFigures | None:
    """The group figures of a campaign's final report, through `surveys.aggregate` (None
    while it is not final). A final report cannot change: the campaign is over, no answer
    is pending and its answers stay grouped by its own tree (surveys/campaign_tree.py), so
    its figures are kept per process."""
    key = (campaign.id, campaign.created_at, campaign.closes_at, str(campaign.state),
           campaign.min_group, responses)  # fmt: skip
    cached = _FINAL.get(key)
    if cached is not None:
        with suppress(KeyError):  # another thread may have evicted it since: still valid
            _FINAL.move_to_end(key)
        return cached
    report = aggregate(session, campaign, items=False)
    if not report.final:
        return None
    figures = [
        (g.unit_id, g.shown, g.responses, g.satisfaction.mean if g.satisfaction else None)
        for g in report.groups
    ]
    _FINAL[key] = figures
    with suppress(KeyError):  # a concurrent eviction may empty it first
        while len(_FINAL) > _FINAL_SIZE:
            _FINAL.popitem(last=False)
    return figures


def satisfaction_cells(
    session: Session, paths: Sequence[str], units: set[int], kind: str, tz: str
) -> dict[Cell, SatisfactionCell]:
    """Response-weighted satisfaction per (unit, period in which the campaign closed).

    Only final reports count (the campaign is over and nothing is pending), exactly as
    on the survey results pages; a withheld group adds nothing but the fact.
    """
    now = utcnow()
    above = {int(part) for path in paths for part in path.strip("/").split("/") if part}
    campaigns = [
        c
        for c in session.scalars(
            select(Campaign)
            .join(Unit, Unit.id == Campaign.scope_unit_id)
            .where(or_(within(paths), Campaign.scope_unit_id.in_(above)))
            .order_by(Campaign.closes_at, Campaign.id)
        )
        if c.is_over(now)
    ]
    counts = dict(
        session.execute(
            select(Response.campaign_id, func.count())
            .where(Response.campaign_id.in_([c.id for c in campaigns]))
            .group_by(Response.campaign_id)
        ).all()
    )
    cells: dict[Cell, SatisfactionCell] = defaultdict(SatisfactionCell)
    for campaign in campaigns:
        figures = final_figures(session, campaign, counts.get(campaign.id, 0))
        period = key_of_date(local_date(campaign.closes_at, tz), kind)
        for unit_id, shown, responses, mean in figures or []:
            if unit_id not in units:
                continue
            if not shown:
                cell = cells[(unit_id, period)]
                cell.withheld += 1
                cell.campaigns.append((campaign.id, campaign.title, None, None))
            elif mean is not None and responses:
                cell = cells[(unit_id, period)]
                cell.responses += responses
                cell.weighted += responses * mean
                cell.campaigns.append((campaign.id, campaign.title, responses, mean))
    return dict(cells)
