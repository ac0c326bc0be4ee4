"""Translate one question (a row of the survey sheet) into the Dudao item or items it asks.

The type decides the item type (`select_one x or specify other` adds a text item for
"other"); label, hint, required, relevant and constraint become the item's fields, and
any other column that would change the question's meaning is a problem to report.
`convert` walks the sheet, groups and sections; `Conversion` is what both record.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from dudao.core.errors import N_, Message
from dudao.definitions.xlsform.relevant import UntranslatableExpression, translate_relevant
from dudao.definitions.xlsform.sheets import Row, cell_text, local_text

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
TRANSLATED = {"type", "name", "label", "hint", "required", "relevant", "constraint",
              "parameters"}  # fmt: skip
#: `parameters` that only change how ODK presents or sends a question: the tablet sizes
#: photos itself, and options keep their order.
PRESENTATION_PARAMETERS = {"max-pixels", "randomize", "seed"}
PARAMETER = re.compile(r"([\w-]+)\s*=\s*([^\s;,]+)")
TRUE_VALUES = {"yes", "true", "true()", "1"}
FALSE_VALUES = {"no", "false", "false()", "0"}
INSERTED_ANSWER = Message(N_("a label that inserts an answer (${...}) cannot be imported"))
BOUND = re.compile(r"^\.\s*(>=|<=)\s*(-?\d+(?:\.\d+)?)$")


def normalise_key(name: str) -> str:
    key = re.sub(r"[^a-z0-9_]+", "_", name.strip().lower()).strip("_")
    return key if re.match(r"^[a-z]", key) else f"q_{key}"


@dataclass
class Conversion:
    """What converting one workbook has found so far: the problems by row, the key each
    question name became, the open groups and the sections made."""

    languages: tuple[str, str | None]
    problems: list[str] = field(default_factory=list)
    rename: dict[str, str] = field(default_factory=dict)
    key_rows: dict[str, Row] = field(default_factory=dict)
    choice_keys: dict[str, str] = field(default_factory=dict)  # item key → list name
    sections: list[dict[str, Any]] = field(default_factory=list)
    groups: list[tuple[Row, dict[str, Any] | None]] = field(default_factory=list)

    def fail(self, row: Row, message: str) -> None:
        self.problems.append(
            Message(N_("%(where)s: %(problem)s"), where=row.where(), problem=message)
        )


def check_columns(row: Row, state: Conversion) -> None:
    """Report every column that is neither translated nor only about presentation."""
    for column, value in row.cells.items():
        base = column.split("::")[0]
        if base in TRANSLATED or base in PRESENTATION:
            continue
        if base == "read_only" and cell_text(value).lower() in FALSE_VALUES:
            continue
        state.fail(
            row,
            Message(
                N_("column '%(column)s' ('%(value)s') cannot be imported"),
                column=column,
                value=cell_text(value)[:40],
            ),
        )


def _required(row: Row, state: Conversion) -> bool:
    value = row.text("required").lower()
    if value in TRUE_VALUES:
        return True
    if value and value not in FALSE_VALUES:
        state.fail(
            row, Message(N_("required '%(value)s': only yes/no can be imported"), value=value)
        )
    return False


def relevant_condition(row: Row, state: Conversion) -> dict[str, Any] | None:
    """The row's `relevant` as `show_if` data; None when it has none or it cannot be
    translated (a problem is recorded then)."""
    expression = row.text("relevant")
    if not expression:
        return None
    try:
        condition, referenced = translate_relevant(expression, state.rename)
    except UntranslatableExpression as exc:
        reason = exc.message
        state.fail(
            row,
            Message(
                N_("relevant '%(expression)s': %(reason)s"), expression=expression, reason=reason
            ),
        )
        return None
    for name in referenced:
        if name not in state.rename:
            state.fail(
                row,
                Message(
                    N_("relevant refers to ${%(name)s}, which is not an earlier question"),
                    name=name,
                ),
            )
    return _normalise_values(condition, state)


def _normalise_values(condition: dict[str, Any], state: Conversion) -> dict[str, Any]:
    """Choice names in conditions become the option keys they were imported as."""
    for group in ("all", "any"):
        if group in condition:
            return {group: [_normalise_values(c, state) for c in condition[group]]}
    if condition["item"] in state.choice_keys:
        for operator, value in condition.items():
            if operator not in ("item", "answered"):
                condition[operator] = normalise_key(str(value))
    return condition


def _combine(*conditions: dict[str, Any] | None) -> dict[str, Any] | None:
    present = [c for c in conditions if c]
    if len(present) <= 1:
        return present[0] if present else None
    return {"all": present}


def question_items(
    row: Row, state: Conversion, lists: dict[str, list[dict[str, Any]]]
) -> list[dict[str, Any]]:
    """The item a question row makes, and the text item for 'other' when it asks for one;
    none when a problem leaves nothing to import."""
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
            state.fail(
                row,
                Message(
                    N_("type '%(type)s': no choices named '%(list)s'"),
                    type=kind,
                    list=select["list"],
                ),
            )
    elif kind == "range":
        found = _range(row, state)
        if found is None:
            return []
        (item_type, extra), options = found, []
    elif kind in SIMPLE_TYPES:
        item_type, extra = SIMPLE_TYPES[kind]
        extra, options = dict(extra), []
    else:
        state.fail(row, Message(N_("type '%(type)s' cannot be imported"), type=kind))
        return []
    if kind != "range" and set(_parameters(row)) - PRESENTATION_PARAMETERS:
        why = Message(N_("parameters '%(value)s' cannot be imported"), value=row.text("parameters"))
        state.fail(row, why)
    if not name:
        state.fail(row, Message(N_("a question needs a name")))
        return []
    key = normalise_key(name)
    if key in state.key_rows:
        state.fail(
            row,
            Message(
                N_("name '%(name)s' is the same as on %(where)s"),
                name=name,
                where=state.key_rows[key].where(),
            ),
        )
        return []
    label = local_text(row, "label", state.languages)
    if not label:
        state.fail(row, Message(N_("a question needs a label")))
        label = name
    if "${" in str(label):
        state.fail(row, INSERTED_ANSWER)
    item: dict[str, Any] = {"key": key, "type": item_type, "label": label}
    hint = local_text(row, "hint", state.languages)
    if hint:
        item["help"] = hint
    if item_type != "note" and _required(row, state):
        item["required"] = True
    show_if = _combine(*(c for _, c in state.groups), relevant_condition(row, state))
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


def _parameters(row: Row) -> dict[str, str]:
    return dict(PARAMETER.findall(row.text("parameters")))


def _range(row: Row, state: Conversion) -> tuple[str, dict[str, Any]] | None:
    """A `range` question (XLSForm's defaults: start 1, end 10, step 1) as a scale of 2–10
    points from 1, or as a 0–10 rating; no other range has a Dudao counterpart."""
    given = _parameters(row)
    defaults = (("start", "1"), ("end", "10"), ("step", "1"))
    start, end, step = (_number(given.pop(name, default)) for name, default in defaults)
    if not given and (start, step) == (1, 1) and end in range(2, 11):
        return "scale", {"points": int(end)}
    if not given and (start, end, step) == (0, 10, 1):
        return "rating", {}
    why = N_("range '%(parameters)s': only start=1 end=2..10 (a scale) or start=0 end=10 (a "
             "rating), step=1, can be imported")  # fmt: skip
    state.fail(row, Message(why, parameters=row.text("parameters")))
    return None


def _number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def _bounds(row: Row, item_type: str, state: Conversion) -> dict[str, float]:
    constraint = row.text("constraint")
    if not constraint:
        return {}
    bounds: dict[str, float] = {}
    parts = [p.strip() for p in re.split(r"\band\b", constraint)]
    for part in parts:
        match = BOUND.match(part)
        if item_type != "number" or not match:
            state.fail(
                row,
                Message(
                    N_("constraint '%(constraint)s': only '. >= N and . <= M' on numbers"),
                    constraint=constraint,
                ),
            )
            return {}
        number = float(match[2])
        bounds["min" if match[1] == ">=" else "max"] = (
            int(number) if number.is_integer() else number
        )
    return bounds
