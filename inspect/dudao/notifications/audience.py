"""Who hears about a unit's work: its office and its lead, found set-based for many units.

"The office of a unit" is the holders of the office role on the *nearest* unit at or
above it that has any, so a company's own office hears about its branches and the
group office is not flooded with every branch's routine (it still hears about
units whose companies have no office of their own).
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from dudao.auth.models import RoleGrant, User
from dudao.core.enums import Role
from dudao.org.models import Unit

#: Timer and rule audiences that are roles on the unit (assignees come from the subject).
AUDIENCE_ROLES = {"office": Role.OFFICE, "unit_lead": Role.UNIT_LEAD}


def prefixes(path: str) -> list[str]:
    """The unit and its ancestors: "/1/7/42/" -> ["/1/", "/1/7/", "/1/7/42/"]."""
    parts = [p for p in path.split("/") if p]
    return ["/" + "/".join(parts[: i + 1]) + "/" for i in range(len(parts))]


def holders_at_or_above(
    session: Session, roles: Iterable[Role], paths: Iterable[str]
) -> list[User]:
    """Active users holding one of `roles` on a unit at or above any of `paths` (the people who
    can act there), by name."""
    wanted = sorted({p for path in paths for p in prefixes(path)})
    if not wanted:
        return []
    return list(
        session.scalars(
            select(User)
            .join(RoleGrant, RoleGrant.user_id == User.id)
            .join(Unit, Unit.id == RoleGrant.unit_id)
            .where(RoleGrant.role.in_(list(roles)), User.active.is_(True), Unit.path.in_(wanted))
            .distinct()
            .order_by(User.display_name, User.id)
        )
    )


def nearest_holders(session: Session, role: Role, paths: Iterable[str]) -> dict[str, set[int]]:
    """For each unit path, the active users holding `role` on the nearest unit at or above it."""
    wanted = sorted(set(paths))
    every = sorted({p for path in wanted for p in prefixes(path)})
    by_path: dict[str, set[int]] = {}
    for start in range(0, len(every), 500):
        rows = session.execute(
            select(Unit.path, RoleGrant.user_id)
            .join(RoleGrant, RoleGrant.unit_id == Unit.id)
            .join(User, User.id == RoleGrant.user_id)
            .where(
                RoleGrant.role == role,
                User.active.is_(True),
                Unit.path.in_(every[start : start + 500]),
            )
        )
        for path, user_id in rows:
            by_path.setdefault(path, set()).add(user_id)
    result: dict[str, set[int]] = {}
    for path in wanted:
        result[path] = next((by_path[p] for p in reversed(prefixes(path)) if p in by_path), set())
    return result


def unit_paths(session: Session, unit_ids: Iterable[int]) -> dict[int, str]:
    ids = sorted(set(unit_ids))
    found: dict[int, str] = {}
    for start in range(0, len(ids), 500):
        rows = session.execute(
            select(Unit.id, Unit.path).where(Unit.id.in_(ids[start : start + 500]))
        )
        found.update({unit_id: path for unit_id, path in rows})
    return found
