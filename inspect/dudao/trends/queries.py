"""Set-based reads feeding the trend rules: a few GROUP BY queries, never one per unit or item.

Periods are calendar months ("YYYY-MM") of the submission time in the organisation's
time zone, computed in SQL (PostgreSQL: AT TIME ZONE; SQLite: the zone's current UTC
offset, exact for zones without daylight saving such as Asia/Shanghai).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dudao.definitions.models import DefinitionVersion, FormDefinition
from dudao.inspections.models import Inspection
from dudao.inspections.queries import RESULT_STATES
from dudao.inspections.submission_models import Finding, Submission
from dudao.org.models import Unit

#: Inspection states whose latest submission counts as a result (the inspections list's
#: `counted`/`failed` filters and analytics use the same).
COUNTED_STATES = RESULT_STATES


def period_of(moment: datetime | date, tz: str) -> str:
    if isinstance(moment, datetime):
        moment = moment.astimezone(ZoneInfo(tz))
    return f"{moment.year:04d}-{moment.month:02d}"


def period_expr(session: Session, column: Any, tz: str) -> Any:
    """SQL for the month key of a UTC timestamp column in time zone `tz`."""
    if session.get_bind().dialect.name == "postgresql":
        return func.to_char(func.timezone(tz, column), "YYYY-MM")
    offset = datetime.now(UTC).astimezone(ZoneInfo(tz)).utcoffset()
    minutes = int(offset.total_seconds() // 60) if offset else 0
    return func.strftime("%Y-%m", column, f"{minutes:+d} minutes")


def counted_submissions(unit_ids: list[int] | None = None) -> Any:
    """Subquery of the latest submission id of every inspection that has a result."""
    query = (
        select(func.max(Submission.id).label("pk"))
        .join(Inspection, Inspection.id == Submission.inspection_id)
        .where(Inspection.state.in_(COUNTED_STATES))
        .group_by(Submission.inspection_id)
    )
    if unit_ids is not None:
        query = query.where(Inspection.unit_id.in_(unit_ids))
    return query.subquery()


@dataclass
class History:
    """Inspection results as arrays (one entry per counted submission, ordered by unit, time)."""

    sub_pk: np.ndarray
    inspection_id: np.ndarray
    unit_id: np.ndarray
    definition: np.ndarray  # definition key per submission (object array)
    period: np.ndarray  # "YYYY-MM" (object array)
    percent: np.ndarray  # float, NaN when nothing was scored
    version_id: np.ndarray
    # Failed items: submission pk, item key, critical.
    fail_sub: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=int))
    fail_item: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=object))
    fail_critical: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))
    periods: list[str] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.sub_pk)


def load_history(session: Session, tz: str, unit_ids: list[int] | None = None) -> History:
    """Two queries: the counted submissions (with period) and their failed items."""
    latest = counted_submissions(unit_ids)
    period = period_expr(session, Submission.submitted_at, tz).label("period")
    rows = session.execute(
        select(
            Submission.id, Submission.inspection_id, Inspection.unit_id, FormDefinition.key,
            period, Submission.percent, Submission.definition_version_id,
        )
        .join(latest, latest.c.pk == Submission.id)
        .join(Inspection, Inspection.id == Submission.inspection_id)
        .join(DefinitionVersion, DefinitionVersion.id == Submission.definition_version_id)
        .join(FormDefinition, FormDefinition.id == DefinitionVersion.definition_id)
        .order_by(Inspection.unit_id, Submission.submitted_at, Submission.id)
    ).all()  # fmt: skip
    columns = list(zip(*rows, strict=True)) if rows else [[]] * 7
    history = History(
        sub_pk=np.asarray(columns[0], dtype=np.int64),
        inspection_id=np.asarray(columns[1], dtype=np.int64),
        unit_id=np.asarray(columns[2], dtype=np.int64),
        definition=np.asarray(columns[3], dtype=object),
        period=np.asarray(columns[4], dtype=object),
        percent=np.asarray([np.nan if p is None else p for p in columns[5]], dtype=float),
        version_id=np.asarray(columns[6], dtype=np.int64),
    )
    fails = session.execute(
        select(Finding.submission_pk, Finding.item_key, Finding.critical).join(
            latest, latest.c.pk == Finding.submission_pk
        )
    ).all()
    if fails:
        f_sub, f_item, f_crit = zip(*fails, strict=True)
        history.fail_sub = np.asarray(f_sub, dtype=np.int64)
        history.fail_item = np.asarray(f_item, dtype=object)
        history.fail_critical = np.asarray(f_crit, dtype=bool)
    history.periods = sorted(set(history.period.tolist()))
    return history


def unit_table(session: Session) -> dict[int, tuple[str, str, str]]:
    """id -> (code, path, level) for every unit (one query)."""
    return {
        uid: (code, path, str(getattr(level, "value", level)))
        for uid, code, path, level in session.execute(
            select(Unit.id, Unit.code, Unit.path, Unit.level)
        )
    }


def open_flag_counts(session: Session, unit_ids: set[int]) -> dict[int, int]:
    """Open flags per unit (a flag counts for its own unit), for weighting spot-check draws."""
    from dudao.trends.models import Flag

    if not unit_ids:
        return {}
    rows = session.execute(
        select(Flag.unit_id, func.count())
        .where(Flag.open_key == 0, Flag.unit_id.in_(unit_ids))
        .group_by(Flag.unit_id)
    ).all()
    return {unit_id: count for unit_id, count in rows}
