"""The exports as files: CSV for any tool, XLSX for a spreadsheet (typed cells)."""

from __future__ import annotations

from collections.abc import Sequence

from dudao.core.spreadsheet import csv_bytes, xlsx_bytes
from dudao.reports.exports import Dataset


def encode(datasets: Sequence[Dataset], fmt: str) -> bytes:
    """CSV holds the first dataset; XLSX one sheet each."""
    return to_csv(datasets[0]) if fmt == "csv" else to_xlsx(datasets)


def to_csv(dataset: Dataset) -> bytes:
    return csv_bytes(dataset.headers, dataset.rows)


def to_xlsx(datasets: Sequence[Dataset]) -> bytes:
    return xlsx_bytes([(d.name, d.headers, d.rows) for d in datasets])
