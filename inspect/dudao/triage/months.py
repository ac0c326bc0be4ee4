"""Months as a flag's page writes them: a window's span, a baseline's first and last month,
and runs of consecutive months ("2025-03 – 2025-08, 2025-11")."""

from __future__ import annotations

import re
from collections.abc import Iterable

MONTH = re.compile(r"^\d{4}-\d{2}$")


def _index(month: str) -> int | None:
    return int(month[:4]) * 12 + int(month[5:7]) - 1 if MONTH.match(month) else None


def span(months: Iterable[object]) -> str:
    """First and last month ("2025-01 – 2025-12"); one month once."""
    return " – ".join(dict.fromkeys(map(str, months)))


def window(e: dict, last: str) -> str:
    """The months of a windowed test ("2026-10 – 2026-11"), from its end and its length."""
    end, size = str(e.get("period") or last), int(e.get("window_periods") or 1)
    index = _index(end)
    if size <= 1 or index is None:
        return end
    start = index - (size - 1)
    return span([f"{start // 12}-{start % 12 + 1:02d}", end])


def runs(months: Iterable[object]) -> str:
    """The months as runs of consecutive ones, so a flag that went on for a year reads as
    one span."""
    found: list[list[str]] = []
    for month in sorted(map(str, months)):
        here = _index(month)
        if found and here is not None and _index(found[-1][-1]) == here - 1:
            found[-1].append(month)
        else:
            found.append([month])
    return ", ".join(span([run[0], run[-1]]) for run in found)
