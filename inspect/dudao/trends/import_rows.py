"""Reading a file of historical inspections (`dudao import inspections`) into records
numbered as its reader numbers them: JSON Lines by line, CSV and XLSX by row (the header
is row 1), each spreadsheet row shaped as a JSON Lines record."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from dudao.core.errors import N_, Message, name_list
from dudao.org.import_files import UnreadableFile, read_table

FIXED = ("unit", "definition", "version", "date", "inspector")  # version: optional
REQUIRED = ("unit", "definition", "date")
#: A spreadsheet's fixed columns may be named in Chinese, as the org import's are.
HEADER_ALIASES = {
    alias: column
    for column, aliases in {
        "unit": ("单位", "单位编码", "编码"),
        "definition": ("检查表", "检查表编码", "定义"),
        "version": ("版本",),
        "date": ("日期", "检查日期"),
        "inspector": ("检查人员", "检查人", "用户名"),
    }.items()
    for alias in (column, *aliases)
}
JSON_LINES = (".jsonl", ".ndjson", ".json")
TABLES = (".csv", ".xlsx", ".xls")
NOT_AN_OBJECT = Message(N_("not a JSON object"))

UNNAMED = N_("column %(column)d holds a value, but row 1 gives that column no name")


def read_rows(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line or row number, record) from JSON Lines, CSV or XLSX, numbered as a user sees
    them; a line that is not a JSON object is a record carrying its problem (`_bad`)."""
    suffix = path.suffix.lower()
    if suffix in JSON_LINES:
        yield from _json_lines(path)
    elif suffix in TABLES:
        table = read_table(path.read_bytes(), path.name, max_unpacked=None)  # an admin's own
        header = [HEADER_ALIASES.get(name.strip().lower(), name) for name in table.header]
        missing = [column for column in REQUIRED if column not in header]
        if missing:
            raise UnreadableFile(
                N_("%(file)s: row 1 must name the columns unit, definition and date (and may "
                   "name inspector and version), then one column per item key; missing: "
                   "%(columns)s."),
                file=path.name, columns=name_list(missing),
            )  # fmt: skip
        named = [bool(name.strip()) for name in header]
        for number, cells in table.rows:
            # A value under no column name was dropped unseen: say where it is instead.
            stray = [n for n, cell in enumerate(cells, 1)
                     if cell and (n > len(named) or not named[n - 1])]  # fmt: skip
            if stray:
                yield number, {"_bad": Message(UNNAMED, column=stray[0]), "_table": True}
                continue
            yield number, _table_record(dict(zip(header, cells, strict=False)))
    else:
        raise UnreadableFile(N_("%(file)s: use .jsonl, .csv or .xlsx."), file=path.name)


def _json_lines(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UnreadableFile(N_("%(file)s is not UTF-8 text."), file=path.name) from None
    # Lines end at \n alone: JSON text may hold U+2028 and the like, which splitlines() splits.
    for number, line in enumerate(text.split("\n"), 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            yield number, {"_bad": Message(N_("not JSON (%(reason)s)"), reason=exc.msg)}
            continue
        yield number, record if isinstance(record, dict) else {"_bad": NOT_AN_OBJECT}


def _table_record(row: dict[str, str]) -> dict[str, Any]:
    """A spreadsheet row as a JSON Lines record: the fixed columns, then the answers."""
    answers = {key.strip(): value for key, value in row.items() if key not in FIXED and key
               and value}  # fmt: skip
    return {**{k: row.get(k) or None for k in FIXED}, "answers": answers, "_table": True}
