"""Cells for CSV and XLSX files that people open in a spreadsheet, and the size of a
workbook someone sends.

A text cell starting with =, +, -, @, tab or carriage return would be read as a formula
(CSV/formula injection), so every writer passes its cells through `neutralise`.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import IO, Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: Any) -> Any:
    """A text cell that a spreadsheet would run as a formula gets a leading single quote."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_bytes(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """UTF-8 with a BOM (so Excel reads Chinese right), CRLF, every cell neutralised."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(headers)
    writer.writerows([neutralise(_text(cell)) for cell in row] for row in rows)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _text(cell: Any) -> Any:
    """Dates as 2026-11-27, date-times to the minute, as the pages show them."""
    if isinstance(cell, datetime):
        return cell.strftime("%Y-%m-%d %H:%M")
    if isinstance(cell, date):
        return cell.isoformat()
    return cell


def unzipped_size(source: Path | IO[bytes]) -> int:
    """What an XLSX workbook (a zip archive) says it unpacks to. zipfile yields no more
    than that, so checking it first refuses a zip bomb before anything is parsed."""
    with zipfile.ZipFile(source) as archive:
        return sum(info.file_size for info in archive.infolist())
