"""A schedule's recurrence rule in words (每月1日, every quarter on day 1 of its first month),
for the schedule pages; None for a rule out of the common forms, which pages show raw."""

from __future__ import annotations

from datetime import date

from dudao.core.errors import N_, Message, Plural, name_list
from dudao.scheduling.recurrence import WEEKDAY, RecurrenceError, parse_rule

MONTHS = (N_("January"), N_("February"), N_("March"), N_("April"), N_("May"), N_("June"),
          N_("July"), N_("August"), N_("September"), N_("October"), N_("November"),
          N_("December"))  # fmt: skip
WEEKDAYS = {"MO": N_("Monday"), "TU": N_("Tuesday"), "WE": N_("Wednesday"), "TH": N_("Thursday"),
            "FR": N_("Friday"), "SA": N_("Saturday"), "SU": N_("Sunday")}  # fmt: skip
ORDINALS = {1: N_("first"), 2: N_("second"), 3: N_("third"), 4: N_("fourth"), -1: N_("last")}
#: FREQ with INTERVAL=1, and with a larger INTERVAL.
EVERY = {
    "DAILY": (N_("every day"), N_("every %(num)d days")),
    "WEEKLY": (N_("every week"), N_("every %(num)d weeks")),
    "MONTHLY": (N_("every month"), N_("every %(num)d months")),
    "YEARLY": (N_("every year"), N_("every %(num)d years")),
}
#: The parts a rule in words may have; any other (COUNT, UNTIL, BYSETPOS...) keeps it raw.
WORDED = {"FREQ", "INTERVAL", "BYMONTHDAY", "BYDAY", "BYMONTH"}


def _parts(text: str) -> dict[str, str] | None:
    cleaned = text.strip()
    if cleaned.upper().startswith("RRULE:"):
        cleaned = cleaned[6:]
    parts = dict(p.strip().upper().partition("=")[::2] for p in cleaned.split(";") if p.strip())
    return parts if set(parts) <= WORDED else None


def _every(freq: str, interval: int, dtstart: date) -> Message:
    """每月 / every 2 weeks; three months from a quarter's first month are a quarter."""
    if freq == "MONTHLY" and interval == 3 and dtstart.month % 3 == 1:
        return Message(N_("every quarter"))
    once, often = EVERY[freq]
    return Message(once) if interval == 1 else Message(often, num=interval)


def _days(value: str, every: Message) -> Message | None:
    """BYMONTHDAY: one or more days of the month, or the last day alone."""
    if value == "-1":
        if every.template == N_("every quarter"):
            return Message(N_("every quarter on the last day of its first month"))
        return Message(N_("%(every)s on the last day of the month"), every=every)
    days = value.split(",")
    if not all(day.isdigit() for day in days):
        return None
    listed = name_list(str(int(day)) for day in days)
    if every.template == N_("every quarter"):
        return Plural("every quarter on day %(days)s of its first month",
                      "every quarter on days %(days)s of its first month",
                      num=len(days), days=listed)  # fmt: skip
    return Plural("%(every)s on day %(days)s", "%(every)s on days %(days)s",
                  num=len(days), every=every, days=listed)  # fmt: skip


def _weekdays(value: str, every: Message, freq: str) -> Message | None:
    """BYDAY: days of the week (weekly), or one numbered day of the month (monthly)."""
    found = [WEEKDAY.fullmatch(day) for day in value.split(",")]
    if any(f is None for f in found):
        return None
    if freq == "WEEKLY" and all(f[1] is None for f in found):  # type: ignore[index]
        days = name_list(Message(WEEKDAYS[f[2]]) for f in found)  # type: ignore[index]
        return Message(N_("%(every)s on %(days)s"), every=every, days=days)
    if freq == "MONTHLY" and len(found) == 1 and found[0][1] is not None:  # type: ignore[index]
        number, day = int(found[0][1]), found[0][2]  # type: ignore[index]
        if number in ORDINALS:
            return Message(N_("%(every)s on the %(nth)s %(day)s"), every=every,
                           nth=Message(ORDINALS[number]), day=Message(WEEKDAYS[day]))  # fmt: skip
    return None


def _in_months(months: str, day: str, freq: str) -> Message | None:
    """BYMONTH with one day of the month: 每年1月、4月、7月、10月的1日."""
    if freq not in ("MONTHLY", "YEARLY") or not day.isdigit():
        return None
    named = name_list(Message(MONTHS[int(month) - 1]) for month in months.split(","))
    return Message(N_("every year on day %(day)d of %(months)s"), months=named, day=int(day))


def rule_in_words(text: str, dtstart: date) -> Message | None:
    """The rule in words for the common FREQ/INTERVAL/BYMONTHDAY/BYDAY/BYMONTH forms; None
    for a rule that is not valid or not among them (pages then show the rule itself)."""
    try:
        parse_rule(text, dtstart)
    except RecurrenceError:
        return None
    parts = _parts(text)
    if parts is None:
        return None
    freq, interval = parts["FREQ"], int(parts.get("INTERVAL", "1"))
    every = _every(freq, interval, dtstart)
    months, days, weekdays = parts.get("BYMONTH"), parts.get("BYMONTHDAY"), parts.get("BYDAY")
    if months is not None:
        if interval != 1 or weekdays is not None or days is None:
            return None
        return _in_months(months, days, freq)
    if days is not None and weekdays is None and freq == "MONTHLY":
        return _days(days, every)
    if weekdays is not None and days is None:
        return _weekdays(weekdays, every, freq)
    return every if days is None and weekdays is None else None
