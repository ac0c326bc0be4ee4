"""Inspections for the route walk (tests/test_access_routes.py): one in company A, one in B."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from dudao.definitions.models import DefinitionVersion
from dudao.inspections.models import InspectionOrigin
from dudao.inspections.services import create_inspection
from tests.factories import OrgTree


def inspections_in_and_out(
    session: Session, org: OrgTree, version: DefinitionVersion
) -> dict[str, int]:
    found = {}
    for side, unit in (("in", org.unit_a1), ("out", org.unit_b1)):
        inspection = create_inspection(
            session, None, unit, version, date(2026, 12, 31), InspectionOrigin.AD_HOC
        )
        found[side] = inspection.id
    session.commit()
    return found
