"""Changes to the org tree; each one is audited in the caller's transaction."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from dudao.audit.services import record
from dudao.core.enums import UnitLevel
from dudao.core.errors import N_, Message, ValidationError, field_problem
from dudao.org.models import Unit


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
) -> Unit:
    code = code.strip()
    if not code or not name.strip():
        raise ValidationError(Message(N_("A unit needs a code and a name.")),
                              [field_problem("code", Message(N_("cannot be empty")))])  # fmt: skip
    if session.scalar(select(Unit.id).where(Unit.code == code)):
        raise ValidationError(
            Message(N_("The code %(code)s is already used by another unit."), code=code),
            [field_problem("code", Message(N_("%(value)r is already taken"), value=code))],
        )
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


def update_unit(session: Session, actor: Any, unit: Unit, **changes: Any) -> Unit:
    """Change name, English name, level, tags or headcount; moving has its own function."""
    allowed = {"name", "name_en", "level", "tags", "headcount"}
    unknown = set(changes) - allowed
    if unknown:
        raise ValueError(f"update_unit cannot change {sorted(unknown)}")
    before = unit_snapshot(unit)
    for field, value in changes.items():
        setattr(unit, field, sorted(set(value)) if field == "tags" else value)
    after = unit_snapshot(unit)
    if after != before:
        session.flush()
        record(session, actor, "unit.update", "unit", unit.id, before, after)
    return unit


def move_unit(session: Session, actor: Any, unit: Unit, new_parent: Unit | None) -> Unit:
    """Re-hang a unit and its whole subtree with one prefix rewrite (None: make it a root)."""
    if new_parent is not None and new_parent.path.startswith(unit.path):
        inside = Message(N_("%(code)s lies inside the unit being moved; choose another parent."),
                         code=new_parent.code)  # fmt: skip
        raise ValidationError.of_field("parent", inside)
    if unit.parent_id == (new_parent.id if new_parent is not None else None):
        return unit
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


def set_unit_active(session: Session, actor: Any, unit: Unit, active: bool) -> Unit:
    """Deactivation hides a unit from new work but keeps it and its history."""
    if unit.active != active:
        before = unit_snapshot(unit)
        unit.active = active
        session.flush()
        record(session, actor, "unit.update", "unit", unit.id, before, unit_snapshot(unit))
    return unit
