"""Columns of an org chart import and the parsing of one row into checked values.

Each problem names the spreadsheet row and the column; the service collects all
of them before deciding that nothing may be written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from dudao.core.enums import UnitLevel
from dudao.core.errors import N_, Message, Plural
from dudao.org.import_files import Table

REQUIRED_COLUMNS = ("code", "name", "parent", "level")
OPTIONAL_COLUMNS = ("name_en", "tags", "headcount", "active")
#: More than any unit has; a larger number would overflow the database's integer.
MAX_HEADCOUNT = 10_000_000

# Header aliases, compared case-insensitively after trimming (and ignoring spaces/underscores).
COLUMN_ALIASES: dict[str, tuple[str, ...]] = {
    "code": ("code", "unit code", "编码", "代码", "单位编码", "组织编码"),
    "name": ("name", "unit name", "名称", "单位名称", "组织名称"),
    "parent": ("parent", "parent code", "上级", "上级编码", "上级代码", "上级单位编码"),
    "level": ("level", "层级", "级别"),
    "name_en": ("name_en", "english name", "name (en)", "英文名称", "英文名"),
    "tags": ("tags", "tag", "标签"),
    "headcount": ("headcount", "head count", "人数"),
    "active": ("active", "enabled", "启用", "是否启用"),
}

LEVEL_ALIASES: dict[str, UnitLevel] = {
    "group": UnitLevel.GROUP,
    "集团": UnitLevel.GROUP,
    "company": UnitLevel.COMPANY,
    "公司": UnitLevel.COMPANY,
    "unit": UnitLevel.UNIT,
    "单位": UnitLevel.UNIT,
    "branch": UnitLevel.BRANCH,
    "支部": UnitLevel.BRANCH,
    "党支部": UnitLevel.BRANCH,
}

TRUE_WORDS = {"yes", "y", "1", "true", "是", "启用"}
FALSE_WORDS = {"no", "n", "0", "false", "否", "停用"}
TAG_SEPARATORS = re.compile(r"[;；,，]")
MAX_CODE, MAX_NAME = 64, 200


def _key(header: str) -> str:
    return re.sub(r"[\s_]+", " ", header.strip().lower()).strip()


_ALIAS_TO_COLUMN = {
    _key(alias): column for column, names in COLUMN_ALIASES.items() for alias in names
}


@dataclass
class Problem:
    """One reason the import cannot go ahead; `row` is None for file-level problems.

    `text` is an English template with %(name)s placeholders, so a page can show it
    translated (`_(problem.text, **problem.params)`), and the command line too
    (`as_message`).
    """

    text: str
    params: dict[str, str | int] = field(default_factory=dict)
    row: int | None = None
    column: str | None = None

    @classmethod
    def said(cls, message: Message, row: int, column: str) -> Problem:
        """A problem another module already worded (the tree rules'), kept whole."""
        return cls("%(problem)s", {"problem": message}, row, column)

    @property
    def message(self) -> str:
        return self.text % self.params

    def what(self) -> Message:
        """The problem without its place, in the reader's language where it is shown."""
        return Message(self.text, **self.params)

    def as_message(self) -> Message:
        """Where and what: "row 3, column parent: …", in the reader's language."""
        what = self.what()
        if self.row is None:
            return Message(N_("file: %(problem)s"), problem=what)
        if self.column:
            return Message(N_("row %(n)d, column %(column)s: %(problem)s"), n=self.row,
                           column=self.column, problem=what)  # fmt: skip
        return Message(N_("row %(n)d: %(problem)s"), n=self.row, problem=what)

    def __str__(self) -> str:
        return str(self.as_message())


def refused(filename: str, problems: int) -> Message:
    """The sentence under the problems of a file that was not imported."""
    return Plural("%(file)s: %(num)d problem; nothing was imported.",
                  "%(file)s: %(num)d problems; nothing was imported.",
                  num=problems, file=filename)  # fmt: skip


@dataclass
class OrgRow:
    """One row; optional fields are None when their column is absent from the file.

    Rows with problems are kept (with `valid` False) so that other rows may still
    refer to their code without a misleading "unknown parent".
    """

    row: int
    code: str
    name: str
    parent: str | None
    level: UnitLevel | None
    name_en: str | None = None
    tags: list[str] | None = None
    headcount: int | None = None
    active: bool | None = None
    present: frozenset[str] = field(default_factory=frozenset)
    valid: bool = True
    bad: frozenset[str] = frozenset()  # the columns whose cell has a problem


def map_columns(header: list[str]) -> tuple[dict[str, int], list[Problem]]:
    """Column name -> cell index; unknown headers are ignored, missing required ones named."""
    columns: dict[str, int] = {}
    problems: list[Problem] = []
    for index, cell in enumerate(header):
        column = _ALIAS_TO_COLUMN.get(_key(cell))
        if column is None:
            continue
        if column in columns:
            problems.append(
                Problem(
                    N_("two columns mean '%(column)s': '%(first)s' and '%(second)s'"),
                    {"column": column, "first": header[columns[column]], "second": cell},
                    row=1,
                )
            )
            continue
        columns[column] = index
    missing = [c for c in REQUIRED_COLUMNS if c not in columns]
    if missing:
        problems.append(
            Problem(
                N_(
                    "missing required column(s): %(missing)s; row 1 must name at least "
                    "code, name, parent and level"
                ),
                {"missing": ", ".join(missing)},
                row=1,
            )
        )
    return columns, problems


def _split_tags(text: str) -> list[str]:
    return sorted({tag.strip() for tag in TAG_SEPARATORS.split(text) if tag.strip()})


def headed(problems: list[Problem], table: Table) -> list[Problem]:
    """The problems with their columns named as the file's header names them (层级 where
    the file says 层级, not level), so the reader finds the column in their own file."""
    columns, _ = map_columns(table.header)
    names = {column: table.header[index].strip() for column, index in columns.items()}
    for problem in problems:
        if problem.column in names:
            problem.column = names[problem.column]
    return problems


def parse_rows(table: Table) -> tuple[list[OrgRow], list[Problem]]:
    """Check each row on its own (values, lengths, levels); links between rows come later."""
    columns, problems = map_columns(table.header)
    if any("missing" in p.params for p in problems):
        return [], problems
    present = frozenset(columns)
    rows: list[OrgRow] = []
    for number, cells in table.rows:

        def cell(column: str, cells: list[str] = cells) -> str:
            index = columns.get(column)
            return cells[index].strip() if index is not None and index < len(cells) else ""

        row_problems: list[Problem] = []
        code, name = cell("code"), cell("name")
        if not code:
            row_problems.append(Problem(N_("the code is empty"), row=number, column="code"))
        elif len(code) > MAX_CODE:
            row_problems.append(
                Problem(
                    N_("the code is longer than %(max)s characters"),
                    {"max": MAX_CODE},
                    number,
                    "code",
                )
            )
        if not name:
            row_problems.append(Problem(N_("the name is empty"), row=number, column="name"))
        elif len(name) > MAX_NAME:
            row_problems.append(
                Problem(
                    N_("the name is longer than %(max)s characters"),
                    {"max": MAX_NAME},
                    number,
                    "name",
                )
            )
        level_text = cell("level")
        level = LEVEL_ALIASES.get(level_text.lower())
        if level is None:
            row_problems.append(
                Problem(
                    N_(
                        "unknown level '%(level)s' (use group, company, unit or branch, "
                        "or 集团, 公司, 单位, 支部/党支部)"
                    )
                    if level_text
                    else N_("the level is empty (use group, company, unit or branch)"),
                    {"level": level_text} if level_text else {},
                    number,
                    "level",
                )
            )
        headcount: int | None = None
        headcount_text = cell("headcount")
        if headcount_text:
            try:
                headcount = int(headcount_text)
                if not 0 <= headcount <= MAX_HEADCOUNT:
                    raise ValueError
            except ValueError:  # 5,000 digits too: int() refuses them
                row_problems.append(
                    Problem(
                        N_("headcount '%(value)s' is not a whole number from 0 to %(max)s"),
                        {"value": headcount_text[:40], "max": str(MAX_HEADCOUNT)},
                        number,
                        "headcount",
                    )
                )
        active: bool | None = None
        active_text = cell("active").lower()
        if active_text in TRUE_WORDS:
            active = True
        elif active_text in FALSE_WORDS:
            active = False
        elif active_text:
            row_problems.append(
                Problem(
                    N_("active '%(value)s' is not one of yes, no, 1, 0, 是, 否"),
                    {"value": cell("active")},
                    number,
                    "active",
                )
            )
        name_en = cell("name_en")
        if len(name_en) > MAX_NAME:
            row_problems.append(
                Problem(
                    N_("the English name is longer than %(max)s characters"),
                    {"max": MAX_NAME},
                    number,
                    "name_en",
                )
            )
        problems.extend(row_problems)
        rows.append(
            OrgRow(
                row=number,
                code=code,
                name=name,
                parent=cell("parent") or None,
                level=level,
                name_en=name_en or None,
                tags=_split_tags(cell("tags")) if "tags" in present else None,
                headcount=headcount,
                active=active,
                present=present,
                valid=not row_problems,
                bad=frozenset(p.column for p in row_problems if p.column),
            )
        )
    return rows, problems
