"""Read workflows/schedules/*.yaml; every problem located as `file:line:col: path: message`.

The format is documented in docs/workflows.md ("Schedules"). Names that live in
the database (definition, unit codes, usernames) are checked by the sync, which
reports them against the same file positions.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from dudao.core.enums import UnitLevel
from dudao.core.errors import N_, Message, Plural
from dudao.definitions.checks import INVALID, Checker
from dudao.definitions.problems import DefinitionError
from dudao.definitions.yamlsource import Source, read_checked
from dudao.scheduling.assign import DEFAULT_POOL_COUNT, POLICIES
from dudao.scheduling.recurrence import RecurrenceError, parse_rule

TOP_FIELDS = (
    "key", "name", "definition", "workflow", "scope", "rrule", "dtstart", "window_days",
    "assignment", "active",
)  # fmt: skip
SCOPE_FIELDS = ("unit", "levels", "tags", "exclude")
ASSIGNMENT_FIELDS = {
    "named": ("policy", "inspectors"),
    "unit_lead": ("policy",),
    "pool": ("policy", "pool", "count"),
}


class ScheduleFileError(DefinitionError):
    """A schedule file cannot be loaded; `problems` are located like definition problems."""


@dataclass
class ScheduleSpec:
    key: str
    name: str
    definition_key: str
    workflow: str
    scope_code: str
    levels: list[str]
    tags: list[str]
    exclude_codes: list[str]
    rrule: str
    dtstart: date
    window_days: int
    assignment: dict[str, Any]
    active: bool = True
    source: Source | None = field(default=None, repr=False, compare=False)


def _strings(check: Checker, value: Any, path: tuple, what: Message) -> list[str] | Any:
    if value is None:
        return []
    items = check.sequence(value, path, what, empty_ok=True)
    if items is INVALID:
        return INVALID
    texts = [check.text(item, (*path, index), max_length=200) for index, item in enumerate(items)]
    return INVALID if INVALID in texts else texts


class _Reader:
    def __init__(self, source: Source) -> None:
        self.source = source
        self.check = Checker(source)

    def run(self) -> ScheduleSpec | None:
        c, raw = self.check, self.source.data
        if not isinstance(raw, dict):
            c.add((), Message(N_("a schedule must be a mapping (key, name, definition, scope, "
                                 "rrule, ...)")))  # fmt: skip
            return None
        c.fields(raw, (), TOP_FIELDS)
        required = ("key", "name", "definition", "scope", "rrule", "dtstart", "assignment")
        present = [c.require(raw, (), name) for name in required]
        if not all(present):
            return None
        key = c.key(raw["key"], ("key",))
        name = c.text(raw["name"], ("name",), max_length=200)
        definition = c.key(raw["definition"], ("definition",))
        workflow = c.key(c.optional(raw, "workflow", "inspection"), ("workflow",))
        scope = self.scope(raw["scope"])
        rule = c.text(raw["rrule"], ("rrule",), max_length=500)
        start = c.date(raw["dtstart"], ("dtstart",), "2026-01-01")
        window = c.integer(c.optional(raw, "window_days", 30), ("window_days",), 1, 366)
        assignment = self.assignment(raw["assignment"])
        active = c.boolean(c.optional(raw, "active", True), ("active",))
        if rule is not INVALID and start is not INVALID:
            try:
                parse_rule(rule, start)
            except RecurrenceError as exc:
                c.add(("rrule",), exc.message)
        if self.source.problems:
            return None
        return ScheduleSpec(
            key, name, definition, workflow, scope["unit"], scope["levels"], scope["tags"],
            scope["exclude"], rule.strip(), start, window, assignment, active, self.source,
        )  # fmt: skip

    def scope(self, raw: Any) -> dict[str, Any]:
        c, path = self.check, ("scope",)
        if c.mapping(raw, path, Message(N_("a mapping (unit, levels, tags, exclude)"))) is INVALID:
            return {}
        c.fields(raw, path, SCOPE_FIELDS)
        unit = (
            c.text(raw["unit"], (*path, "unit"), max_length=64)
            if c.require(raw, path, "unit")
            else INVALID
        )
        levels = _strings(c, raw.get("levels"), (*path, "levels"), Message(N_("levels")))
        if levels is not INVALID:
            allowed = tuple(level.value for level in UnitLevel)
            for index, level in enumerate(levels):
                c.choice(level, (*path, "levels", index), allowed, Message(N_("level")))
        tags = _strings(c, raw.get("tags"), (*path, "tags"), Message(N_("tags")))
        exclude = _strings(c, raw.get("exclude"), (*path, "exclude"), Message(N_("unit codes")))
        return {"unit": unit, "levels": levels, "tags": tags, "exclude": exclude}

    def assignment(self, raw: Any) -> dict[str, Any]:
        c, path = self.check, ("assignment",)
        if c.mapping(raw, path, Message(N_("a mapping with a policy"))) is INVALID:
            return {}
        if not c.require(raw, path, "policy"):
            return {}
        policy = c.choice(
            raw["policy"], (*path, "policy"), POLICIES, Message(N_("assignment policy"))
        )
        if policy is INVALID:
            return {}
        c.fields(raw, path, ASSIGNMENT_FIELDS[policy])
        if policy == "unit_lead":
            return {"policy": policy}
        listed = "inspectors" if policy == "named" else "pool"
        names = []
        if c.require(raw, path, listed):
            names = _strings(c, raw[listed], (*path, listed), Message(N_("usernames")))
            if names == []:
                c.add((*path, listed), Message(N_("needs at least one username")))
        result: dict[str, Any] = {"policy": policy, listed: names}
        if policy == "pool":
            result["count"] = c.integer(
                c.optional(raw, "count", DEFAULT_POOL_COUNT), (*path, "count"), 1, 20
            )
            if names and isinstance(result["count"], int) and result["count"] > len(names):
                c.add((*path, "count"), too_many_per_inspection(len(names)))
        return result


def too_many_per_inspection(pool: int) -> Message:
    """A pool smaller than the inspectors it is to give each inspection: every inspection
    would quietly get fewer than asked (a draw refuses the same)."""
    return Plural("The pool names %(num)d person: at most %(num)d per inspection.",
                  "The pool names %(num)d people: at most %(num)d per inspection.",
                  num=pool)  # fmt: skip


def load_schedule_text(text: str, filename: str = "<text>") -> ScheduleSpec:
    return read_checked(text, filename, lambda source: _Reader(source).run(), ScheduleFileError)


def load_schedule_file(path: Path, shown: str | None = None) -> ScheduleSpec:
    return load_schedule_text(path.read_text(encoding="utf-8"), shown or str(path))
