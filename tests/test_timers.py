"""Workflow timers: reminders before the due date and escalation after it, once each,
on the organisation's (Asia/Shanghai) dates."""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest
from rq import Queue, SimpleWorker
from sqlalchemy import select

from dudao.audit.models import AuditEvent
from dudao.auth.models import User
from dudao.config import PROJECT_ROOT
from dudao.core.queue import connect, enqueue
from dudao.definitions.queries import current_version
from dudao.definitions.services import sync_forms
from dudao.inspections.models import Inspection, InspectionOrigin
from dudao.inspections.services import create_inspection
from dudao.notifications.models import Notification
from dudao.workflow import timers
from dudao.workflow.engine import apply
from dudao.workflow.jobs import run_timers
from dudao.workflow.registry import all_workflows

DUE = date(2026, 6, 4)


@pytest.fixture
def world(session, org, user_factory):
    sync_forms(session, None, PROJECT_ROOT / "forms")
    version = current_version(session, "branch_standardisation")
    people = {
        "office_g": user_factory("office_g", ("office", org.group)),
        "office_a": user_factory("office_a", ("office", org.company_a)),
        "lead": user_factory("lead", ("unit_lead", org.unit_a1)),
        "insp": user_factory("insp", ("inspector", org.company_a)),
    }
    inspection = create_inspection(
        session, people["office_g"], org.branch_a1, version, DUE, InspectionOrigin.AD_HOC,
        assignees=[people["insp"]],
    )  # fmt: skip
    apply(session, people["office_g"], inspection, "assign")
    session.commit()
    return inspection, people


def _inbox(session) -> list[tuple[str, str, str]]:
    session.expire_all()
    names = {u.id: u.username for u in session.scalars(select(User))}
    rows = session.execute(
        select(Notification.user_id, Notification.kind, Notification.key).where(
            Notification.key.like("timer:%")
        )
    )
    return sorted((names[r.user_id], r.kind, r.key) for r in rows)


def test_reminder_from_three_days_before_on_shanghai_dates(app, session, world):
    inspection, _ = world
    # 2026-05-31 23:59 in Shanghai: four days before the due date, too early.
    assert run_timers("2026-05-31T15:59:00+00:00")["notified"] == 0
    # One minute later it is 1 June in Shanghai (still 31 May in UTC): remind.
    result = run_timers("2026-05-31T16:00:00+00:00")
    assert result["today"] == "2026-06-01" and result["notified"] == 1
    key = f"timer:inspection:due_soon:{inspection.id}:2026-06-04"
    assert _inbox(session) == [("insp", "due_soon", key)]
    # Later runs, up to the due date, remind nobody again.
    assert run_timers("2026-06-02T01:00:00+00:00")["notified"] == 0
    assert run_timers("2026-06-04T15:00:00+00:00")["notified"] == 0
    assert len(_inbox(session)) == 1


def test_escalation_the_day_after_the_due_date_once(app, session, world):
    inspection, _ = world
    # 4 June 23:59 in Shanghai: due today, not overdue.
    assert "inspection.overdue" not in run_timers("2026-06-04T15:59:00+00:00")["fired"]
    result = run_timers("2026-06-04T16:00:00+00:00")  # 5 June in Shanghai
    assert result["fired"]["inspection.overdue"] == 1
    key = f"timer:inspection:overdue:{inspection.id}:2026-06-04"
    # The assignee hears "overdue"; the nearest office (company A's) "escalated".
    overdue = [row for row in _inbox(session) if "overdue" in row[2]]
    assert overdue == [("insp", "overdue", key), ("office_a", "escalated", key)]
    assert run_timers("2026-06-06T03:00:00+00:00")["notified"] == 0
    assert len(_inbox(session)) == 3  # with the reminder sent on 4 June
    assert session.get(Inspection, inspection.id).state == "assigned"  # no target: no move


def test_no_timer_for_finished_inspections(app, session, world):
    inspection, people = world
    apply(session, people["office_g"], inspection, "cancel", fields={"reason": "合并检查"})
    session.commit()
    assert run_timers("2026-06-10T03:00:00+00:00")["notified"] == 0
    assert _inbox(session) == []


def test_escalation_with_a_target_moves_the_subject_once(app, session, world, monkeypatch):
    inspection, _ = world
    shipped = all_workflows()["inspection"]
    overdue = dataclasses.replace(
        shipped.timers[1], target="cancelled", notify=("assignees", "unit_lead")
    )
    changed = dataclasses.replace(shipped, timers=(overdue,), _states={})
    monkeypatch.setattr(timers, "all_workflows", lambda: {"inspection": changed})
    result = run_timers("2026-06-05T03:00:00+00:00")
    assert (result["notified"], result["moved"]) == (2, 1)
    session.expire_all()
    assert session.get(Inspection, inspection.id).state == "cancelled"
    event = session.scalars(select(AuditEvent).order_by(AuditEvent.seq.desc())).first()
    assert (event.action, event.actor_name, event.actor_id) == (
        "inspection.overdue",
        "system",
        None,
    )
    assert event.before == {"state": "assigned"}
    assert event.after == {"state": "cancelled", "timer": "overdue"}
    assert {kind for _, kind, _ in _inbox(session)} == {"overdue", "escalated"}
    again = run_timers("2026-06-06T03:00:00+00:00")
    assert (again["notified"], again["moved"]) == (0, 0)


def test_the_worker_runs_the_timer_job_from_redis(app, session, world):
    settings = app.extensions["dudao"].settings
    job = enqueue(settings, run_timers, "2026-06-01T02:00:00+00:00")
    connection = connect(settings)
    worker = SimpleWorker([Queue("default", connection=connection)], connection=connection)
    assert worker.work(burst=True, with_scheduler=False)
    job.refresh()
    assert job.return_value()["notified"] == 1, job.latest_result().exc_string
    assert [kind for _, kind, _ in _inbox(session)] == ["due_soon"]
