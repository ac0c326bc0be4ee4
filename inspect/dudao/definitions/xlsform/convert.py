"""Turn an XLSForm's survey/choices/settings sheets into Dudao definition data.

Everything that cannot be translated faithfully is collected, by sheet and row,
into one `XLSFormError`; nothing is half-imported.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dudao.core.errors import ValidationError
from dudao.definitions.xlsform.relevant import UntranslatableExpression, translate_relevant
from dudao.definitions.xlsform.sheets import Row, Sheet, cell_text, language_of, read_workbook

METADATA_TYPES = {
    "start", "end", "today", "deviceid", "subscriberid", "simserial", "phonenumber",
    "username", "email", "audit", "start-geopoint",
}  # fmt: skip
SIMPLE_TYPES = {
    "integer": ("number", {"decimals": 0}),
    "int": ("number", {"decimals": 0}),
    "decimal": ("number", {"decimals": 2}),
    "text": ("text", {}),
    "string": ("text", {}),
    "date": ("date", {}),
    "image": ("photo", {"max_count": 1}),
    "photo": ("photo", {"max_count": 1}),
    "note": ("note", {}),
}
SELECT_TYPE = re.compile(
    r"^(?P<kind>select_one|select one|select_multiple|select multiple|select all that apply)"
    r"(?: from)?\s+(?P<list>\S+)(?P<other>\s+or specify other)?$"
)
# Columns that only change how ODK presents a question, never what it means.
PRESENTATION = {"appearance", "required_message", "requiredmsg", "constraint_message",
                "jr:constraintmsg", "jr:requiredmsg", "autoplay", "buttontext",
                "noapperrorstring", "rows", "guidance_hint", "style"}  # fmt: skip
TRANSLATED = {"type", "name", "label", "hint", "required", "relevant", "constraint"}
TRUE_VALUES = {"yes", "true", "true()", "1"}
FALSE_VALUES = {"no", "false", "false()", "0"}
BOUND = re.compile(r"^\.\s*(>=|<=)\s*(-?\d+(?:\.\d+)?)$")


class XLSFormError(ValidationError):
    """One error listing every sheet and row that cannot be translated."""


def normalise_key(name: str) -> str:
    key = re.sub(r"[^a-z0-9_]+", "_", name.strip().lower()).strip("_")
    return key if re.match(r"^[a-z]", key) else f"q_{key}"


@dataclass
class _State:
    languages: tuple[str, str | None]
    problems: list[str] = field(default_factory=list)
    rename: dict[str, str] = field(default_factory=dict)
    key_rows: dict[str, Row] = field(default_factory=dict)
    choice_keys: dict[str, str] = field(default_factory=dict)  # item key → list name
    sections: list[dict[str, Any]] = field(default_factory=list)
    groups: list[tuple[Row, dict[str, Any] | None]] = field(default_factory=list)

    def fail(self, row: Row, message: str) -> None:
        self.problems.append(f"{row.where()}: {message}")


def _local(row: Row, column: str, languages: tuple[str, str | None]) -> Any:
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


def _languages(sheets: dict[str, Sheet], settings: dict[str, str]) -> tuple[str, str | None]:
    found = {language_of(c) for c in sheets["survey"].columns if c.startswith("label::")}
    default = settings.get("default_language", "").lower()
    default = {"english": "en", "chinese": "zh"}.get(default, default)
    primary = "zh" if "zh" in found else (default if default in found else None)
    if primary is None:
        primary = sorted(found - {None})[0] if found - {None} else "zh"
    english = "en" if "en" in found and primary != "en" else None
    return primary, english


def _choices(sheet: Sheet | None, state: _State) -> dict[str, list[dict[str, Any]]]:
    lists: dict[str, list[dict[str, Any]]] = {}
    if sheet is None:
        return lists
    for row in sheet.rows:
        list_name, name = row.text("list_name"), row.text("name")
        if not list_name or not name:
            state.fail(row, "a choice needs list_name and name")
            continue
        for column in row.cells:
            if column.split("::")[0] in {"image", "audio", "video", "media"}:
                state.fail(row, f"column {column!r}: media in choices cannot be imported")
        options = lists.setdefault(list_name, [])
        key = normalise_key(name)
        if any(option["key"] == key for option in options):
            state.fail(row, f"choice {name!r} appears twice in list {list_name!r}")
            continue
        label = _local(row, "label", state.languages) or name
        if "${" in str(label):
            state.fail(row, "a label that inserts an answer (${...}) cannot be imported")
        options.append({"key": key, "label": label})
    return lists


def _check_columns(row: Row, state: _State) -> None:
    for column, value in row.cells.items():
        base = column.split("::")[0]
        if base in TRANSLATED or base in PRESENTATION:
            continue
        if base == "read_only" and cell_text(value).lower() in FALSE_VALUES:
            continue
        state.fail(row, f"column {column!r} ({cell_text(value)[:40]!r}) cannot be imported")


def _required(row: Row, state: _State) -> bool:
    value = row.text("required").lower()
    if value in TRUE_VALUES:
        return True
    if value and value not in FALSE_VALUES:
        state.fail(row, f"required {value!r}: only yes/no can be imported")
    return False


def _condition(row: Row, state: _State) -> dict[str, Any] | None:
    expression = row.text("relevant")
    if not expression:
        return None
    try:
        condition, referenced = translate_relevant(expression, state.rename)
    except UntranslatableExpression as exc:
        state.fail(row, f"relevant {expression!r}: {exc}")
        return None
    for name in referenced:
        if name not in state.rename:
            state.fail(row, f"relevant refers to ${{{name}}}, which is not an earlier question")
    return _normalise_values(condition, state)


def _normalise_values(condition: dict[str, Any], state: _State) -> dict[str, Any]:
    """Choice names in conditions become the option keys they were imported as."""
    for group in ("all", "any"):
        if group in condition:
            return {group: [_normalise_values(c, state) for c in condition[group]]}
    if condition["item"] in state.choice_keys:
        for operator, value in condition.items():
            if operator != "item":
                condition[operator] = normalise_key(str(value))
    return condition


def _combine(*conditions: dict[str, Any] | None) -> dict[str, Any] | None:
    present = [c for c in conditions if c]
    if len(present) <= 1:
        return present[0] if present else None
    return {"all": present}


def _current_section(state: _State, title: Any) -> dict[str, Any]:
    if not state.sections or state.sections[-1].get("_closed"):
        state.sections.append(
            {"key": f"section_{len(state.sections) + 1}", "title": title, "items": []}
        )
    return state.sections[-1]


def _item(row: Row, state: _State, lists: dict[str, list[dict[str, Any]]]) -> list[dict[str, Any]]:
    kind = re.sub(r"\s+", " ", row.text("type").strip().lower())
    name = row.text("name")
    select = SELECT_TYPE.match(kind)
    if select:
        item_type = (
            "single_choice" if select["kind"] in {"select_one", "select one"} else "multi_choice"
        )
        extra: dict[str, Any] = {}
        options = list(lists.get(select["list"], []))
        if not options:
            state.fail(row, f"type {kind!r}: no choices named {select['list']!r}")
    elif kind in SIMPLE_TYPES:
        item_type, extra = SIMPLE_TYPES[kind]
        extra, options = dict(extra), []
    else:
        state.fail(row, f"type {kind!r} cannot be imported")
        return []
    if not name:
        state.fail(row, "a question needs a name")
        return []
    key = normalise_key(name)
    if key in state.key_rows:
        state.fail(row, f"name {name!r} is the same as on {state.key_rows[key].where()}")
        return []
    label = _local(row, "label", state.languages)
    if not label:
        state.fail(row, "a question needs a label")
        label = name
    if "${" in str(label):
        state.fail(row, "a label that inserts an answer (${...}) cannot be imported")
    item: dict[str, Any] = {"key": key, "type": item_type, "label": label}
    hint = _local(row, "hint", state.languages)
    if hint:
        item["help"] = hint
    if item_type != "note" and _required(row, state):
        item["required"] = True
    show_if = _combine(*(c for _, c in state.groups), _condition(row, state))
    if show_if:
        item["show_if"] = show_if
    if options:
        item["options"] = options
        state.choice_keys[key] = select["list"] if select else ""
    if item_type == "text" and (
        "multiline" in row.text("appearance") or row.text("rows") not in {"", "1"}
    ):
        extra["multiline"] = True
    extra.update(_bounds(row, item_type, state))
    item.update(extra)
    state.rename[name], state.key_rows[key] = key, row
    items = [item]
    if select and select["other"]:
        item["options"] = [*options, {"key": "other", "label": {"zh": "其他", "en": "Other"}}]
        other_key = f"{key}_other"
        items.append({
            "key": other_key, "type": "text",
            "label": {"zh": "请注明其他", "en": "Please specify"},
            "required": True, "show_if": _combine(show_if, {"item": key, "equals": "other"}),
        })  # fmt: skip
        state.key_rows[other_key] = row
    return items


def _bounds(row: Row, item_type: str, state: _State) -> dict[str, float]:
    constraint = row.text("constraint")
    if not constraint:
        return {}
    bounds: dict[str, float] = {}
    parts = [p.strip() for p in re.split(r"\band\b", constraint)]
    for part in parts:
        match = BOUND.match(part)
        if item_type != "number" or not match:
            state.fail(row, f"constraint {constraint!r}: only '. >= N and . <= M' on numbers")
            return {}
        number = float(match[2])
        bounds["min" if match[1] == ">=" else "max"] = (
            int(number) if number.is_integer() else number
        )
    return bounds


def _walk_survey(sheet: Sheet, state: _State, lists: dict[str, Any], title: Any) -> None:
    for row in sheet.rows:
        kind = re.sub(r"[\s_]+", " ", row.text("type").lower())
        if not kind:
            state.fail(row, "the type is empty")
            continue
        _check_columns(row, state)
        if kind == "begin group":
            condition = _condition(row, state)
            if not state.groups:
                group_title = _local(row, "label", state.languages) or row.text("name") or title
                state.sections.append({"key": normalise_key(row.text("name") or "group"),
                                       "title": group_title, "items": []})  # fmt: skip
            state.groups.append((row, condition))
        elif kind == "end group":
            if not state.groups:
                state.fail(row, "end group without begin group")
                continue
            state.groups.pop()
            if not state.groups:
                state.sections[-1]["_closed"] = True
        elif kind.startswith(("begin repeat", "end repeat")):
            state.fail(row, "repeats cannot be imported")
        elif kind in METADATA_TYPES:
            continue
        else:
            _current_section(state, title)["items"].extend(_item(row, state, lists))
    for row, _ in state.groups:
        state.fail(row, "begin group without end group")


def _settings(sheets: dict[str, Sheet]) -> dict[str, str]:
    sheet = sheets.get("settings")
    if sheet is None or not sheet.rows:
        return {}
    return {column: sheet.rows[0].text(column) for column in sheet.columns if column}


def convert_workbook(path: Path, kind: str = "questionnaire") -> dict[str, Any]:
    """Definition data for the workbook at `path`, or XLSFormError listing every problem."""
    try:
        sheets, problems = read_workbook(path)
    except Exception as exc:  # openpyxl raises many kinds for a file that is not a workbook
        raise XLSFormError(f"{path.name} is not a readable XLSX workbook ({exc}).") from exc
    if "survey" not in sheets:
        raise XLSFormError(
            f"{path.name} has no 'survey' sheet.", [f"{path.name}: no 'survey' sheet"]
        )
    settings = _settings(sheets)
    state = _State(_languages(sheets, settings), problems)
    title = settings.get("form_title") or path.stem
    lists = _choices(sheets.get("choices"), state)
    _walk_survey(sheets["survey"], state, lists, title)
    sections = [
        {k: v for k, v in section.items() if not k.startswith("_")}
        for section in state.sections
        if section["items"]
    ]
    if not sections and not state.problems:
        state.problems.append("survey: no questions that can be imported")
    if state.problems:
        raise XLSFormError(
            f"{path.name} cannot be imported: {len(state.problems)} problem(s).", state.problems
        )
    return {
        "kind": kind,
        "key": normalise_key(settings.get("form_id") or path.stem),
        "title": title,
        "sections": sections,
    }
