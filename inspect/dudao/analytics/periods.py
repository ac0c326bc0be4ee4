"""Periods for analytics: calendar months ("2026-07") or quarters ("2026-Q3") of a date range.

Dates that are already dates (due dates, deadlines) are grouped by month in SQL;
quarters are merged from months in Python, so one GROUP BY serves both grains.
Timestamps become local dates in the organisation's time zone (as trends/queries.py
does: PostgreSQL AT TIME ZONE; SQLite the zone's current UTC offset).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Date, cast, func
from sqlalchemy.orm import Session

MONTH, QUARTER = "month", "quarter"
GRAINS = (MONTH, QUARTER)
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def parse_month(value: str | None) -> date | None:
    """The first day of a "YYYY-MM" month, or None for anything else (years 1900–2999: the
    calendar has no year 0, and a range must end before year 10000)."""
    match = _MONTH.match((value or "").strip())
    if not match or not 1 <= int(match.group(2)) <= 12 or not 1900 <= int(match.group(1)) <= 2999:
        return None
    return date(int(match.group(1)), int(match.group(2)), 1)


def month_end(first: date) -> date:
    following = date(first.year + first.month // 12, first.month % 12 + 1, 1)
    return following - timedelta(days=1)


def shift_months(first: date, months: int) -> date:
    index = first.year * 12 + first.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def period_key(month: str, grain: str) -> str:
    """The period a "YYYY-MM" month belongs to."""
    if grain == QUARTER:
        return f"{month[:4]}-Q{(int(month[5:7]) - 1) // 3 + 1}"
    return month


@dataclass(frozen=True)
class Range:
    """Whole months from `first` (a first day) to `last` (a last day), and the grain."""

    first: date
    last: date
    grain: str = MONTH

    def periods(self) -> list[str]:
        """Every period of the range, in order (also those without data)."""
        keys: list[str] = []
        month = self.first
        while month <= self.last:
            key = period_key(f"{month.year:04d}-{month.month:02d}", self.grain)
            if key not in keys:
                keys.append(key)
            month = shift_months(month, 1)
        return keys

    @property
    def month_from(self) -> str:
        return self.first.strftime("%Y-%m")

    @property
    def month_to(self) -> str:
        return self.last.strftime("%Y-%m")


def default_range(today: date, grain: str = MONTH, months: int = 12) -> Range:
    """The `months` months up to and including this one."""
    this = today.replace(day=1)
    return Range(shift_months(this, 1 - months), month_end(this), grain)


def month_of(session: Session, column: Any) -> Any:
    """SQL for the "YYYY-MM" month of a DATE column."""
    if session.get_bind().dialect.name == "postgresql":
        return func.to_char(column, "YYYY-MM")
    return func.strftime("%Y-%m", column)


def local_date(session: Session, column: Any, tz: str) -> Any:
    """SQL for the local calendar date of a UTC timestamp column in time zone `tz`."""
    if session.get_bind().dialect.name == "postgresql":
        return cast(func.timezone(tz, column), Date)
    offset = datetime.now(UTC).astimezone(ZoneInfo(tz)).utcoffset()
    minutes = int(offset.total_seconds() // 60) if offset else 0
    return func.date(column, f"{minutes:+d} minutes")
