"""The exports as files: CSV for any tool, XLSX for a spreadsheet (typed cells)."""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.utils import get_column_letter

from dudao.core.spreadsheet import csv_bytes, neutralise
from dudao.reports.exports import Dataset


def encode(datasets: Sequence[Dataset], fmt: str) -> bytes:
    """CSV holds the first dataset; XLSX one sheet each."""
    return to_csv(datasets[0]) if fmt == "csv" else to_xlsx(datasets)


def to_csv(dataset: Dataset) -> bytes:
    return csv_bytes(dataset.headers, dataset.rows)


def to_xlsx(datasets: Sequence[Dataset]) -> bytes:
    """One sheet per dataset: dates and times as the spreadsheet's own, numbers as numbers,
    empty cells empty; text neutralised. The header row stays in view; columns fit their
    text (to a point)."""
    workbook = Workbook(write_only=True)
    for dataset in datasets:
        sheet = workbook.create_sheet(dataset.name[:31])
        sheet.freeze_panes = "A2"
        for n, width in enumerate(_widths(dataset), start=1):
            sheet.column_dimensions[get_column_letter(n)].width = width
        sheet.append(dataset.headers)
        for row in dataset.rows:
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


def _widths(dataset: Dataset) -> list[float]:
    """Each column as wide as its longest text in the first rows (a CJK character counts
    twice), between 8 and 50 characters."""
    sample = [dataset.headers, *dataset.rows[:200]]
    return [
        min(50.0, max(8.0, 1.2 + max(_text_width(row[n]) for row in sample)))
        for n in range(len(dataset.headers))
    ]


def _text_width(value: Any) -> int:
    if isinstance(value, datetime):
        return 16
    text = str(value if value is not None else "")
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)
