"""Occurrences of a schedule's RRULE, as dates in the organisation's time zone.

A schedule's dates are local calendar dates: `FREQ=MONTHLY;BYMONTHDAY=1` starts on
the first of each month in Asia/Shanghai, which is still the last day of the month
before in UTC until 08:00. "Today" is therefore always the local date.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from dateutil.rrule import rrule, rrulestr
from sqlalchemy.orm import Session

from dudao.core.database import org_timezone
from dudao.core.errors import N_, Invalid, Listed, Message, name_list

#: Longer than any schedule needs, short enough that a typo (FREQ=SECONDLY) stays cheap.
MAX_OCCURRENCES = 5000
FREQUENCIES = ("DAILY", "WEEKLY", "MONTHLY", "YEARLY")
TOO_OFTEN = ("HOURLY", "MINUTELY", "SECONDLY")
DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
WEEKDAY = re.compile(r"(?:([+-]?[0-9]{1,2}))?(MO|TU|WE|TH|FR|SA|SU)")


class RecurrenceError(Invalid):
    """The RRULE text is not a usable recurrence; the message says why."""


def _unreadable(text: str) -> RecurrenceError:
    return RecurrenceError(
        Message(N_("not a valid RRULE ('%(text)s'): write parts NAME=value separated by "
                   "semicolons, such as FREQ=MONTHLY;BYMONTHDAY=1"), text=text)
    )  # fmt: skip


def _numbers(low: int, high: int, signed: bool = True) -> Callable[[str], bool]:
    """A check of a list such as "1,15,-1": whole numbers from `low` to `high`, or (`signed`)
    from -`high` to -`low`, separated by commas."""

    def check(value: str) -> bool:
        items = value.split(",")
        if not all(re.fullmatch(r"[+-]?[0-9]{1,3}", item) for item in items):
            return False
        return all(low <= abs(int(item)) <= high and (signed or int(item) > 0) for item in items)

    return check


def _positive(value: str) -> bool:
    return bool(re.fullmatch(r"\+?[0-9]{1,6}", value)) and int(value) >= 1


def _until(value: str) -> bool:
    try:
        datetime.strptime(value, "%Y%m%d")
    except ValueError:
        return False
    return True


def _weekdays(value: str) -> bool:
    """MO, 1MO, -1FR…: a day, perhaps with its number in the month or year (1 to 53)."""
    found = [WEEKDAY.fullmatch(day) for day in value.split(",")]
    return all(f is not None and (f[1] is None or 1 <= abs(int(f[1])) <= 53) for f in found)


#: The parts a schedule's rule may have (RFC 5545's, less those finer than a day), each with
#: its check and what it takes, which a value that is not one is told.
PARTS: dict[str, tuple[Callable[[str], bool], str]] = {
    "FREQ": (lambda v: v in FREQUENCIES, N_("FREQ is DAILY, WEEKLY, MONTHLY or YEARLY")),
    "INTERVAL": (_positive, N_("INTERVAL is a whole number, 1 or more")),
    "COUNT": (_positive, N_("COUNT is a whole number, 1 or more")),
    "UNTIL": (_until, N_("UNTIL is a date written YYYYMMDD, such as 20261231")),
    "BYMONTH": (_numbers(1, 12, signed=False),
                N_("BYMONTH is months from 1 to 12, separated by commas")),
    "BYMONTHDAY": (_numbers(1, 31), N_("BYMONTHDAY is days of the month from 1 to 31, or from "
                                       "-1 (the last day) to -31, separated by commas")),
    "BYYEARDAY": (_numbers(1, 366), N_("BYYEARDAY is days of the year from 1 to 366, or from "
                                       "-1 (the last day) to -366, separated by commas")),
    "BYWEEKNO": (_numbers(1, 53), N_("BYWEEKNO is weeks of the year from 1 to 53, or from -1 "
                                     "(the last week) to -53, separated by commas")),
    "BYSETPOS": (_numbers(1, 366), N_("BYSETPOS is positions from 1 to 366, or from -1 (the "
                                      "last) to -366, separated by commas")),
    "BYDAY": (_weekdays, N_("BYDAY is days MO, TU, WE, TH, FR, SA, SU, separated by commas, "
                            "each perhaps with a number before it: 1MO the first Monday, -1FR "
                            "the last Friday")),
    "WKST": (lambda v: v in DAYS, N_("WKST is one of MO, TU, WE, TH, FR, SA, SU")),
}  # fmt: skip


def _part_problem(name: str, value: str, typed: str) -> Message | None:
    """What is wrong with part `name`=`value` (upper case; `typed` as the office wrote it)."""
    if name not in PARTS:
        return Message(N_("%(name)s is not a part a schedule's rule may have; the parts are "
                          "%(parts)s"), name=name, parts=name_list(PARTS))  # fmt: skip
    if name == "FREQ" and value in TOO_OFTEN:
        return Message(N_("schedules repeat daily at most (FREQ=DAILY, WEEKLY, MONTHLY...)"))
    check, takes = PARTS[name]
    if check(value):
        return None
    return Message(N_("%(part)s is not valid: %(takes)s"), part=f"{name}={typed}",
                   takes=Message(takes))  # fmt: skip


def _checked_parts(text: str) -> str:
    """The rule written as dateutil reads it (upper case, no spaces, no empty parts), after
    checking each part; RecurrenceError names every part that is wrong and what it takes."""
    written, problems = [], []
    for part in (part for part in text.split(";") if part.strip()):
        name, equals, typed = (piece.strip() for piece in part.partition("="))
        name, value = name.upper(), typed.upper()
        if not equals:
            raise _unreadable(text)
        problem = _part_problem(name, value, typed)
        if problem is not None:
            problems.append(problem)
        written.append(f"{name}={value}")
    if not any(part.startswith("FREQ=") for part in written):
        problems.append(Message(N_("the rule needs FREQ=DAILY, WEEKLY, MONTHLY or YEARLY")))
    if problems:
        raise RecurrenceError(Listed(problems) if len(problems) > 1 else problems[0])
    return ";".join(written)


def parse_rule(text: str, dtstart: date) -> rrule:
    """The rule starting at local midnight of `dtstart`; raises RecurrenceError."""
    cleaned = (text or "").strip()
    if cleaned.upper().startswith("RRULE:"):
        cleaned = cleaned[6:]
    if not cleaned:
        raise RecurrenceError(Message(N_("the recurrence rule is empty")))
    if "DTSTART" in cleaned.upper() or "\n" in cleaned:
        raise RecurrenceError(
            Message(N_("give only the RRULE (FREQ=...;...); the start date is separate"))
        )
    written = _checked_parts(cleaned)  # a RecurrenceError is a ValueError: not in the try
    try:
        rule = rrulestr(written, dtstart=datetime.combine(dtstart, time()))
    except (ValueError, TypeError):  # dateutil's own words are English and about its code
        raise _unreadable(cleaned) from None
    if not isinstance(rule, rrule):  # pragma: no cover - rrulestr with one rule
        raise RecurrenceError(Message(N_("give exactly one RRULE")))
    if rule.after(datetime.combine(dtstart, time()), inc=True) is None:  # 31 February
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
