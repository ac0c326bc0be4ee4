"""Schedules for the route walk (tests/test_access_routes.py): one over company A, one over B."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from dudao.scheduling.models import Schedule
from tests.factories import OrgTree


def schedules_in_and_out(session: Session, org: OrgTree) -> dict[str, int]:
    found = {}
    for side, unit in (("in", org.company_a), ("out", org.company_b)):
        schedule = Schedule(
            key=f"access_{side}", name=side, definition_key="branch_standardisation",
            scope_unit=unit, rrule="FREQ=MONTHLY", dtstart=date(2026, 1, 1),
        )  # fmt: skip
        session.add(schedule)
        session.flush()
        found[side] = schedule.id
    session.commit()
    return found
