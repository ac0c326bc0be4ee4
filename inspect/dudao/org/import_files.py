"""Reading an org chart spreadsheet (CSV or XLSX) into numbered rows of text cells.

Row numbers are the ones the user sees in the spreadsheet: the header is row 1.
Encodings are detected strictly (UTF-8 with or without BOM, then GB18030, which
covers the GBK files Excel writes in China), never guessed silently.
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import PurePath

from dudao.core.errors import N_, Message, ValidationError
from dudao.core.spreadsheet import unzipped_size

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy .xls (and other Office 97 files)
CSV_DELIMITERS = ",;\t"
#: An org chart or a roster of half a million rows unpacks to less; a zip bomb to far
#: more (a workbook of 850 KB unpacking to 238 MB took three minutes and 660 MB to read).
MAX_UNPACKED_BYTES = 64 * 2**20


class UnreadableFile(ValidationError):
    """The file as a whole cannot be read: one sentence, as an English template and params."""

    def __init__(self, text: str, **params: str) -> None:
        self.text, self.params = text, params
        message = Message(text, **params)
        super().__init__(message, [message])


@dataclass
class Table:
    """The header cells and the non-blank data rows, each with its spreadsheet row number."""

    header: list[str]
    rows: list[tuple[int, list[str]]] = field(default_factory=list)
    encoding: str | None = None


def read_table(data: bytes, filename: str, max_unpacked: int | None = MAX_UNPACKED_BYTES) -> Table:
    """Read CSV or XLSX bytes; raise UnreadableFile with one clear sentence when impossible.
    An XLSX larger than `max_unpacked` unzipped is refused unread (None: no limit, for the
    command line's own files)."""
    name = PurePath(filename or "").name or "the file"
    suffix = PurePath(name).suffix.lower()
    if not data:
        raise UnreadableFile(N_("%(file)s is empty."), file=name)
    if data.startswith(OLE_MAGIC) or suffix == ".xls":
        raise UnreadableFile(
            N_("%(file)s is an old Excel 97-2003 (.xls) file; save it as .xlsx or CSV."),
            file=name,
        )
    if data.startswith(ZIP_MAGIC):
        return _read_xlsx(data, name, max_unpacked)
    if suffix in {".xlsx", ".xlsm"}:
        raise UnreadableFile(
            N_("%(file)s is not a valid XLSX workbook (it is not a zip archive)."), file=name
        )
    return _read_csv(data, name)


def _cell_text(value: object) -> str:
    """Spreadsheet cell to text; whole numbers lose the '.0' Excel gives them."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value).strip()


def _table(raw_rows: list[tuple[int, list[str]]], name: str, encoding: str | None) -> Table:
    if not raw_rows or raw_rows[0][0] != 1 or not any(raw_rows[0][1]):
        raise UnreadableFile(
            N_("%(file)s has no header row: row 1 must name the columns."), file=name
        )
    header = raw_rows[0][1]
    rows = [(number, cells) for number, cells in raw_rows[1:] if any(cells)]
    return Table(header=header, rows=rows, encoding=encoding)


def _damaged(name: str) -> UnreadableFile:
    """openpyxl's own words ("File is not a zip file") say nothing to a reader of the page."""
    return UnreadableFile(
        N_(
            "%(file)s cannot be read as an XLSX workbook: the file is damaged, or of another "
            "kind (an old .xls renamed, say). Save it again as .xlsx from Excel or WPS."
        ),
        file=name,
    )


def _read_xlsx(data: bytes, name: str, max_unpacked: int | None) -> Table:
    from openpyxl import load_workbook

    try:
        size = unzipped_size(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise _damaged(name) from exc
    if max_unpacked is not None and size > max_unpacked:  # refused before it is parsed
        raise UnreadableFile(
            N_("%(file)s is larger than %(mb)s MB unzipped; split it into smaller files."),
            file=name, mb=str(max_unpacked // 2**20),
        )  # fmt: skip
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises assorted errors for damaged workbooks
        raise _damaged(name) from exc
    try:
        sheet = workbook.worksheets[0]
        raw_rows: list[tuple[int, list[str]]] = []
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            raw_rows.append((number, [_cell_text(v) for v in values]))
    finally:
        workbook.close()
    return _table(raw_rows, name, None)


def _decode(data: bytes, name: str) -> tuple[str, str]:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            pass
    if b"\x00" in data:
        raise UnreadableFile(N_("%(file)s is not a CSV text file or an XLSX workbook."), file=name)
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    raise UnreadableFile(
        N_("%(file)s is neither UTF-8 nor GB18030/GBK text; save it as CSV UTF-8 or as XLSX."),
        file=name,
    )


def _delimiter(first_line: str) -> str:
    counts = {d: first_line.count(d) for d in CSV_DELIMITERS}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _read_csv(data: bytes, name: str) -> Table:
    text, encoding = _decode(data, name)
    first_line = text.split("\n", 1)[0]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(first_line))
    raw_rows: list[tuple[int, list[str]]] = []
    try:
        for number, cells in enumerate(reader, start=1):
            raw_rows.append((number, [c.strip() for c in cells]))
    except csv.Error as exc:
        raise UnreadableFile(
            N_("%(file)s is not valid CSV near line %(line)s: %(reason)s."),
            file=name,
            line=str(reader.line_num),
            reason=str(exc),
        ) from exc
    return _table(raw_rows, name, encoding)
