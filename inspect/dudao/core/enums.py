"""Small closed vocabularies shared by several features."""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

from dudao.core.errors import N_


class UnitLevel(StrEnum):
    GROUP = "group"
    COMPANY = "company"
    UNIT = "unit"
    BRANCH = "branch"


def in_tree_order(levels: Iterable[str]) -> list[str]:
    """The known ones of `levels` from the top of the tree down ("companies, branches", not
    the alphabet's "branches, companies")."""
    given = set(levels)
    return [level.value for level in UnitLevel if level.value in given]


#: A level in words (`Message(LEVEL_NAMES[level])` in a service, `|label` on a page), and
#: the order of the tree from the top down (docs/org.md: a unit's level is below its parent's).
LEVEL_NAMES = {
    UnitLevel.GROUP: N_("Group"),
    UnitLevel.COMPANY: N_("Company"),
    UnitLevel.UNIT: N_("Unit"),
    UnitLevel.BRANCH: N_("Party branch"),
}


class Role(StrEnum):
    ADMIN = "admin"
    OFFICE = "office"
    INSPECTOR = "inspector"
    UNIT_LEAD = "unit_lead"
    REPRESENTATIVE = "representative"
