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

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.utils import get_column_letter

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


Sheet = tuple[str, Sequence[str], Sequence[Sequence[Any]]]  # name, headers, rows


def xlsx_bytes(sheets: Sequence[Sheet]) -> bytes:
    """One sheet each: dates and times as the spreadsheet's own, numbers as numbers, empty
    cells empty, text neutralised. The header row stays in view; columns fit their text
    (to a point)."""
    workbook = Workbook(write_only=True)
    for name, headers, rows in sheets:
        sheet = workbook.create_sheet(name[:31])
        sheet.freeze_panes = "A2"
        for n, width in enumerate(_widths(headers, rows), start=1):
            sheet.column_dimensions[get_column_letter(n)].width = width
        sheet.append(list(headers))
        for row in rows:
            sheet.append([_cell(sheet, value) for value in row])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _cell(sheet: Any, value: Any) -> Any:
    if value == "" or value is None:
        return None
    if isinstance(value, datetime | date):
        cell = WriteOnlyCell(sheet, value)
        cell.number_format = "yyyy-mm-dd hh:mm" if isinstance(value, datetime) else "yyyy-mm-dd"
        return cell
    return neutralise(value)


def _widths(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> list[float]:
    """Each column as wide as its longest text in the first rows (a CJK character counts
    twice), between 8 and 50 characters."""
    sample = [headers, *rows[:200]]
    return [
        min(50.0, max(8.0, 1.2 + max(_text_width(row[n]) for row in sample)))
        for n in range(len(headers))
    ]


def _text_width(value: Any) -> int:
    if isinstance(value, datetime):
        return 16
    text = str(value if value is not None else "")
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)
