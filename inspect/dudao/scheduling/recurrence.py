"""Occurrences of a schedule's RRULE, as dates in the organisation's time zone.

A schedule's dates are local calendar dates: `FREQ=MONTHLY;BYMONTHDAY=1` starts on
the first of each month in Asia/Shanghai, which is still the last day of the month
before in UTC until 08:00. "Today" is therefore always the local date.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from dateutil.rrule import rrule, rrulestr
from sqlalchemy.orm import Session

from dudao.core.database import org_timezone
from dudao.core.errors import N_, Invalid, Message

#: Longer than any schedule needs, short enough that a typo (FREQ=SECONDLY) stays cheap.
MAX_OCCURRENCES = 5000
INTERVAL = re.compile(r"INTERVAL=(-?\d+)")


class RecurrenceError(Invalid):
    """The RRULE text is not a usable recurrence; the message says why."""


def parse_rule(text: str, dtstart: date) -> rrule:
    """The rule starting at local midnight of `dtstart`; raises RecurrenceError."""
    cleaned = (text or "").strip()
    if cleaned.upper().startswith("RRULE:"):
        cleaned = cleaned[6:]
    if not cleaned:
        raise RecurrenceError(Message(N_("the recurrence rule is empty")))
    upper = cleaned.upper()
    if "DTSTART" in upper or "\n" in cleaned:
        raise RecurrenceError(
            Message(N_("give only the RRULE (FREQ=...;...); the start date is separate"))
        )
    if any(part in upper for part in ("FREQ=HOURLY", "FREQ=MINUTELY", "FREQ=SECONDLY")):
        raise RecurrenceError(
            Message(N_("schedules repeat daily at most (FREQ=DAILY, WEEKLY, MONTHLY...)"))
        )
    try:
        rule = rrulestr(cleaned, dtstart=datetime.combine(dtstart, time()))
    except (ValueError, TypeError):  # dateutil's own words are English and about its code
        raise RecurrenceError(
            Message(N_("not a valid RRULE (%(text)r): write parts NAME=value separated by "
                       "semicolons, such as FREQ=MONTHLY;BYMONTHDAY=1"), text=cleaned)
        ) from None  # fmt: skip
    if not isinstance(rule, rrule):  # pragma: no cover - rrulestr with one rule
        raise RecurrenceError(Message(N_("give exactly one RRULE")))
    interval = INTERVAL.search(upper)
    if interval and int(interval.group(1)) < 1:  # INTERVAL=0 makes dateutil loop for ever
        raise RecurrenceError(Message(N_("INTERVAL must be 1 or more")))
    if rule.after(datetime.combine(dtstart, time()), inc=True) is None:  # BYMONTH=13
        raise RecurrenceError(Message(N_("this rule never gives a date (such as 31 February)")))
    return rule


def occurrences(text: str, dtstart: date, until: date) -> list[date]:
    """Every occurrence date from `dtstart` up to and including `until`."""
    if until < dtstart:
        return []
    rule = parse_rule(text, dtstart)
    found: list[date] = []
    for moment in rule.xafter(datetime.combine(dtstart, time()), inc=True):
        if moment.date() > until:
            break
        found.append(moment.date())
        if len(found) >= MAX_OCCURRENCES:
            break
    return found


def upcoming(text: str, dtstart: date, after: date, count: int = 5) -> list[date]:
    """The next `count` occurrences on or after `after` (for the preview on the edit page)."""
    rule = parse_rule(text, dtstart)
    start = datetime.combine(max(after, dtstart), time())
    return [moment.date() for moment in rule.xafter(start, count=count, inc=True)]


def local_moment(day: date, zone: ZoneInfo, hour: int, minute: int = 0) -> datetime:
    """The wall-clock time on `day` in `zone`, as an aware UTC moment."""
    return datetime.combine(day, time(hour, minute), zone).astimezone(UTC)


def local_today(timezone: str, now: datetime | None = None) -> date:
    """Today's date in the organisation's time zone (`now` is an aware UTC moment)."""
    moment = now or datetime.now(UTC)
    return moment.astimezone(ZoneInfo(timezone)).date()


def org_today(session: Session) -> date:
    """Today in the time zone of the organisation the session works for."""
    return local_today(org_timezone(session))
