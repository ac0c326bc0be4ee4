"""Cells for CSV and XLSX files that people open in a spreadsheet.

A text cell starting with =, +, -, @, tab or carriage return would be read as a formula
(CSV/formula injection), so every writer passes its cells through `neutralise`.
"""

from __future__ import annotations

from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: Any) -> Any:
    """A text cell that a spreadsheet would run as a formula gets a leading single quote."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value
