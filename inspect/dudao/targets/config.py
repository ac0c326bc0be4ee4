"""The campaign's targets from workflows/targets.yaml; every problem located as
`file:line:col: path: message` (the format is in docs/targets.md).

The file is read again whenever it changes (by modification time), so the office's
plan can be adjusted without a restart. Company codes in a split live in the
database; `split_problems` reports unknown ones against the same file positions.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import partial
from pathlib import Path
from typing import Any

from dudao.config import PROJECT_ROOT
from dudao.core.errors import N_, Message
from dudao.core.filecache import when_changed
from dudao.definitions.checks import INVALID, Checker
from dudao.definitions.problems import DefinitionError, Problem
from dudao.definitions.spec import LocalText
from dudao.definitions.yamlsource import Source, read_checked

TARGETS_FILE = PROJECT_ROOT / "workflows" / "targets.yaml"
#: Where a target's progress comes from (dudao.targets.sources has one function per name).
SOURCES = ("pioneer_posts", "tier_moves", "manual")
TARGET_FIELDS = ("key", "title", "number", "unit_of_count", "source", "split", "deadline")
REQUIRED = ("key", "title", "number", "unit_of_count", "source", "deadline")
MAX_NUMBER = 1_000_000


class TargetFileError(DefinitionError):
    """The targets file cannot be loaded; `problems` are located like definition problems."""


@dataclass(frozen=True)
class Target:
    key: str
    title: LocalText
    number: int
    unit_of_count: LocalText
    source: str
    deadline: date
    #: Company code -> its share of `number` (empty: no per-company split).
    split: dict[str, int] = field(default_factory=dict)
    index: int = 0  # position in the file, to locate problems found later


@dataclass(frozen=True)
class TargetPlan:
    targets: tuple[Target, ...] = ()
    source: Source | None = field(default=None, repr=False, compare=False)

    def get(self, key: str) -> Target | None:
        return next((t for t in self.targets if t.key == key), None)

    def locate(self, target: Target, *path: str | int, message: str) -> Problem:
        """A problem at a field of `target`, found after loading (e.g. against the database)."""
        full = ("targets", target.index, *path)
        if self.source is None:
            return Problem("<targets>", 1, 1, ".".join(map(str, full)), message)
        return self.source.problem(full, message, key=True)


def _local(check: Checker, value: Any, path: tuple) -> LocalText | Any:
    text = check.local_text(value, path)
    return INVALID if text is INVALID else LocalText(text["zh"], text["en"])


class _Reader:
    def __init__(self, source: Source) -> None:
        self.source = source
        self.check = Checker(source)

    def run(self) -> TargetPlan:
        c, raw = self.check, self.source.data
        if not isinstance(raw, dict):
            c.add((), Message(N_("the targets file must be a mapping with one field, targets: "
                                 "[a list]")))  # fmt: skip
            return TargetPlan()
        c.fields(raw, (), ("targets",))
        what = Message(N_("targets"))
        items = c.sequence(raw.get("targets"), ("targets",), what, empty_ok=True)
        if items is INVALID:
            return TargetPlan()
        targets: list[Target] = []
        seen: dict[str, int] = {}
        for index, spec in enumerate(items):
            target = self.target(spec, ("targets", index), index)
            if target is None:
                continue
            if target.key in seen:
                used = Message(N_("the key '%(key)s' is already used by targets[%(index)d]"),
                               key=target.key, index=seen[target.key])  # fmt: skip
                c.add(("targets", index, "key"), used)
            seen.setdefault(target.key, index)
            targets.append(target)
        return TargetPlan(tuple(targets), self.source)

    def target(self, spec: Any, path: tuple, index: int) -> Target | None:
        c = self.check
        what = Message(N_("a target (key, title, number, unit_of_count, ...)"))
        if c.mapping(spec, path, what) is INVALID:
            return None
        c.fields(spec, path, TARGET_FIELDS)
        present = {name for name in REQUIRED if c.require(spec, path, name)}

        def read(name: str, reader: Any, *args: Any) -> Any:
            return reader(spec[name], (*path, name), *args) if name in present else INVALID

        key = read("key", c.key)
        title = read("title", partial(_local, c))
        number = read("number", c.integer, 1, MAX_NUMBER)
        unit_of_count = read("unit_of_count", partial(_local, c))
        source = read("source", c.choice, SOURCES, Message(N_("source")))
        deadline = read("deadline", c.date, "2026-12-31")
        split = self.split(spec.get("split"), (*path, "split"), number)
        if INVALID in (key, title, number, unit_of_count, source, deadline, split):
            return None
        return Target(key, title, number, unit_of_count, source, deadline, split, index)

    def split(self, raw: Any, path: tuple, number: Any) -> dict[str, int] | Any:
        """Company code -> share; the shares must add up to the target's number."""
        c = self.check
        if raw is None:
            return {}
        if c.mapping(raw, path, Message(N_("a mapping of company code to number"))) is INVALID:
            return INVALID
        shares = {str(code): c.integer(v, (*path, code), 0, MAX_NUMBER) for code, v in raw.items()}
        if INVALID in shares.values():
            return INVALID
        if number is not INVALID and sum(shares.values()) != number:
            total = Message(N_("the shares add up to %(total)d, not to the target's number "
                               "%(number)d"),
                            total=sum(shares.values()), number=number)  # fmt: skip
            return c.add(path, total)
        return shares


def load_targets_text(text: str, filename: str = "<text>") -> TargetPlan:
    return read_checked(text, filename, lambda source: _Reader(source).run(), TargetFileError)


def load_targets_file(path: Path) -> TargetPlan:
    """Problems name the file relative to the checkout when it lies inside it."""
    name = path.relative_to(PROJECT_ROOT) if path.is_relative_to(PROJECT_ROOT) else path
    return load_targets_text(path.read_text(encoding="utf-8"), str(name))


def shipped_targets(path: Path | None = None) -> TargetPlan:
    """The plan in `path` (default workflows/targets.yaml), re-read when the file changes;
    no file means no targets; a bad file raises TargetFileError."""
    path = path or TARGETS_FILE
    try:
        return when_changed(path, load_targets_file)
    except FileNotFoundError:
        return TargetPlan()
