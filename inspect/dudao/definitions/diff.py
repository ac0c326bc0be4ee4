"""A readable difference between two versions of a definition.

Item-level first (what an office reader asks: which questions were added,
removed, reworded, re-weighted or moved), then a unified diff of the YAML dump
for anything the table does not show.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field, fields
from enum import Enum
from typing import Any

import yaml

from dudao.core.errors import N_, Message
from dudao.definitions.spec import (
    Condition,
    Definition,
    GradeBand,
    Item,
    LocalText,
    Option,
    PassRule,
    Section,
    Unit,
)

DEFINITION_FIELDS = (
    "title",
    "description",
    "grades",
    "anonymous",
    "min_group",
    "min_comment_group",
)
SECTION_FIELDS = ("title", "description")
ITEM_FIELDS = tuple(f.name for f in fields(Item) if f.name != "key")

#: Every field a change can name, in words (the tables show these, the key in a title).
FIELD_NAMES = {
    "kind": N_("Kind"),
    "title": N_("Title"),
    "description": N_("Description"),
    "grades": N_("Grades"),
    "anonymous": N_("Anonymous"),
    "min_group": N_("Minimum group size for scores"),
    "min_comment_group": N_("Minimum group size for comments"),
    "section order": N_("Order of sections"),
    "section": N_("Section"),
    "order": N_("Place in its section"),
    "type": N_("Type"),
    "label": N_("Question"),
    "help": N_("Help text"),
    "required": N_("Required"),
    "show_if": N_("Shown when"),
    "options": N_("Answer options"),
    "max_choices": N_("Most options chosen"),
    "allow_na": N_("“Not applicable” allowed"),
    "points": N_("Points on the scale"),
    "labels": N_("Labels of the points"),
    "min": N_("Minimum"),
    "max": N_("Maximum"),
    "unit": N_("Unit of measure"),
    "decimals": N_("Decimal places"),
    "multiline": N_("Long text"),
    "max_length": N_("Longest text"),
    "min_count": N_("Fewest photos"),
    "max_count": N_("Most photos"),
    "keep_location": N_("Keeps where a photo was taken"),
    "weight": N_("Weight"),
    "critical": N_("Critical"),
    "pass_rule": N_("Passes when"),
    "evidence_on_fail": N_("Evidence a failure needs"),
    "satisfaction": N_("Counts towards the satisfaction index"),
}


@dataclass(frozen=True)
class FieldChange:
    field: str
    old: str
    new: str

    @property
    def name(self) -> Message | str:
        """The field in words, in the reader's language where it is shown."""
        words = FIELD_NAMES.get(self.field)
        return Message(words) if words else self.field


@dataclass(frozen=True)
class Change:
    """One added, removed or changed section or item."""

    key: str
    status: str  # added | removed | changed
    label: LocalText
    section: str = ""
    fields: tuple[FieldChange, ...] = ()


@dataclass
class DefinitionDiff:
    header: list[FieldChange] = field(default_factory=list)
    sections: list[Change] = field(default_factory=list)
    items: list[Change] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.header or self.sections or self.items)

    def count(self, status: str) -> int:
        return sum(1 for change in self.items if change.status == status)


def show(value: Any) -> str:
    """A short human spelling of any spec value (both languages for texts)."""
    if value is None or value == ():
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, Unit) and value.en_one:
        return f"{show(LocalText(value.zh, value.en))} (1 {value.en_one})"
    if isinstance(value, LocalText):
        return value.zh if not value.en else f"{value.zh} / {value.en}"
    if isinstance(value, Option):
        return f"{value.key}={show(value.label)}"
    if isinstance(value, GradeBand):
        return f"≥{value.min_score:g} {show(value.label)}"
    if isinstance(value, PassRule):
        parts = []
        if value.options:
            parts.append(" / ".join(value.options))
        if value.min is not None and value.max is not None:
            parts.append(f"{value.min:g}–{value.max:g}")
        elif value.min is not None:
            parts.append(f"≥ {value.min:g}")
        elif value.max is not None:
            parts.append(f"≤ {value.max:g}")
        return "; ".join(parts) or "default"
    if isinstance(value, Condition):
        if value.conditions:
            inner = ", ".join(show(c) for c in value.conditions)
            return f"{value.op.value}({inner})"
        if value.value is None:
            return f"{value.item} {value.op.value}"
        return f"{value.item} {value.op.value} {show(value.value)}"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, list | tuple):
        return "; ".join(show(v) for v in value)
    return str(value)


