"""The two rules of the org tree that every change keeps (docs/org.md).

1. Levels run group → company → unit → party branch from the top down: a unit's level
   is below its parent's. A level may be skipped (a branch directly under a company, a
   unit directly under the group); a unit without a parent may have any level.
2. No active unit lies under an inactive one.

The draws, schedules, targets and assessment choose units by level inside a subtree and
leave out inactive ones; both rules keep what they choose meaningful. These functions
only judge one parent and child (as `Node`s): the services ask them about one change
against the tree as it is, the import about the tree as it will be after the whole file.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from dudao.core.enums import LEVEL_NAMES, UnitLevel
from dudao.core.errors import N_, Listed, Message, Plural
from dudao.org.models import Unit

#: The levels from the top down.
LEVELS = list(UnitLevel)
#: How many units a message names before it says "and N more".
NAMED = 5


@dataclass(frozen=True)
class Node:
    """What the rules need to know of a unit, as it is or as it is about to be."""

    code: str
    name: str
    level: UnitLevel
    active: bool = True

    @classmethod
    def of(cls, unit: Unit, **changes: Any) -> Node:
        """`unit` as it is, or with `changes` (a new level, say) as it is about to be."""
        return replace(cls(unit.code, unit.name, unit.level, unit.active), **changes)

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


def lowest(level: UnitLevel) -> bool:
    """Whether nothing can lie below a unit of `level`."""
    return level is LEVELS[-1]


def level_conflict(child: Node, parent: Node) -> Message | None:
    """Why `child` cannot lie under `parent` for its level, or None when it can."""
    if LEVELS.index(child.level) > LEVELS.index(parent.level):
        return None
    return Message(
        N_(
            "%(unit)s (%(level)s) cannot be under %(parent)s (%(parent_level)s): a unit's "
            "level must be below its parent's (from the top: group, company, unit, party "
            "branch)"
        ),
        unit=str(child),
        level=Message(LEVEL_NAMES[child.level]),
        parent=str(parent),
        parent_level=Message(LEVEL_NAMES[parent.level]),
    )


def active_conflict(child: Node, parent: Node) -> Message | None:
    """Why `child`, active, cannot lie under `parent`, or None when it can."""
    if not child.active or parent.active:
        return None
    return Message(
        N_("%(unit)s cannot be active under %(parent)s, which is inactive"),
        unit=str(child),
        parent=str(parent),
    )


def children_conflict(unit: Node, children: Sequence[Node]) -> Plural | None:
    """Why `unit`, at its (new) level, cannot have these units directly below it."""
    clashing = [child for child in children if level_conflict(child, unit) is not None]
    if not clashing:
        return None
    return Plural(
        "%(unit)s cannot be a %(level)s: %(num)d unit directly below it is not below that "
        "level (%(units)s)",
        "%(unit)s cannot be a %(level)s: %(num)d units directly below it are not below that "
        "level (%(units)s)",
        num=len(clashing),
        unit=str(unit),
        level=Message(LEVEL_NAMES[unit.level]),
        units=named(clashing, levels=True),
    )


def named(nodes: Sequence[Node], *, levels: bool = False) -> Listed:
    """The first few units by code and name (and level), then how many more there are."""
    shown: list[object] = [
        Message(N_("%(unit)s (%(level)s)"), unit=str(node), level=Message(LEVEL_NAMES[node.level]))
        if levels
        else str(node)
        for node in nodes[:NAMED]
    ]
    if len(nodes) > NAMED:
        more = len(nodes) - NAMED
        shown.append(Plural("and %(num)d more", "and %(num)d more", num=more))
    return Listed(shown)


def still_active_below(unit: Node, below: Sequence[Node]) -> Plural:
    """A deactivation that would leave active units under `unit`."""
    return Plural(
        "%(unit)s has %(num)d active unit below it (%(units)s); it cannot be inactive "
        "while that unit is active.",
        "%(unit)s has %(num)d active units below it (%(units)s); it cannot be inactive "
        "while they are active.",
        num=len(below),
        unit=str(unit),
        units=named(below),
    )
