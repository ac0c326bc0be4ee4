"""Materialising schedules: periods in Asia/Shanghai, month ends, catch-up, idempotence, scope."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select

from dudao.audit.chain import verify_chain
from dudao.audit.models import AuditEvent
from dudao.cli import cli
from dudao.config import PROJECT_ROOT
from dudao.definitions.services import sync_forms
from dudao.inspections.models import Inspection, InspectionAssignment
from dudao.org.services import set_unit_active
from dudao.scheduling.materialise import materialise_all
from dudao.scheduling.models import Schedule

TZ = "Asia/Shanghai"


@pytest.fixture
def forms(session):
    sync_forms(session, None, PROJECT_ROOT / "forms")
    session.commit()


@pytest.fixture
def make_schedule(session, org, forms):
    def make(rrule: str, dtstart: date, **values: object) -> Schedule:
        values.setdefault("levels", ["branch"])
        values.setdefault("assignment", {"policy": "unit_lead"})
        schedule = Schedule(
            key=values.pop("key", "s1"), name="检查", definition_key="branch_standardisation",
            scope_unit=values.pop("scope", org.group), rrule=rrule, dtstart=dtstart,
            window_days=values.pop("window_days", 30), **values,
        )  # fmt: skip
        session.add(schedule)
        session.commit()
        return schedule

    return make


def run(app, until: date | None = None, now: datetime | None = None, **kwargs):
    return materialise_all(app.extensions["dudao"].session_factory, TZ, until, now, **kwargs)


def periods(session, schedule_id: int | None = None) -> list[tuple[str, str]]:
    session.expire_all()
    rows = session.execute(
        select(Inspection.period_key, Inspection.unit_id).order_by(
            Inspection.period_key, Inspection.unit_id
        )
    ).all()
    return [tuple(row) for row in rows]


def keys(session) -> list[str]:
    return sorted({key for key, _ in periods(session)})


def test_quarters_start_at_local_midnight_which_is_the_day_before_in_utc(
    app, session, make_schedule
):
    make_schedule("FREQ=MONTHLY;INTERVAL=3;BYMONTHDAY=1", date(2026, 1, 1), window_days=45)
    # 15:59 UTC on 31 March is 23:59 in Shanghai: the April quarter has not begun.
    run(app, now=datetime(2026, 3, 31, 15, 59, tzinfo=UTC))
    assert keys(session) == ["2026-01-01"]
    # 16:00 UTC on 31 March is midnight on 1 April in Shanghai: it has.
    report = run(app, now=datetime(2026, 3, 31, 16, 0, tzinfo=UTC))
    assert keys(session) == ["2026-01-01", "2026-04-01"]
    assert report.created == 3  # three branches
    april = session.scalars(select(Inspection).where(Inspection.period_key == "2026-04-01")).all()
    assert {i.period_start for i in april} == {date(2026, 4, 1)}
    assert {i.due_date for i in april} == {date(2026, 5, 16)}
    assert {i.origin for i in april} == {"periodic"}


def test_months_in_shanghai(app, session, make_schedule):
    make_schedule("FREQ=MONTHLY;BYMONTHDAY=1", date(2026, 1, 1))
    run(app, now=datetime(2026, 2, 28, 16, 0, tzinfo=UTC))  # 1 March, 00:00 local
    assert keys(session) == ["2026-01-01", "2026-02-01", "2026-03-01"]


def test_month_ends_and_leap_years(app, session, make_schedule):
    make_schedule("FREQ=MONTHLY;BYMONTHDAY=-1", date(2027, 1, 1))
    run(app, until=date(2028, 3, 30))
    found = keys(session)
    assert "2027-02-28" in found and "2028-02-29" in found
    assert found[-1] == "2028-02-29" and len(found) == 14  # 12 months of 2027, Jan and Feb 2028
    assert all(date.fromisoformat(k).day in (28, 29, 30, 31) for k in found)


def test_catch_up_after_three_missed_periods_without_duplicates(app, session, make_schedule):
    make_schedule("FREQ=MONTHLY;BYMONTHDAY=1", date(2026, 1, 1))
    run(app, until=date(2026, 1, 15))
    assert keys(session) == ["2026-01-01"]
    # Cron was down for February, March and April.
    report = run(app, until=date(2026, 4, 20))
    assert report.created == 3 * 3 and report.periods == 3
    assert keys(session) == ["2026-01-01", "2026-02-01", "2026-03-01", "2026-04-01"]
    rows = periods(session)
    assert len(rows) == len(set(rows)) == 12


def test_running_twice_creates_nothing_the_second_time(app, session, make_schedule):
    make_schedule("FREQ=MONTHLY;BYMONTHDAY=1", date(2026, 1, 1))
    first = run(app, until=date(2026, 6, 1))
    events = session.scalar(select(func.count()).select_from(AuditEvent))
    second = run(app, until=date(2026, 6, 1))
    assert first.created == 18 and second.created == 0
    assert len(periods(session)) == 18
    assert session.scalar(select(func.count()).select_from(AuditEvent)) == events
    assert verify_chain(session) == []


def test_pool_assignment_moves_to_assigned_with_audit(
    app, session, org, make_schedule, user_factory
):
    inspector_a = user_factory("ia", ("inspector", org.group), ("unit_lead", org.unit_a1))
    inspector_b = user_factory("ib", ("inspector", org.group), ("representative", org.company_b))
    user_factory("ic", ("inspector", org.group))
    make_schedule(
        "FREQ=MONTHLY;BYMONTHDAY=1", date(2026, 1, 1),
        assignment={"policy": "pool", "pool": ["ia", "ib", "ic", "nobody"], "count": 2},
    )  # fmt: skip
    run(app, until=date(2026, 3, 1))
    session.expire_all()
    inspections = session.scalars(select(Inspection)).all()
    assert len(inspections) == 9
    for inspection in inspections:
        assert inspection.state == "assigned" and inspection.version == 2
        assert len(inspection.assignee_ids) == 2
        if inspection.unit.path.startswith(org.unit_a1.path):
            assert inspector_a.id not in inspection.assignee_ids  # 回避
        if inspection.unit.path.startswith(org.company_b.path):
            assert inspector_b.id not in inspection.assignee_ids
    actions = session.scalars(
        select(AuditEvent.action).where(AuditEvent.entity_type == "inspection")
    )
    assert sorted(set(actions)) == ["inspection.assign", "inspection.create"]
    assert verify_chain(session) == []


def test_unit_lead_policy_and_planned_without_anyone(
    app, session, org, make_schedule, user_factory
):
    lead = user_factory("lead", ("unit_lead", org.unit_a1))
    make_schedule("FREQ=MONTHLY;BYMONTHDAY=1", date(2026, 1, 1))
    run(app, until=date(2026, 1, 1))
    session.expire_all()
    by_unit = {i.unit.code: i for i in session.scalars(select(Inspection))}
    assert by_unit["A1-1"].assignee_ids == {lead.id} and by_unit["A1-1"].state == "assigned"
    assert by_unit["B1-1"].assignee_ids == set() and by_unit["B1-1"].state == "planned"


def test_scope_levels_tags_exclusions_and_inactive_units(app, session, org, make_schedule):
    org.branch_a1.tags = ["机关"]
    org.branch_b1.tags = ["机关", "偏远"]
    session.commit()
    make_schedule("FREQ=MONTHLY;BYMONTHDAY=1", date(2026, 1, 1), tags=["机关"], key="tagged")
    make_schedule(
        "FREQ=MONTHLY;BYMONTHDAY=1", date(2026, 1, 1), key="excluded", levels=["branch", "unit"],
        exclude_codes=["B1"],
    )  # fmt: skip
    set_unit_active(session, None, org.branch_a2, False)
    session.commit()
    run(app, until=date(2026, 1, 1))
    session.expire_all()
    found = {(i.schedule_id, i.unit.code) for i in session.scalars(select(Inspection))}
    tagged, excluded = (
        session.scalar(select(Schedule.id).where(Schedule.key == k)) for k in ("tagged", "excluded")
    )
    assert {c for s, c in found if s == tagged} == {"A1-1", "B1-1"}
    assert {c for s, c in found if s == excluded} == {"A1", "A1-1"}


def test_inactive_schedule_and_missing_definition(app, session, make_schedule):
    make_schedule("FREQ=MONTHLY;BYMONTHDAY=1", date(2026, 1, 1), active=False)
    broken = make_schedule("FREQ=MONTHLY;BYMONTHDAY=1", date(2026, 1, 1), key="s2")
    broken.definition_key = "nope"
    session.commit()
    report = run(app, until=date(2026, 2, 1))
    assert report.created == 0 and "no checklist 'nope'" in report.problems[0]
    broken.definition_key = "member_satisfaction"  # a questionnaire makes no inspections
    session.commit()
    report = run(app, until=date(2026, 2, 1))
    assert report.created == 0 and "no checklist 'member_satisfaction'" in report.problems[0]
    assert session.scalar(select(func.count()).select_from(InspectionAssignment)) == 0
    said = app.test_cli_runner().invoke(cli, ["schedules", "run", "--until", "2026-02-01"])
    assert said.exit_code == 0  # each problem on a line of its own, in the reader's language
    assert "\n  s2：没有检查表 “member_satisfaction”；请运行 `dudao forms sync`\n" in said.output


def test_the_periodic_job_materialises_up_to_today_and_is_registered(app, session, make_schedule):
    from dudao.core.jobs import periodic_jobs
    from dudao.scheduling.jobs import materialise_schedules
    from dudao.scheduling.recurrence import local_today

    today = local_today(TZ)
    start = date(today.year, today.month, 1)
    make_schedule("FREQ=MONTHLY;BYMONTHDAY=1", start)
    assert materialise_schedules() == {"schedules": 1, "created": 3, "assigned": 0}
    assert materialise_schedules()["created"] == 0
    assert keys(session) == [start.isoformat()]
    job = next(j for j in periodic_jobs() if j.func is materialise_schedules)
    assert job.interval == 600 and job.cron is None


def test_assignees_are_notified_by_the_transition_sweep(
    app, session, org, make_schedule, user_factory
):
    from dudao.notifications.models import Notification
    from dudao.notifications.transitions import sweep

    inspector = user_factory("ia", ("inspector", org.group))
    make_schedule(
        "FREQ=MONTHLY;BYMONTHDAY=1", date(2026, 1, 1),
        assignment={"policy": "named", "inspectors": ["ia"]},
    )  # fmt: skip
    run(app, until=date(2026, 2, 1))
    sweep(session)
    session.commit()
    notes = session.scalars(select(Notification).where(Notification.user_id == inspector.id)).all()
    assert len(notes) == 6
    sweep(session)
    assert session.scalar(select(func.count()).select_from(Notification)) == 6
