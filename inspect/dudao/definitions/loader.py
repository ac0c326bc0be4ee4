"""Load a checklist or questionnaire definition: text -> located problems or a Definition.

    loaded = load_text(text, "forms/branch.yaml")   # or load_file(path)
    loaded.definition   # frozen spec objects for rendering, scoring, show_if
    loaded.data         # normalised plain data: what is stored and hashed as a version
    from_data(loaded.data) == loaded.definition

Every problem found is raised at once as a DefinitionError; no other exception
escapes for any input text.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

from dudao.core.errors import N_, Message
from dudao.definitions.problems import DOCUMENT, DefinitionError, Problem
from dudao.definitions.spec import (
    Condition,
    Definition,
    Evidence,
    GradeBand,
    Item,
    ItemType,
    Kind,
    LocalText,
    Operator,
    Option,
    PassRule,
    Section,
    Unit,
)
from dudao.definitions.validate import validate
from dudao.definitions.yamlsource import Source, parse

__all__ = [
    "DefinitionError",
    "LoadedDefinition",
    "Problem",
    "from_data",
    "load_file",
    "load_text",
]


@dataclass(frozen=True)
class LoadedDefinition:
    definition: Definition
    data: dict[str, Any]
    filename: str = "<text>"
    #: Where each node came from (for problems found later, e.g. a key used twice).
    source: Source | None = field(default=None, compare=False, repr=False)


def load_text(text: str, filename: str = "<text>") -> LoadedDefinition:
    """Parse, validate and normalise one definition; raise DefinitionError listing every problem."""
    source = parse(text, filename)
    data = validate(source)
    if source.problems:
        raise DefinitionError(source.problems)
    return LoadedDefinition(_build(data), data, filename, source)


def load_file(path: str | os.PathLike[str], shown: str | None = None) -> LoadedDefinition:
    """Like load_text; an unreadable or non-UTF-8 file is a located problem too. Problems
    name the file as `shown` (default: the path)."""
    filename = shown or os.fspath(path)
    try:
        raw = open(path, "rb").read()  # noqa: SIM115 - closed by refcounting is fine here
    except OSError as exc:
        message = Message(N_("cannot read the file: %(reason)s"), reason=exc.strerror)
        raise DefinitionError([Problem(filename, 1, 1, DOCUMENT, message)]) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        col = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise DefinitionError(
            [Problem(filename, line, col, DOCUMENT, Message(N_("the file is not UTF-8 text")))]
        ) from None
    return load_text(text, filename)


def from_data(data: dict[str, Any]) -> Definition:
    """Rebuild a Definition from stored (normalised) data; it is checked again all the same
    (but for the rules that apply to new versions only)."""
    source = Source("<data>", data=data)
    normalised = validate(source, stored=True)
    if source.problems:
        raise DefinitionError(source.problems)
    return _build(normalised)


# -- plain data -> spec objects ------------------------------------------------


def _text(value: dict[str, Any] | None) -> LocalText | None:
    return None if value is None else LocalText(zh=value["zh"], en=value.get("en"))


def _condition(data: dict[str, Any] | None) -> Condition | None:
    if data is None:
        return None
    for group in ("all", "any"):
        if group in data:
            return Condition(
                op=Operator(group),
                conditions=tuple(_condition(part) for part in data[group]),  # type: ignore[misc]
            )
    op = next(name for name in data if name != "item")
    value = data[op]
    return Condition(
        op=Operator(op), item=data["item"], value=tuple(value) if isinstance(value, list) else value
    )


def _pass(data: dict[str, Any] | None) -> PassRule | None:
    if data is None:
        return None
    return PassRule(
        options=tuple(data.get("options", ())), min=data.get("min"), max=data.get("max")
    )


def _item(data: dict[str, Any]) -> Item:
    fields: dict[str, Any] = {
        "key": data["key"],
        "type": ItemType(data["type"]),
        "label": _text(data["label"]),
        "help": _text(data["help"]),
        "required": data.get("required", False),
        "show_if": _condition(data["show_if"]),
        "options": tuple(Option(o["key"], _text(o["label"])) for o in data.get("options", ())),
        "labels": tuple(_text(label) for label in data.get("labels", ())),
        "pass_rule": _pass(data.get("pass")),
    }
    for name in (
        "allow_na", "max_choices", "points", "min", "max", "decimals", "multiline",
        "max_length",
        "min_count", "max_count", "keep_location", "critical", "satisfaction",
    ):  # fmt: skip
        if name in data:
            fields[name] = data[name]
    if data.get("unit") is not None:  # one string (Chinese) or {zh, en, en_one}
        unit = data["unit"]
        fields["unit"] = Unit(zh=unit) if isinstance(unit, str) else Unit(**unit)
    if "weight" in data:
        fields["weight"] = float(data["weight"])
    if "evidence_on_fail" in data:
        fields["evidence_on_fail"] = Evidence(data["evidence_on_fail"])
    return Item(**fields)


def _build(data: dict[str, Any]) -> Definition:
    sections = tuple(
        Section(
            key=section["key"],
            title=_text(section["title"]),  # type: ignore[arg-type]
            items=tuple(_item(item) for item in section["items"]),
            description=_text(section["description"]),
        )
        for section in data["sections"]
    )
    fields: dict[str, Any] = {}
    for name in ("anonymous", "min_group", "min_comment_group"):
        if name in data:
            fields[name] = data[name]
    return Definition(
        kind=Kind(data["kind"]),
        key=data["key"],
        title=_text(data["title"]),  # type: ignore[arg-type]
        description=_text(data["description"]),
        sections=sections,
        grades=tuple(
            GradeBand(min_score=band["min"], label=_text(band["label"]))  # type: ignore[arg-type]
            for band in data.get("grades", ())
        ),
        **fields,
    )
