"""Turn an XLSForm's survey/choices/settings sheets into Dudao definition data.

Here: the languages, the choice lists, the settings and the survey's groups (a
top-level group becomes a section); each question is translated in `questions`.
Everything that cannot be translated faithfully is collected, by sheet and row,
into one `XLSFormError`; nothing is half-imported.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from dudao.core.errors import N_, Message, Plural, ValidationError
from dudao.definitions.xlsform.questions import (
    INSERTED_ANSWER,
    Conversion,
    check_columns,
    normalise_key,
    question_items,
    relevant_condition,
)
from dudao.definitions.xlsform.sheets import (
    Row,
    Sheet,
    WorkbookTooLarge,
    language_of,
    local_text,
    read_workbook,
)

METADATA_TYPES = {
    "start", "end", "today", "deviceid", "subscriberid", "simserial", "phonenumber",
    "username", "email", "audit", "start-geopoint",
}  # fmt: skip


NOT_A_WORKBOOK = N_(
    "%(file)s is not a readable XLSX workbook: the file is damaged, or of another kind "
    "(an old .xls renamed, say). Save it again as .xlsx from Excel or WPS."
)


class XLSFormError(ValidationError):
    """One error listing every sheet and row that cannot be translated."""


def _languages(sheets: dict[str, Sheet], settings: dict[str, str]) -> tuple[str, str | None]:
    found = {language_of(c) for c in sheets["survey"].columns if c.startswith("label::")}
    default = language_of(f"label::{settings.get('default_language', '').lower()}")
    primary = "zh" if "zh" in found else (default if default in found else None)
    if primary is None:
        primary = sorted(found - {None})[0] if found - {None} else "zh"
    english = "en" if "en" in found and primary != "en" else None
    return primary, english


def _choices(sheet: Sheet | None, state: Conversion) -> dict[str, list[dict[str, Any]]]:
    lists: dict[str, list[dict[str, Any]]] = {}
    if sheet is None:
        return lists
    for row in sheet.rows:
        list_name, name = row.text("list_name"), row.text("name")
        if not list_name or not name:
            state.fail(row, Message(N_("a choice needs list_name and name")))
            continue
        for column in row.cells:
            if column.split("::")[0] in {"image", "audio", "video", "media"}:
                state.fail(
                    row,
                    Message(
                        N_("column '%(column)s': media in choices cannot be imported"),
                        column=column,
                    ),
                )
        options = lists.setdefault(list_name, [])
        key = normalise_key(name)
        if any(option["key"] == key for option in options):
            state.fail(
                row,
                Message(
                    N_("choice '%(name)s' appears twice in list '%(list)s'"),
                    name=name,
                    list=list_name,
                ),
            )
            continue
        label = local_text(row, "label", state.languages) or name
        if "${" in str(label):
            state.fail(row, INSERTED_ANSWER)
        options.append({"key": key, "label": label})
    return lists


def _current_section(state: Conversion, title: Any) -> dict[str, Any]:
    if not state.sections or state.sections[-1].get("_closed"):
        state.sections.append(
            {"key": f"section_{len(state.sections) + 1}", "title": title, "items": []}
        )
    return state.sections[-1]


def _walk_survey(sheet: Sheet, state: Conversion, lists: dict[str, Any], title: Any) -> None:
    for row in sheet.rows:
        kind = re.sub(r"[\s_]+", " ", row.text("type").lower())
        if not kind:
            state.fail(row, Message(N_("the type is empty")))
            continue
        check_columns(row, state)
        if kind == "begin group":
            condition = relevant_condition(row, state)
            if not state.groups:
                group_title = local_text(row, "label", state.languages) or row.text("name") or title
                state.sections.append({"key": normalise_key(row.text("name") or "group"),
                                       "title": group_title, "items": []})  # fmt: skip
            state.groups.append((row, condition))
        elif kind == "end group":
            if not state.groups:
                state.fail(row, Message(N_("end group without begin group")))
                continue
            state.groups.pop()
            if not state.groups:
                state.sections[-1]["_closed"] = True
        elif kind.startswith(("begin repeat", "end repeat")):
            state.fail(row, Message(N_("repeats cannot be imported")))
        elif kind in METADATA_TYPES:
            continue
        else:
            _current_section(state, title)["items"].extend(question_items(row, state, lists))
    for row, _ in state.groups:
        state.fail(row, Message(N_("begin group without end group")))


def _settings(sheets: dict[str, Sheet]) -> dict[str, str]:
    sheet = sheets.get("settings")
    if sheet is None or not sheet.rows:
        return {}
    return {column: sheet.rows[0].text(column) for column in sheet.columns if column}


def convert_workbook(path: Path, kind: str = "questionnaire") -> dict[str, Any]:
    """Definition data for the workbook at `path`, or XLSFormError listing every problem."""
    return convert(path, kind)[0]


def convert(path: Path, kind: str = "questionnaire") -> tuple[dict[str, Any], dict[str, Row]]:
    """The definition data and the survey row each item key came from."""
    try:
        sheets, problems = read_workbook(path)
    except WorkbookTooLarge as exc:
        raise XLSFormError(exc.args[0]) from None
    except Exception as exc:  # openpyxl raises many kinds for a file that is not a workbook
        # (its own words, "File is not a zip file", say nothing to a reader of the page)
        raise XLSFormError(Message(NOT_A_WORKBOOK, file=path.name)) from exc
    if "survey" not in sheets:
        raise XLSFormError(Message(N_("%(file)s has no 'survey' sheet."), file=path.name))
    settings = _settings(sheets)
    state = Conversion(_languages(sheets, settings), problems)
    title = settings.get("form_title") or path.stem
    lists = _choices(sheets.get("choices"), state)
    _walk_survey(sheets["survey"], state, lists, title)
    sections = [
        {k: v for k, v in section.items() if not k.startswith("_")}
        for section in state.sections
        if section["items"]
    ]
    source = settings.get("form_id") or path.stem
    if not re.search(r"[a-z0-9]", source.lower()):  # two such workbooks would share one key
        why = N_("settings: '%(name)s' gives no key (a–z, 0–9 and _); give the settings sheet "
                 "a form_id such as branch_meeting")  # fmt: skip
        state.problems.append(Message(why, name=source))
    if not sections and not state.problems:
        state.problems.append(Message(N_("survey: no questions that can be imported")))
    if state.problems:
        raise XLSFormError(
            Plural(
                "%(file)s cannot be imported: %(num)d problem.",
                "%(file)s cannot be imported: %(num)d problems.",
                num=len(state.problems),
                file=path.name,
            ),
            state.problems,
        )
    data = {
        "kind": kind,
        "key": normalise_key(source),
        "title": title,
        "sections": sections,
    }
    return data, state.key_rows