def _field_changes(old: Any, new: Any, names: tuple[str, ...]) -> tuple[FieldChange, ...]:
    changes = []
    for name in names:
        before, after = getattr(old, name), getattr(new, name)
        if before != after:
            changes.append(FieldChange(name, show(before), show(after)))
    return tuple(changes)


def _positions(definition: Definition) -> dict[str, tuple[Section, int]]:
    return {
        item.key: (section, index)
        for section in definition.sections
        for index, item in enumerate(section.items)
    }


def _moved(old_order: list[str], new_order: list[str]) -> set[str]:
    """Keys outside the longest common runs: the items that really changed place."""
    matcher = difflib.SequenceMatcher(a=old_order, b=new_order, autojunk=False)
    kept = {
        old_order[i]
        for block in matcher.get_matching_blocks()
        for i in range(block.a, block.a + block.size)
    }
    return set(old_order) - kept


def diff_definitions(old: Definition, new: Definition) -> DefinitionDiff:
    """What changed from `old` to `new`, section by section and item by item."""
    result = DefinitionDiff(header=list(_field_changes(old, new, DEFINITION_FIELDS)))
    if old.kind != new.kind:
        result.header.insert(0, FieldChange("kind", old.kind.value, new.kind.value))

    old_sections = {s.key: s for s in old.sections}
    new_sections = {s.key: s for s in new.sections}
    for section in new.sections:
        before = old_sections.get(section.key)
        if before is None:
            result.sections.append(Change(section.key, "added", section.title))
        elif changes := _field_changes(before, section, SECTION_FIELDS):
            result.sections.append(Change(section.key, "changed", section.title, "", changes))
    for section in old.sections:
        if section.key not in new_sections:
            result.sections.append(Change(section.key, "removed", section.title))
    old_keys = [s.key for s in old.sections if s.key in new_sections]
    new_keys = [s.key for s in new.sections if s.key in old_sections]
    if old_keys != new_keys:
        result.header.append(FieldChange("section order", ", ".join(old_keys), ", ".join(new_keys)))

    old_at, new_at = _positions(old), _positions(new)
    common = [item.key for item in old.items if item.key in new_at]
    moved = _moved(common, [item.key for item in new.items if item.key in old_at])
    for item in new.items:
        section = new_at[item.key][0]
        if item.key not in old_at:
            result.items.append(Change(item.key, "added", item.label, section.key))
            continue
        before_item: Item = old.item(item.key)
        changes = list(_field_changes(before_item, item, ITEM_FIELDS))
        old_section = old_at[item.key][0]
        if old_section.key != section.key:
            changes.insert(0, FieldChange("section", old_section.key, section.key))
        elif item.key in moved:
            changes.insert(0, FieldChange("order", "", "moved"))
        if changes:
            result.items.append(
                Change(item.key, "changed", item.label, section.key, tuple(changes))
            )
    for item in old.items:
        if item.key not in new_at:
            result.items.append(Change(item.key, "removed", item.label, old_at[item.key][0].key))
    return result


def dump_yaml(data: dict[str, Any]) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=1000)


def text_diff(
    old_data: dict[str, Any], new_data: dict[str, Any], old_name: str, new_name: str
) -> list[str]:
    """A unified diff of the two YAML dumps: the fallback that shows every detail."""
    return list(
        difflib.unified_diff(
            dump_yaml(old_data).splitlines(),
            dump_yaml(new_data).splitlines(),
            fromfile=old_name,
            tofile=new_name,
            lineterm="",
        )
    )
