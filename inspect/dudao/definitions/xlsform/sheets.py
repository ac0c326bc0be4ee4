"""Reading an XLSForm workbook into plain rows with normalised column names."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dudao.core.errors import N_, Message
from dudao.core.spreadsheet import unzipped_size

LANGUAGE_ALIASES = {
    "zh": "zh", "zh_cn": "zh", "zh-cn": "zh", "chinese": "zh", "中文": "zh", "简体中文": "zh",
    "en": "en", "english": "en", "英文": "en", "英语": "en",
}  # fmt: skip
LANGUAGE_CODE = re.compile(r"\(\s*([\w-]+)\s*\)\s*$")
#: The sheets a translation reads; any other (data, notes, a form's own lookup tables)
#: is not opened.
SHEETS = ("survey", "choices", "settings")
#: Far beyond any questionnaire: a workbook larger than this once unzipped (a zip bomb,
#: a data dump) is refused before it is read, and so is a sheet longer than MAX_ROWS.
MAX_UNPACKED_BYTES = 50 * 1024 * 1024
MAX_ROWS = 10_000


class WorkbookTooLarge(Exception):
    """Refused unread; `args[0]` says why, as a Message."""


@dataclass
class Row:
    sheet: str
    number: int  # as the user sees it in the spreadsheet (header = row 1)
    cells: dict[str, Any]

    def text(self, column: str) -> str:
        return cell_text(self.cells.get(column))

    def where(self) -> str:
        return Message(N_("%(sheet)s row %(row)d"), sheet=self.sheet, row=self.number)


@dataclass
class Sheet:
    name: str
    columns: list[str]
    rows: list[Row] = field(default_factory=list)


def cell_text(value: Any) -> str:
    """Spreadsheet cells arrive as numbers too: 12.0 means the label "12"."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def normalise_column(header: str) -> str:
    """`label:English`, `label::english` and `Label::English` all become `label::english`."""
    header = header.strip()
    if "::" not in header and ":" in header:
        base, _, language = header.partition(":")
        header = f"{base}::{language}"
    base, sep, rest = header.partition("::")
    base = base.strip().lower().replace(" ", "_")
    return f"{base}::{rest.strip().lower()}" if sep else base


def language_of(column: str) -> str | None:
    """The language of `label::…`: a known name, or the code XLSForm recommends in
    parentheses (`label::English (en)`, `label::中文 (zh-CN)`); None without `::`."""
    _, sep, language = column.partition("::")
    if not sep:
        return None
    code = LANGUAGE_CODE.search(language)
    name = code[1] if code else language.strip()
    return LANGUAGE_ALIASES.get(name) or LANGUAGE_ALIASES.get(re.split(r"[-_]", name)[0]) or name


def local_text(row: Row, column: str, languages: tuple[str, str | None]) -> Any:
    """A text column as `zh` (the primary language) plus optional `en`."""
    primary, english = languages
    texts: dict[str | None, str] = {}
    for name, value in row.cells.items():
        base, _, _ = name.partition("::")
        if base == column:
            texts.setdefault(language_of(name), cell_text(value))
    main = texts.get(primary) or texts.get(None) or next(iter(texts.values()), "")
    second = texts.get(english) if english else None
    if not main:
        return None
    return {"zh": main, "en": second} if second and second != main else main


def read_workbook(path: Path) -> tuple[dict[str, Sheet], list[str]]:
    """Sheets by lower-case name, and the problems found while reading."""
    import openpyxl

    if unzipped_size(path) > MAX_UNPACKED_BYTES:
        raise WorkbookTooLarge(
            Message(N_("%(file)s is larger than %(mb)d MB unzipped; an XLSForm is far "
                       "smaller."), file=path.name, mb=MAX_UNPACKED_BYTES // 2**20)
        )  # fmt: skip
    problems: list[str] = []
    workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    sheets: dict[str, Sheet] = {}
    try:
        for worksheet in workbook.worksheets:
            name = worksheet.title.strip().lower()
            if name not in SHEETS:
                continue
            rows = worksheet.iter_rows(values_only=True)
            header = next(rows, None) or ()
            columns = [normalise_column(cell_text(h)) if h is not None else "" for h in header]
            seen: set[str] = set()
            for column in columns:
                if column and column in seen:
                    problems.append(
                        Message(
                            N_("%(sheet)s row 1: column '%(column)s' appears twice"),
                            sheet=name,
                            column=column,
                        )
                    )
                seen.add(column)
            sheet = Sheet(name, columns)
            for number, values in enumerate(rows, start=2):
                cells = {
                    column: value
                    for column, value in zip(columns, values, strict=False)
                    if column and cell_text(value) != ""
                }
                if cells and len(sheet.rows) == MAX_ROWS:
                    problems.append(
                        Message(N_("%(sheet)s: more than %(max)d rows; an XLSForm is far "
                                   "shorter"), sheet=name, max=MAX_ROWS)
                    )  # fmt: skip
                    break
                if cells:
                    sheet.rows.append(Row(name, number, cells))
            sheets[name] = sheet
    finally:
        workbook.close()
    return sheets, problems
