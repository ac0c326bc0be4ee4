"""can() and scope_paths(): the one place that decides who may do what, and where."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pytest

from dudao.core.enums import Role
from dudao.core.permissions import (
    ROLE_PERMISSIONS,
    Permission,
    can,
    can_manage_account,
    can_see_account,
    scope_paths,
)

ACCESS_DOC = Path(__file__).resolve().parents[1] / "docs" / "access.md"


@dataclass
class FakeUnit:
    path: str
    active: bool = True


@dataclass
class FakeGrant:
    role: Role
    unit: FakeUnit


@dataclass
class FakeUser:
    grants: list[FakeGrant] = field(default_factory=list)
    active: bool = True
    is_authenticated: bool = True


GROUP = FakeUnit("/1/")
A = FakeUnit("/1/2/")
A1 = FakeUnit("/1/2/4/")
A1_1 = FakeUnit("/1/2/4/6/")
B = FakeUnit("/1/3/")
B1 = FakeUnit("/1/3/5/")
# Id 12 starts with the digits of id 1 and 2: the trailing slash keeps them apart.
OTHER_ROOT = FakeUnit("/12/")
A_LOOKALIKE = FakeUnit("/1/23/")


def user(*grants: tuple[Role, FakeUnit], active: bool = True) -> FakeUser:
    return FakeUser([FakeGrant(role, unit) for role, unit in grants], active=active)


def test_a_grant_covers_its_subtree_only():
    lead = user((Role.UNIT_LEAD, A1))
    assert can(lead, Permission.LEAD_UNIT, A1)
    assert can(lead, Permission.LEAD_UNIT, A1_1)
    assert not can(lead, Permission.LEAD_UNIT, A)
    assert not can(lead, Permission.LEAD_UNIT, GROUP)
    assert not can(lead, Permission.LEAD_UNIT, B1)
    assert scope_paths(lead, Permission.LEAD_UNIT) == ["/1/2/4/"]


def test_path_prefixes_respect_id_boundaries():
    admin_a = user((Role.ADMIN, A))
    assert not can(admin_a, Permission.MANAGE_UNITS, A_LOOKALIKE)
    assert not can(user((Role.ADMIN, GROUP)), Permission.MANAGE_UNITS, OTHER_ROOT)


def test_permission_comes_from_the_role():
    lead = user((Role.UNIT_LEAD, A))
    assert not can(lead, Permission.MANAGE_USERS, A1)
    assert not can(lead, Permission.MANAGE_USERS)
    assert scope_paths(lead, Permission.MANAGE_USERS) == []
    assert can(user((Role.REPRESENTATIVE, A)), Permission.GIVE_FEEDBACK, A1_1)
    assert not can(user((Role.REPRESENTATIVE, A)), Permission.VIEW_UNITS, A1)


def test_unit_none_means_anywhere():
    inspector = user((Role.INSPECTOR, B1))
    assert can(inspector, Permission.INSPECT)
    assert not can(inspector, Permission.VIEW_AUDIT)
    assert not can(user(), Permission.VIEW_UNITS)


def test_overlapping_grants_collapse_to_the_outermost():
    both = user((Role.OFFICE, A1), (Role.OFFICE, A), (Role.OFFICE, A1_1))
    assert scope_paths(both, Permission.VIEW_OFFICE) == ["/1/2/"]
    mixed = user((Role.UNIT_LEAD, A1), (Role.INSPECTOR, B), (Role.ADMIN, A1_1))
    assert scope_paths(mixed, Permission.VIEW_UNITS) == ["/1/2/4/", "/1/3/"]
    assert scope_paths(mixed, Permission.LEAD_UNIT) == ["/1/2/4/"]
    assert scope_paths(mixed, Permission.MANAGE_USERS) == ["/1/2/4/6/"]
    assert can(mixed, Permission.INSPECT, B1) and not can(mixed, Permission.INSPECT, A1)
    assert can(mixed, Permission.MANAGE_USERS, A1_1)
    assert not can(mixed, Permission.MANAGE_USERS, A1)
    # Two roles on the same unit give the union of their permissions.
    two = user((Role.INSPECTOR, A), (Role.REPRESENTATIVE, A))
    assert can(two, Permission.INSPECT, A1) and can(two, Permission.GIVE_FEEDBACK, A1)


def test_inactive_and_anonymous_users_can_do_nothing():
    gone = user((Role.ADMIN, GROUP), active=False)
    assert not can(gone, Permission.VIEW_UNITS, A1)
    assert scope_paths(gone, Permission.MANAGE_USERS) == []
    anonymous = user((Role.ADMIN, GROUP))
    anonymous.is_authenticated = False
    assert not can(anonymous, Permission.VIEW_UNITS)
    assert not can(None, Permission.VIEW_UNITS)
    assert not can(object(), Permission.VIEW_UNITS)


def test_every_role_has_permissions_and_admin_has_all():
    assert set(ROLE_PERMISSIONS) == set(Role)
    assert ROLE_PERMISSIONS[Role.ADMIN] == frozenset(Permission)
    assert all(ROLE_PERMISSIONS[role] for role in Role)


def test_account_visibility_and_management():
    admin_a = user((Role.ADMIN, A))
    inside = user((Role.UNIT_LEAD, A1))
    outside = user((Role.UNIT_LEAD, B1))
    straddling = user((Role.INSPECTOR, A1), (Role.ADMIN, GROUP))
    fresh = user()
    assert can_see_account(admin_a, inside) and can_manage_account(admin_a, inside)
    assert not can_see_account(admin_a, outside) and not can_manage_account(admin_a, outside)
    assert can_see_account(admin_a, straddling) and not can_manage_account(admin_a, straddling)
    assert can_see_account(admin_a, fresh) and can_manage_account(admin_a, fresh)
    office = user((Role.OFFICE, GROUP))
    assert not can_see_account(office, fresh) and not can_manage_account(office, fresh)
    group_admin = user((Role.ADMIN, GROUP))
    assert can_manage_account(group_admin, straddling)
    assert not can_see_account(user((Role.ADMIN, GROUP), active=False), fresh)


def test_real_models_work_with_can(session, org, user_factory):
    lead = user_factory("lead", ("unit_lead", org.unit_a1), ("representative", org.company_b))
    assert can(lead, Permission.LEAD_UNIT, org.branch_a2)
    assert not can(lead, Permission.LEAD_UNIT, org.company_a)
    assert can(lead, Permission.GIVE_FEEDBACK, org.branch_b1)
    assert not can(lead, Permission.VIEW_UNITS, org.unit_b1)
    assert scope_paths(lead, Permission.VIEW_UNITS) == [org.unit_a1.path]
    lead.active = False
    assert not can(lead, Permission.LEAD_UNIT, org.branch_a2)


def permission_table() -> str:
    """The Markdown table docs/access.md must contain, built from ROLE_PERMISSIONS."""
    roles = list(Role)
    lines = [
        "| permission | " + " | ".join(role.value for role in roles) + " |",
        "| --- |" + " :-: |" * len(roles),
    ]
    for permission in Permission:
        marks = ["yes" if permission in ROLE_PERMISSIONS[role] else "" for role in roles]
        lines.append(f"| `{permission.value}` | " + " | ".join(marks) + " |")
    return "\n".join(lines)


def test_access_doc_table_matches_the_code():
    text = ACCESS_DOC.read_text(encoding="utf-8")
    table = permission_table()
    assert table in text, "docs/access.md is out of date; paste this table:\n\n" + table


@pytest.mark.parametrize("role", list(Role))
def test_access_doc_describes_every_role(role):
    assert f"`{role.value}`" in ACCESS_DOC.read_text(encoding="utf-8")
