"""Org chart import: check the whole file, then apply it through the audited services.

All or nothing: every problem in the file is collected and reported with its row
number, and nothing is written unless there are none. Re-importing updates units
by code, so importing the same file twice changes nothing the second time.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from dudao.core.database import utcnow
from dudao.core.errors import Message, Plural
from dudao.org import services
from dudao.org.import_checks import ExistingTree, check_links, load_tree
from dudao.org.import_files import UnreadableFile, read_table
from dudao.org.import_rows import OrgRow, Problem, headed, parse_rows, refused
from dudao.org.models import Unit

IN_CHUNK = 2000  # ids per IN (...) query: well under SQLite's and PostgreSQL's limits


@dataclass
class ImportReport:
    """What an import did (or, for a dry run or a rejected file, would have done)."""

    filename: str
    dry_run: bool = False
    rows: int = 0
    created: int = 0
    updated: int = 0
    moved: int = 0
    unchanged: int = 0
    errors: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary(self) -> Message:
        """One sentence for the page and the command line, in the reader's language."""
        if self.errors:
            return refused(self.filename, len(self.errors))
        counts = {"num": self.rows, "file": self.filename, "created": self.created,
                  "updated": self.updated, "moved": self.moved,
                  "unchanged": self.unchanged}  # fmt: skip
        if self.dry_run:
            return Plural(
                "%(file)s is correct (%(num)d row checked, nothing written). Importing it, "
                "units created: %(created)d, updated: %(updated)d, moved: %(moved)d, "
                "unchanged: %(unchanged)d.",
                "%(file)s is correct (%(num)d rows checked, nothing written). Importing it, "
                "units created: %(created)d, updated: %(updated)d, moved: %(moved)d, "
                "unchanged: %(unchanged)d.",
                **counts,
            )
        return Plural(
            "%(file)s: %(num)d row imported. Units created: %(created)d, updated: "
            "%(updated)d, moved: %(moved)d, unchanged: %(unchanged)d.",
            "%(file)s: %(num)d rows imported. Units created: %(created)d, updated: "
            "%(updated)d, moved: %(moved)d, unchanged: %(unchanged)d.",
            **counts,
        )


@dataclass
class _Plan:
    creates: list[OrgRow] = field(default_factory=list)
    updates: list[tuple[OrgRow, dict[str, Any]]] = field(default_factory=list)
    activations: list[OrgRow] = field(default_factory=list)
    moves: list[OrgRow] = field(default_factory=list)
    unchanged: int = 0


def import_org_chart(
    session: Session,
    actor: Any,
    data: bytes,
    filename: str,
    *,
    dry_run: bool = False,
    scope: Sequence[str] | None = None,
) -> ImportReport:
    """Check `data` (CSV or XLSX) completely, then create, update and move units by code.

    `scope` limits a web upload to the subtrees the uploader manages (None: no limit,
    as for the command line). The caller commits; on errors nothing has been written.
    """
    report = ImportReport(filename=filename, dry_run=dry_run)
    try:
        table = read_table(data, filename)
    except UnreadableFile as exc:
        report.errors.append(Problem(exc.text, dict(exc.params)))
        return report
    rows, problems = parse_rows(table)
    report.rows = len(rows)
    if problems and not rows:
        report.errors = headed(problems, table)
        return report
    existing = load_tree(session)
    problems += check_links(rows, existing, scope)
    if problems:
        ordered = sorted(problems, key=lambda p: (p.row or 0, p.column or ""))
        report.errors = headed(ordered, table)
        return report
    units = _load_units(
        session, [existing.id_by_code[r.code] for r in rows if r.code in existing.id_by_code]
    )
    plan = _plan(rows, units, existing)
    report.created, report.moved, report.unchanged = (
        len(plan.creates),
        len(plan.moves),
        plan.unchanged,
    )
    report.updated = len({r.code for r, _ in plan.updates} | {r.code for r in plan.activations})
    if not dry_run:
        _apply(session, actor, plan, rows, existing, units)
    return report


