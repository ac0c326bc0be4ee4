"""Who inspects what: the assignment policies and conflict avoidance (回避).

Pure functions over plain data, so the materialiser can assign ten thousand
inspections without a query per unit, and a property test can try random trees.

An inspector's *own* units are those on which they hold a non-inspector working
role — `unit_lead` or `representative` (their home unit). They never inspect a
unit inside the subtree of an own unit, nor a unit above one (which would mean
judging their own unit as part of the whole). Inspectors must also hold the
inspector role on the inspected unit (a grant on it or an ancestor), else the
workflow would not let them start.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

POLICIES = ("named", "unit_lead", "pool")
DEFAULT_POOL_COUNT = 2
HOME_ROLES = ("unit_lead", "representative")


@dataclass(frozen=True)
class Person:
    id: int
    username: str
    inspect_paths: tuple[str, ...] = ()
    home_paths: tuple[str, ...] = ()


@dataclass
class Target:
    key: Any
    unit_path: str
    chosen: list[int] = field(default_factory=list)


def on_one_branch(path: str, other: str) -> bool:
    """Whether one of two units lies in the other's subtree (or they are the same unit)."""
    return path.startswith(other) or other.startswith(path)


def conflicted(person: Person, unit_path: str) -> bool:
    """True when `unit_path` lies on the same branch of the tree as one of the person's units."""
    return any(on_one_branch(unit_path, h) for h in person.home_paths)


def may_inspect(person: Person, unit_path: str) -> bool:
    covered = any(unit_path.startswith(p) for p in person.inspect_paths)
    return covered and not conflicted(person, unit_path)


def _leads_for(unit_path: str, leads: dict[str, list[int]]) -> list[int]:
    """Leads granted on the unit itself, else on the nearest ancestor that has any."""
    parts = unit_path.strip("/").split("/")
    for end in range(len(parts), 0, -1):
        found = leads.get("/" + "/".join(parts[:end]) + "/")
        if found:
            return sorted(found)
    return []


def choose(
    policy: dict[str, Any],
    targets: Sequence[Target],
    people: dict[str, Person],
    leads: dict[str, list[int]] | None = None,
    rng: random.Random | None = None,
    cache: dict[str, list[Person]] | None = None,
) -> None:
    """Fill `target.chosen` for each target according to `policy` (may stay empty).

    `cache` keeps who may inspect each unit path between calls (one per period).
    """
    kind = policy.get("policy", "named")
    if kind == "unit_lead":
        for target in targets:
            target.chosen = _leads_for(target.unit_path, leads or {})
        return
    names = policy.get("inspectors" if kind == "named" else "pool") or []
    members = [people[name] for name in names if name in people]
    if kind == "named":
        for target in targets:
            target.chosen = sorted(p.id for p in members if may_inspect(p, target.unit_path))
        return
    rng = rng or random.Random(0)
    count = int(policy.get("count") or DEFAULT_POOL_COUNT)
    load = {person.id: 0 for person in members}
    cache = {} if cache is None else cache
    for target in targets:
        allowed = cache.get(target.unit_path)
        if allowed is None:
            allowed = cache[target.unit_path] = [
                p for p in members if may_inspect(p, target.unit_path)
            ]
        eligible = list(allowed)
        rng.shuffle(eligible)
        # Random among the least loaded first: random, yet balanced across the pool.
        eligible.sort(key=lambda p: load[p.id])
        picked = eligible[:count]
        for person in picked:
            load[person.id] += 1
        target.chosen = sorted(p.id for p in picked)


def people_from_grants(rows: Iterable[tuple[int, str, str, str]]) -> dict[str, Person]:
    """(user id, username, role, unit path) rows -> Person by username."""
    found: dict[str, tuple[int, set[str], set[str]]] = {}
    for user_id, username, role, path in rows:
        entry = found.setdefault(username, (user_id, set(), set()))
        if role == "inspector":
            entry[1].add(path)
        elif role in HOME_ROLES:
            entry[2].add(path)
    return {
        name: Person(uid, name, tuple(sorted(inspect)), tuple(sorted(home)))
        for name, (uid, inspect, home) in found.items()
    }
