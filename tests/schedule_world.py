"""Schedules for tests: one over company A and one over B for the route walk
(tests/test_access_routes.py), and the quarterly one the schedule pages edit."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from dudao.config import PROJECT_ROOT
from dudao.definitions.services import sync_forms
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


def quarterly_schedule(session: Session, org: OrgTree) -> Schedule:
    """Quarterly over A's branches since 1 January 2026, loaded from a file (committed)."""
    sync_forms(session, None, PROJECT_ROOT / "forms")
    found = Schedule(
        key="quarterly", name="季度检查", definition_key="branch_standardisation",
        scope_unit=org.company_a, levels=["branch"], rrule="FREQ=MONTHLY;INTERVAL=3;BYMONTHDAY=1",
        dtstart=date(2026, 1, 1), window_days=30, assignment={"policy": "unit_lead"},
        source_file="workflows/schedules/q.yaml",
    )  # fmt: skip
    session.add(found)
    session.commit()
    return found
