"""Assessment periods: keys, bounds and labels for month, quarter, half-year and year.

Keys sort in time order within one kind: "2026-03" (month), "2026Q1" (quarter),
"2026H1" (half year), "2026" (year). Inspections are placed by the month of their
submission in the organisation's time zone, so a period is a set of whole months.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from dudao.core.database import utcnow

_QUARTERS = {1: "一", 2: "二", 3: "三", 4: "四"}


def key_of_month(month: str, kind: str) -> str:
    """The period key of a month key "YYYY-MM"."""
    year, number = month[:4], int(month[5:7])
    if kind == "month":
        return month[:7]
    if kind == "quarter":
        return f"{year}Q{(number - 1) // 3 + 1}"
    if kind == "half_year":
        return f"{year}H{1 if number <= 6 else 2}"
    return year


def key_of_date(day: date, kind: str) -> str:
    return key_of_month(f"{day.year:04d}-{day.month:02d}", kind)


def local_date(moment: datetime, tz: str) -> date:
    return moment.astimezone(ZoneInfo(tz)).date()


def current_key(kind: str, tz: str, today: date | None = None) -> str:
    """The period the organisation is in now: it is not over, so it is provisional."""
    return key_of_date(today or local_date(utcnow(), tz), kind)


def bounds(key: str) -> tuple[date, date]:
    """First day and the day after the last day of the period."""
    year = int(key[:4])
    if len(key) == 4:
        first, months = 1, 12
    elif key[4] == "Q":
        first, months = 3 * (int(key[5]) - 1) + 1, 3
    elif key[4] == "H":
        first, months = 1 if key[5] == "1" else 7, 6
    else:
        first, months = int(key[5:7]), 1
    end_month = first + months
    end = date(year + (end_month - 1) // 12, (end_month - 1) % 12 + 1, 1)
    return date(year, first, 1), end


def label(key: str, locale: str = "zh_CN") -> str:
    """How a period reads: 2026年第三季度 / 2026 Q3."""
    year, rest = key[:4], key[4:]
    english = locale.startswith("en")
    if not rest:
        return year if english else f"{year}年"
    if rest[0] == "Q":
        return f"{year} {rest}" if english else f"{year}年第{_QUARTERS[int(rest[1])]}季度"
    if rest[0] == "H":
        return f"{year} {rest}" if english else f"{year}年{'上' if rest[1] == '1' else '下'}半年"
    return key if english else f"{year}年{int(rest[1:])}月"


def key_of_label(text: str) -> str | None:
    """The period key whose label, in either language, `text` is ("2026年第三季度" and
    "2026 Q3" are 2026Q3): a period typed as free text, such as a campaign's, that names one
    can then be shown in the reader's language."""
    text, year = text.strip(), text.strip()[:4]
    if not year.isdigit():
        return None
    keys = [year, f"{year}H1", f"{year}H2", *(f"{year}Q{q}" for q in range(1, 5)),
            *(f"{year}-{m:02d}" for m in range(1, 13))]  # fmt: skip
    return next((k for k in keys if text in (label(k, "zh_CN"), label(k, "en"))), None)


def axis_label(key: str, locale: str = "zh_CN") -> str:
    """A period on a chart's axis, where labels stand side by side: the year above the rest
    (2026 / Q3, 2026年 / 三季度), so each is about as wide as the key "2026Q3"."""
    if locale.startswith("en"):
        year, _, rest = label(key, locale).partition(" ")
        return f"{year}\n{rest}" if rest else year
    year, _, rest = label(key, locale).partition("年")
    return f"{year}年\n{rest.removeprefix('第')}" if rest else f"{year}年"