def _load_units(session: Session, ids: list[int]) -> dict[str, Unit]:
    """Full units for the given ids, in a few chunked queries (never one per row)."""
    units: dict[str, Unit] = {}
    for start in range(0, len(ids), IN_CHUNK):
        chunk = ids[start : start + IN_CHUNK]
        units.update((u.code, u) for u in session.scalars(select(Unit).where(Unit.id.in_(chunk))))
    return units


def _plan(rows: list[OrgRow], units: dict[str, Unit], existing: ExistingTree) -> _Plan:
    plan = _Plan()
    for row in rows:
        unit = units.get(row.code)
        if unit is None:
            plan.creates.append(row)
            continue
        changes = _field_changes(row, unit)
        if changes:
            plan.updates.append((row, changes))
        if row.active is not None and row.active != unit.active:
            plan.activations.append(row)
        current_parent = existing.parent_by_code[row.code]
        if current_parent != row.parent:
            plan.moves.append(row)
        if not changes and row not in plan.activations and current_parent == row.parent:
            plan.unchanged += 1
    return plan


def _field_changes(row: OrgRow, unit: Unit) -> dict[str, Any]:
    wanted: dict[str, Any] = {"name": row.name, "level": row.level}
    if "name_en" in row.present:
        wanted["name_en"] = row.name_en
    if "tags" in row.present:
        wanted["tags"] = row.tags or []
    if "headcount" in row.present:
        wanted["headcount"] = row.headcount
    current = {"tags": sorted(unit.tags or [])}
    return {
        name: value
        for name, value in wanted.items()
        if current.get(name, getattr(unit, name)) != value
    }


def _depths(rows: list[OrgRow], existing: ExistingTree) -> dict[str, int]:
    """Depth of each row's unit in the tree after the import (acyclic by now)."""
    parent = dict(existing.parent_by_code)
    parent.update({r.code: r.parent for r in rows})
    depth: dict[str, int] = {}
    for row in rows:
        chain: list[str] = []
        code: str | None = row.code
        while code is not None and code not in depth:
            chain.append(code)
            code = parent.get(code)
        base = depth[code] if code is not None else -1
        for offset, member in enumerate(reversed(chain), start=1):
            depth[member] = base + offset
    return depth


def _apply(
    session: Session,
    actor: Any,
    plan: _Plan,
    rows: list[OrgRow],
    existing: ExistingTree,
    units: dict[str, Unit],
) -> None:
    """Creates top-down, then field updates, then moves top-down (each audited). The
    tree's rules were checked on the tree after the whole file (`check_links`). The file
    is one act: the units it deactivates share one moment (`services.set_unit_active`)."""
    depth, moment = _depths(rows, existing), utcnow()
    outside_parents = {
        existing.id_by_code[r.parent]
        for r in plan.creates + plan.moves
        if r.parent is not None and r.parent not in units and r.parent in existing.id_by_code
    }
    units.update(_load_units(session, sorted(outside_parents)))
    for row in sorted(plan.creates, key=lambda r: depth[r.code]):
        assert row.level is not None
        units[row.code] = services.create_unit(
            session,
            actor,
            row.code,
            row.name,
            row.level,
            units[row.parent] if row.parent is not None else None,
            name_en=row.name_en,
            tags=row.tags,
            headcount=row.headcount,
            tree_checked=True,
        )
        if row.active is False:
            unit = units[row.code]
            services.set_unit_active(session, actor, unit, False, tree_checked=True, at=moment)
    for row, changes in plan.updates:
        services.update_unit(session, actor, units[row.code], tree_checked=True, **changes)
    for row in plan.activations:
        assert row.active is not None
        unit = units[row.code]
        services.set_unit_active(session, actor, unit, row.active, tree_checked=True, at=moment)
    for row in sorted(plan.moves, key=lambda r: depth[r.code]):
        new_parent = units[row.parent] if row.parent is not None else None
        services.move_unit(session, actor, units[row.code], new_parent, tree_checked=True)
