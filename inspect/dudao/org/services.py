"""Changes to the org tree; each one is audited in the caller's transaction.

Each change keeps the tree's rules (org/rules.py: levels below their parent's, no active
unit under an inactive one) or is refused naming the units involved. The import checks
the tree as it will be after its whole file instead and passes `tree_checked=True`: step
by step, a correct file may pass through states the rules refuse (a unit raised a level
before it moves up).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from dudao.audit.services import record
from dudao.core.database import utcnow
from dudao.core.enums import UnitLevel
from dudao.core.errors import N_, FieldProblem, Listed, Message, ValidationError, field_problem
from dudao.org import queries
from dudao.org.models import Unit
from dudao.org.rules import (
    Node,
    active_conflict,
    children_conflict,
    level_conflict,
    still_active_below,
)


def unit_snapshot(unit: Unit) -> dict[str, Any]:
    return {
        "code": unit.code,
        "name": unit.name,
        "name_en": unit.name_en,
        "level": unit.level.value,
        "parent": unit.parent.code if unit.parent else None,
        "tags": list(unit.tags or []),
        "headcount": unit.headcount,
        "active": unit.active,
    }


def create_unit(
    session: Session,
    actor: Any,
    code: str,
    name: str,
    level: UnitLevel,
    parent: Unit | None = None,
    *,
    name_en: str | None = None,
    tags: list[str] | None = None,
    headcount: int | None = None,
    tree_checked: bool = False,
) -> Unit:
    code = code.strip()
    if not code or not name.strip():
        raise ValidationError(Message(N_("A unit needs a code and a name.")),
                              [field_problem("code", Message(N_("cannot be empty")))])  # fmt: skip
    if session.scalar(select(Unit.id).where(Unit.code == code)):
        raise ValidationError(
            Message(N_("The code %(code)s is already used by another unit."), code=code),
            [field_problem("code", Message(N_("'%(value)s' is already taken"), value=code))],
        )
    if not tree_checked:
        _refuse(_placement(Node(code, name.strip(), level), parent, "level", "parent"))
    unit = Unit(
        code=code,
        name=name.strip(),
        name_en=name_en,
        level=level,
        parent=parent,
        tags=sorted(set(tags or [])),
        headcount=headcount,
        path="",
        depth=parent.depth + 1 if parent else 0,
    )
    session.add(unit)
    session.flush()
    unit.path = f"{parent.path if parent else '/'}{unit.id}/"
    session.flush()
    record(session, actor, "unit.create", "unit", unit.id, after=unit_snapshot(unit))
    return unit


def update_unit(
    session: Session, actor: Any, unit: Unit, *, tree_checked: bool = False, **changes: Any
) -> Unit:
    """Change name, English name, level, tags or headcount; moving has its own function."""
    allowed = {"name", "name_en", "level", "tags", "headcount"}
    unknown = set(changes) - allowed
    if unknown:
        raise ValueError(f"update_unit cannot change {sorted(unknown)}")
    if "level" in changes and changes["level"] != unit.level and not tree_checked:
        _refuse(_level_problems(session, unit, changes["level"]))
    before = unit_snapshot(unit)
    for field, value in changes.items():
        setattr(unit, field, sorted(set(value)) if field == "tags" else value)
    after = unit_snapshot(unit)
    if after != before:
        session.flush()
        record(session, actor, "unit.update", "unit", unit.id, before, after)
    return unit


def move_unit(
    session: Session,
    actor: Any,
    unit: Unit,
    new_parent: Unit | None,
    *,
    tree_checked: bool = False,
) -> Unit:
    """Re-hang a unit and its whole subtree with one prefix rewrite (None: make it a root)."""
    if new_parent is not None and new_parent.id == unit.id:
        itself = Message(N_("'%(code)s' cannot be its own parent"), code=unit.code)
        raise ValidationError.of_field("parent", itself)
    if new_parent is not None and new_parent.path.startswith(unit.path):
        inside = Message(N_("%(code)s lies inside the unit being moved; choose another parent."),
                         code=new_parent.code)  # fmt: skip
        raise ValidationError.of_field("parent", inside)
    if unit.parent_id == (new_parent.id if new_parent is not None else None):
        return unit
    if not tree_checked:
        _refuse(_placement(Node.of(unit), new_parent, "parent", "parent"))
    before = unit_snapshot(unit)
    old_prefix = unit.path
    new_prefix = f"{new_parent.path if new_parent is not None else '/'}{unit.id}/"
    depth_shift = (new_parent.depth + 1 if new_parent is not None else 0) - unit.depth
    session.execute(
        update(Unit)
        .where(Unit.path.startswith(old_prefix, autoescape=True))
        .values(
            path=new_prefix + func.substr(Unit.path, len(old_prefix) + 1),
            depth=Unit.depth + depth_shift,
        )
        .execution_options(synchronize_session=False)
    )
    unit.parent = new_parent
    session.flush()
    session.expire_all()
    record(session, actor, "unit.move", "unit", unit.id, before, unit_snapshot(unit))
    return unit


def set_unit_active(
    session: Session,
    actor: Any,
    unit: Unit,
    active: bool,
    *,
    with_subtree: bool = False,
    tree_checked: bool = False,
    at: datetime | None = None,
) -> list[Unit]:
    """Deactivation hides a unit from new work but keeps it and its history; its open
    inspections and rectifications stay open. A unit with active units below it is
    deactivated only together with them (`with_subtree`, which the page asks to confirm).

    The units deactivated in one act share its moment (`Unit.deactivated_at`), so the act
    can be undone as it was done: a unit is reactivated only under an active parent, on its
    own or, `with_subtree`, with the units below it that went with it
    (`queries.deactivated_with`). A unit deactivated on its own before stays inactive; so
    do the units below when the unit alone comes back, and they keep their moment, so
    reactivating one of them later offers the units that went with it. A caller whose
    one act deactivates units one by one (the import, for a whole file) gives them its
    moment, `at`. Returns the units it changed, `unit` first (none if it already was)."""
    if unit.active == active:
        return []
    changed = [unit]
    if active and not tree_checked:
        problem = reactivation_refused(unit)
        if problem is not None:
            raise ValidationError.of_field("active", problem)
    if active and with_subtree:
        changed += queries.deactivated_with(session, unit)
    elif not active and not tree_checked:
        below = queries.in_tree_order(queries.active_below(session, unit))
        if below and not with_subtree:
            problem = still_active_below(Node.of(unit), [Node.of(u) for u in below])
            raise ValidationError.of_field("active", problem)
        changed += below
    moment = None if active else at or utcnow()
    for each in changed:
        before = unit_snapshot(each)
        each.active, each.deactivated_at = active, moment
        session.flush()
        record(session, actor, "unit.update", "unit", each.id, before, unit_snapshot(each))
    return changed


def reactivation_refused(unit: Unit) -> Message | None:
    """Why `unit` cannot be reactivated now (its parent is inactive), or None."""
    if unit.parent is None:
        return None
    return active_conflict(Node.of(unit, active=True), Node.of(unit.parent))


def _placement(
    child: Node, parent: Unit | None, level_field: str, active_field: str
) -> list[FieldProblem]:
    """The rules `child` under `parent` breaks, each beside the form field it is about."""
    if parent is None:
        return []
    above = Node.of(parent)
    found = [
        (level_field, level_conflict(child, above)),
        (active_field, active_conflict(child, above)),
    ]
    return [field_problem(field, problem) for field, problem in found if problem is not None]


def _level_problems(session: Session, unit: Unit, level: UnitLevel) -> list[FieldProblem]:
    """What `unit` at `level` would break: against its parent and the units directly below it."""
    changed = Node.of(unit, level=level)
    problems = _placement(changed, unit.parent, "level", "level")
    children = session.scalars(select(Unit).where(Unit.parent_id == unit.id).order_by(Unit.code))
    below = children_conflict(changed, [Node.of(child) for child in children])
    return problems + ([field_problem("level", below)] if below is not None else [])


def _refuse(problems: list[FieldProblem]) -> None:
    """Raise all of a change's problems at once, if it has any."""
    if problems:
        whole = problems[0].problem if len(problems) == 1 else Listed(p.problem for p in problems)
        raise ValidationError(whole, list(problems))
