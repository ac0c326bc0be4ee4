"""Small builders for test data, going through the real services."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from dudao.auth.models import User
from dudao.auth.services import create_user, grant_role
from dudao.core.enums import Role, UnitLevel
from dudao.org.models import Unit
from dudao.org.services import create_unit


@dataclass
class OrgTree:
    group: Unit
    company_a: Unit
    company_b: Unit
    unit_a1: Unit
    unit_b1: Unit
    branch_a1: Unit
    branch_a2: Unit
    branch_b1: Unit


def build_org(session: Session) -> OrgTree:
    """group → companies A and B → one unit each → branches."""
    group = create_unit(session, None, "G", "示例集团", UnitLevel.GROUP)
    company_a = create_unit(session, None, "A", "甲公司", UnitLevel.COMPANY, group)
    company_b = create_unit(session, None, "B", "乙公司", UnitLevel.COMPANY, group)
    unit_a1 = create_unit(session, None, "A1", "甲一厂", UnitLevel.UNIT, company_a)
    unit_b1 = create_unit(session, None, "B1", "乙一厂", UnitLevel.UNIT, company_b)
    branch_a1 = create_unit(session, None, "A1-1", "甲一厂第一党支部", UnitLevel.BRANCH, unit_a1)
    branch_a2 = create_unit(session, None, "A1-2", "甲一厂第二党支部", UnitLevel.BRANCH, unit_a1)
    branch_b1 = create_unit(session, None, "B1-1", "乙一厂第一党支部", UnitLevel.BRANCH, unit_b1)
    return OrgTree(group, company_a, company_b, unit_a1, unit_b1, branch_a1, branch_a2, branch_b1)


def make_user(
    session: Session, username: str, password: str, grants: tuple[tuple[str, Unit], ...] = ()
) -> User:
    user = create_user(session, None, username, username.title(), password)
    for role, unit in grants:
        grant_role(session, None, user, Role(role), unit)
    return user
