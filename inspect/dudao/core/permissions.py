"""The one place that decides who may do what, and where.

A role is granted on a unit and covers that unit's whole subtree. Every view
names the permission it needs; `can` answers for one unit, `scope_paths` gives
the subtree prefixes a query must stay inside.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Protocol

from dudao.core.enums import Role


class Permission(StrEnum):
    VIEW_UNITS = "view_units"
    MANAGE_UNITS = "manage_units"
    MANAGE_USERS = "manage_users"
    VIEW_AUDIT = "view_audit"
    VIEW_OFFICE = "view_office"
    #: Inspection lists and analytics of a subtree, read only (the office and unit leads).
    VIEW_RESULTS = "view_results"
    INSPECT = "inspect"
    LEAD_UNIT = "lead_unit"
    GIVE_FEEDBACK = "give_feedback"
    VIEW_DEFINITIONS = "view_definitions"
    MANAGE_DEFINITIONS = "manage_definitions"
    MANAGE_DRAWS = "manage_draws"
    MANAGE_SCHEDULES = "manage_schedules"
    MANAGE_SURVEYS = "manage_surveys"
    #: Rankings, tiers and a unit's score explained (考评, docs/assessment.md).
    VIEW_ASSESSMENT = "view_assessment"
    #: Default roles; workflows/publication/publication.yaml decides (docs/draws.md).
    VIEW_PUBLIC_RESULTS = "view_public_results"


ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.ADMIN: frozenset(Permission),
    Role.OFFICE: frozenset(
        {
            Permission.VIEW_UNITS,
            Permission.VIEW_OFFICE,
            Permission.VIEW_RESULTS,
            Permission.VIEW_AUDIT,
            Permission.VIEW_DEFINITIONS,
            Permission.MANAGE_DRAWS,
            Permission.MANAGE_SCHEDULES,
            Permission.MANAGE_SURVEYS,
            Permission.VIEW_ASSESSMENT,
            Permission.VIEW_PUBLIC_RESULTS,
        }
    ),
    Role.INSPECTOR: frozenset(
        {Permission.VIEW_UNITS, Permission.INSPECT, Permission.VIEW_PUBLIC_RESULTS}
    ),
    Role.UNIT_LEAD: frozenset(
        {
            Permission.VIEW_UNITS,
            Permission.LEAD_UNIT,
            Permission.VIEW_RESULTS,
            Permission.VIEW_ASSESSMENT,
            Permission.VIEW_PUBLIC_RESULTS,
        }
    ),
    Role.REPRESENTATIVE: frozenset({Permission.GIVE_FEEDBACK}),
}


class _Grant(Protocol):
    role: Role

    @property
    def unit(self) -> _Scoped: ...


class _Scoped(Protocol):
    path: str
    active: bool


def _grants(user: object) -> list[_Grant]:
    if not getattr(user, "is_authenticated", False) or not getattr(user, "active", False):
        return []
    return list(getattr(user, "grants", []))


def scope_paths(user: object, permission: Permission) -> list[str]:
    """Path prefixes of the subtrees on which `user` holds `permission` (may be empty)."""
    paths = sorted(
        {grant.unit.path for grant in _grants(user) if permission in ROLE_PERMISSIONS[grant.role]}
    )
    # Drop paths already covered by an ancestor so queries stay short.
    return [p for p in paths if not any(p != q and p.startswith(q) for q in paths)]


def can(user: object, permission: Permission, unit: _Scoped | None = None) -> bool:
    """True when `user` holds `permission` on `unit` (or anywhere, when `unit` is None)."""
    paths = scope_paths(user, permission)
    if unit is None:
        return bool(paths)
    return any(unit.path.startswith(path) for path in paths)


def _inside(path: str, paths: list[str]) -> bool:
    return any(path.startswith(prefix) for prefix in paths)


def can_see_account(actor: object, account: object) -> bool:
    """Account administrators see accounts with a grant inside their MANAGE_USERS scope,
    and accounts with no grant at all (so a new account can be given its first role)."""
    paths = scope_paths(actor, Permission.MANAGE_USERS)
    grants = list(getattr(account, "grants", []))
    return bool(paths) and (not grants or any(_inside(g.unit.path, paths) for g in grants))


def can_manage_account(actor: object, account: object) -> bool:
    """Changing an account itself (profile, password, active) needs every grant it holds
    inside the actor's scope, so nobody takes over an account whose rights reach further."""
    paths = scope_paths(actor, Permission.MANAGE_USERS)
    grants = list(getattr(account, "grants", []))
    return bool(paths) and all(_inside(g.unit.path, paths) for g in grants)


def roles_on(user: object, unit: _Scoped) -> set[Role]:
    """The roles `user` holds on `unit` through a grant on it or an ancestor."""
    return {grant.role for grant in _grants(user) if unit.path.startswith(grant.unit.path)}
