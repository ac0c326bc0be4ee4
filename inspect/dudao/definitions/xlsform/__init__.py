"""XLSForm (ODK, KoboToolbox) import: workbook → Dudao definition YAML, or one error
listing every sheet and row that cannot be translated."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from dudao.core.errors import N_, Message, field_problem
from dudao.definitions import validate
from dudao.definitions.problems import Problem
from dudao.definitions.xlsform.convert import XLSFormError, convert, convert_workbook
from dudao.definitions.xlsform.sheets import Row

#: A problem's path inside one item: its section, its index, the rest ("show_if.equals").
ITEM_PATH = re.compile(r"^sections\[(\d+)\]\.items\[(\d+)\]\.?(.*)$")
#: The workbook's column that an item's field was translated from.
COLUMNS = {"show_if": "relevant", "min": "constraint", "max": "constraint"}


def xlsform_to_yaml(path: Path, kind: str = "questionnaire") -> str:
    """YAML that passes `dudao forms check`, or XLSFormError; nothing is half-imported."""
    from dudao.definitions.loader import DefinitionError, load_text

    data, rows = convert(path, kind)
    header = f"# Imported from the XLSForm {path.name}; review before use.\n"
    text = header + yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)
    try:
        load_text(text, path.name)
    except DefinitionError as exc:
        raise XLSFormError(
            Message(N_("%(file)s translates into a definition that is not valid."), file=path.name),
            [_at_its_row(problem, data, rows) for problem in exc.problems],
        ) from exc
    return text


#: Why a workbook made a checklist that scores nothing, in the workbook's terms.
NOTHING_SCORED = Message(
    N_(
        "a checklist needs at least one scored question, and of an XLSForm's questions only "
        "a range gets a pass rule (a select_one or a number gets none). Add a range question "
        "to the workbook, or upload it as a questionnaire"
    )
)


def _at_its_row(problem: Problem, data: dict[str, Any], rows: dict[str, Row]) -> Message:
    """A problem of the translated definition at the survey row of the question it is
    about ("survey row 4: relevant: …"): the YAML it points into is never written."""
    if problem.message == validate.NOTHING_SCORED:
        return NOTHING_SCORED
    found = ITEM_PATH.match(problem.path)
    if found:
        section, index, rest = int(found[1]), int(found[2]), found[3]
        row = rows.get(data["sections"][section]["items"][index].get("key"))
        if row is not None:
            column = COLUMNS.get(re.split(r"[.\[]", rest)[0], rest)
            said = field_problem(column, problem.message) if column else problem.message
            return Message(N_("%(where)s: %(problem)s"), where=row.where(), problem=said)
    return Message(N_("after translation: %(problem)s"), problem=problem.as_message())


__all__ = ["XLSFormError", "convert_workbook", "xlsform_to_yaml"]
