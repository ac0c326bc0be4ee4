"""Checks of an org chart import that need the whole file and the whole tree.

Duplicate codes, unknown parents, cycles and the tree's rules (org/rules.py: levels
below their parent's, no active unit under an inactive one), all in the tree as it
would be after the import, so moving a unit under its own descendant is caught, and
so is raising a unit above the units it keeps below it; for a web upload, also the
uploader's scope. The existing tree is read once, as light tuples.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from dudao.core.enums import UnitLevel
from dudao.core.errors import N_
from dudao.org.import_rows import OrgRow, Problem
from dudao.org.models import Unit
from dudao.org.rules import (
    Node,
    active_conflict,
    children_conflict,
    level_conflict,
    still_active_below,
)


@dataclass
class ExistingTree:
    """The whole tree as light tuples: enough to check parents and cycles without the ORM."""

    id_by_code: dict[str, int]
    code_by_id: dict[int, str]
    parent_by_code: dict[str, str | None]
    path_by_code: dict[str, str]
    node_by_code: dict[str, Node]


def load_tree(session: Session) -> ExistingTree:
    columns = (Unit.id, Unit.code, Unit.parent_id, Unit.path, Unit.name, Unit.level, Unit.active)
    result = session.execute(select(*columns)).all()
    code_by_id = {r.id: r.code for r in result}
    return ExistingTree(
        id_by_code={r.code: r.id for r in result},
        code_by_id=code_by_id,
        parent_by_code={
            r.code: code_by_id[r.parent_id] if r.parent_id is not None else None for r in result
        },
        path_by_code={r.code: r.path for r in result},
        node_by_code={r.code: Node(r.code, r.name, UnitLevel(r.level), r.active) for r in result},
    )


def check_links(
    rows: list[OrgRow], existing: ExistingTree, scope: Sequence[str] | None
) -> list[Problem]:
    """Duplicate codes, unknown parents, cycles and (for web uploads) scope."""
    problems: list[Problem] = []
    rows_by_code: dict[str, list[OrgRow]] = defaultdict(list)
    for row in rows:
        if row.code:
            rows_by_code[row.code].append(row)
    for code, same in rows_by_code.items():
        if len(same) > 1:
            numbers = ", ".join(str(r.row) for r in same)
            for row in same:
                problems.append(
                    Problem(
                        N_("code '%(code)s' appears more than once (rows %(rows)s)"),
                        {"code": code, "rows": numbers},
                        row.row,
                        "code",
                    )
                )
    final_parent: dict[str, str | None] = dict(existing.parent_by_code)
    for code, same in rows_by_code.items():
        final_parent[code] = same[0].parent
    for row in rows:
        if row.parent is None or not row.code:
            continue
        if row.parent == row.code:
            problems.append(
                Problem(
                    N_("'%(code)s' cannot be its own parent"), {"code": row.code}, row.row, "parent"
                )
            )
        elif row.parent not in rows_by_code and row.parent not in existing.id_by_code:
            problems.append(
                Problem(
                    N_(
                        "unknown parent '%(parent)s': no row in the file and no unit in the "
                        "database has that code"
                    ),
                    {"parent": row.parent},
                    row.row,
                    "parent",
                )
            )
    problems += _cycles(rows_by_code, final_parent)
    placed = {p.row for p in problems if p.column in ("code", "parent")}
    problems += _rules(rows, existing, placed)
    if scope is not None:
        problems += _scope_problems(rows, existing, scope)
    return problems


def _cycles(
    rows_by_code: dict[str, list[OrgRow]], final_parent: dict[str, str | None]
) -> list[Problem]:
    """Every row on a cycle of the tree as it would be after the import."""
    problems: list[Problem] = []
    done: set[str] = set()
    for start in rows_by_code:
        walk: list[str] = []
        on_walk: dict[str, int] = {}
        code: str | None = start
        while code is not None and code not in done and code not in on_walk:
            on_walk[code] = len(walk)
            walk.append(code)
            code = final_parent.get(code)
        if code is not None and code in on_walk:
            cycle = walk[on_walk[code] :]
            if len(cycle) > 1:  # a unit that is its own parent is reported on its own
                chain = " → ".join([*cycle, cycle[0]])
                for member in cycle:
                    for row in rows_by_code.get(member, [])[:1]:
                        problems.append(
                            Problem(
                                N_(
                                    "parent '%(parent)s' would make a cycle "
                                    "(each unit under the next): %(chain)s"
                                ),
                                {"parent": row.parent or "", "chain": chain},
                                row.row,
                                "parent",
                            )
                        )
        done.update(walk)
    return problems


def _rules(rows: list[OrgRow], existing: ExistingTree, skip: set[int | None]) -> list[Problem]:
    """The tree's rules for every parent and child of which the file changes one (a re-import
    that changes nothing asks nothing), each at the row that changes: a unit's own place,
    and what a unit that changes level or goes inactive means for the units below it that
    the file leaves alone. Rows whose code, parent or level is already wrong are left out;
    a row wrong only elsewhere (its headcount, say) still takes its place, so its children's
    problems are named in the same report."""
    rows = [r for r in rows if "code" not in r.bad and r.level is not None and r.row not in skip]
    final = dict(existing.node_by_code)
    changed: set[str] = set()
    for row in rows:
        known = existing.node_by_code.get(row.code)
        active = row.active if row.active is not None else (known.active if known else True)
        assert row.level is not None
        final[row.code] = node = Node(row.code, row.name, row.level, active)
        was = (known.level, known.active, existing.parent_by_code[row.code]) if known else None
        if was != (node.level, node.active, row.parent):
            changed.add(row.code)
    in_file = {row.code for row in rows}
    left_below: dict[str, list[Node]] = defaultdict(list)
    for code, parent in sorted(existing.parent_by_code.items()):
        if parent is not None and code not in in_file:
            left_below[parent].append(existing.node_by_code[code])
    problems: list[Problem] = []
    for row in rows:
        node, parent = final[row.code], final.get(row.parent or "")
        if parent is not None and {row.code, parent.code} & changed:
            for column, said in (("level", level_conflict(node, parent)),
                                 ("active", active_conflict(node, parent))):  # fmt: skip
                if said is not None:
                    problems.append(Problem.said(said, row.row, column))
        if row.code not in changed:
            continue
        below = left_below.get(row.code, [])
        if (said := children_conflict(node, below)) is not None:
            problems.append(Problem.said(said, row.row, "level"))
        if not node.active and (active := [child for child in below if child.active]):
            problems.append(Problem.said(still_active_below(node, active), row.row, "active"))
    return problems


def _scope_problems(
    rows: list[OrgRow], existing: ExistingTree, scope: Sequence[str]
) -> list[Problem]:
    def inside(code: str) -> bool:
        path = existing.path_by_code.get(code)
        return path is not None and any(path.startswith(p) for p in scope)

    problems: list[Problem] = []
    for row in rows:
        if not row.code:
            continue
        is_new = row.code not in existing.id_by_code
        if not is_new and not inside(row.code):
            problems.append(
                Problem(
                    N_("unit '%(code)s' is outside the part of the organisation you manage"),
                    {"code": row.code},
                    row.row,
                    "code",
                )
            )
            continue
        if not is_new and existing.parent_by_code[row.code] == row.parent:
            continue
        if row.parent is None:
            problems.append(
                Problem(
                    N_("the parent is empty, but you may only add units inside your part"),
                    row=row.row,
                    column="parent",
                )
            )
        elif row.parent in existing.id_by_code and not inside(row.parent):
            problems.append(
                Problem(
                    N_("parent '%(parent)s' is outside the part of the organisation you manage"),
                    {"parent": row.parent},
                    row.row,
                    "parent",
                )
            )
    return problems
