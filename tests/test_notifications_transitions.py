"""Transition notifications: enqueued after commit, run by a real RQ worker, never twice."""

from __future__ import annotations

import dataclasses
import socket
import threading
from datetime import date

import pytest
from sqlalchemy import select

from dudao.config import PROJECT_ROOT
from dudao.definitions.queries import current_version
from dudao.definitions.services import sync_forms
from dudao.inspections.models import InspectionOrigin
from dudao.inspections.services import create_inspection, set_assignees
from dudao.notifications.jobs import notify_transition, sweep_transition_notifications
from dudao.notifications.models import Notification
from dudao.workflow.engine import apply
from dudao.workflow.guards import GUARDS
from tests.notification_world import drain


@pytest.fixture(autouse=True)
def _answers_not_checked(monkeypatch):
    """Submitting needs every required item answered; answers are not this file's subject."""
    monkeypatch.setitem(GUARDS, "all_required_answered", lambda _session, _subject: None)


@pytest.fixture
def world(session, org, user_factory):
    sync_forms(session, None, PROJECT_ROOT / "forms")
    version = current_version(session, "branch_standardisation")
    people = {
        "office_g": user_factory("office_g", ("office", org.group)),
        "office_a": user_factory("office_a", ("office", org.company_a)),
        "office_b": user_factory("office_b", ("office", org.company_b)),
        "insp": user_factory("insp", ("inspector", org.company_a)),
        "insp2": user_factory("insp2", ("inspector", org.company_a)),
    }
    inspection = create_inspection(
        session, people["office_g"], org.branch_a1, version, date(2026, 12, 31),
        InspectionOrigin.AD_HOC, assignees=[people["insp"], people["insp2"]],
    )  # fmt: skip
    session.commit()
    return inspection, people


def _inbox(session) -> list[tuple[str, str, str]]:
    session.expire_all()
    rows = session.execute(
        select(Notification.user_id, Notification.kind, Notification.body, Notification.key)
    ).all()
    from dudao.auth.models import User

    names = {u.id: u.username for u in session.scalars(select(User))}
    return sorted((names[r.user_id], r.kind, r.body) for r in rows)


def test_each_transition_notifies_the_right_people_once(app, session, world):
    inspection, p = world
    apply(session, p["office_g"], inspection, "assign")
    session.commit()
    jobs = drain(app)
    assert [j.func_name for j in jobs] == ["dudao.notifications.jobs.notify_transition"]
    assert _inbox(session) == [("insp", "assigned", ""), ("insp2", "assigned", "")]
    notification = session.scalars(select(Notification)).first()
    assert notification.link == f"/inspections/{inspection.id}"
    assert "A1-1" in notification.title

    # The same job again, and the sweep on top: nothing new.
    assert notify_transition(jobs[0].args[0]) == 0
    assert sweep_transition_notifications() == 0

    apply(session, p["insp"], inspection, "start")  # start notifies nobody
    apply(session, p["insp"], inspection, "submit")
    session.commit()
    drain(app)
    # Submitted: the nearest office above the unit (company A's), not the group's or B's.
    assert ("office_a", "submitted", "") in _inbox(session)
    assert not any(name in ("office_g", "office_b") for name, *_ in _inbox(session))

    apply(session, p["office_a"], inspection, "return", fields={"comment": "照片不清楚"})
    session.commit()
    drain(app)
    returned = [row for row in _inbox(session) if row[1] == "returned"]
    assert returned == [("insp", "returned", "照片不清楚"), ("insp2", "returned", "照片不清楚")]
    assert sweep_transition_notifications() == 0
    assert len(_inbox(session)) == 5


def test_the_actor_is_not_notified_of_their_own_action(app, session, world):
    inspection, p = world
    set_assignees(session, p["office_g"], inspection, [p["insp"], p["office_a"]])
    apply(session, p["office_a"], inspection, "assign")
    session.commit()
    drain(app)
    assert _inbox(session) == [("insp", "assigned", "")]


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_redis_down_at_commit_the_sweep_delivers(app, session, world, caplog):
    inspection, p = world
    dead = dataclasses.replace(
        session.info["settings"], redis_url=f"redis://127.0.0.1:{_closed_port()}/0"
    )
    session.info["settings"] = dead
    apply(session, p["office_g"], inspection, "cancel", fields={"reason": "单位撤并"})
    session.commit()  # the enqueue fails after commit; the write stands
    assert "Could not enqueue notify_transition" in caplog.text
    assert _inbox(session) == []
    assert sweep_transition_notifications() == 2
    assert _inbox(session) == [
        ("insp", "cancelled", "单位撤并"),
        ("insp2", "cancelled", "单位撤并"),
    ]
    assert sweep_transition_notifications() == 0


def _together(func, *args) -> list:
    """Run `func(*args)` in two threads released at the same moment (two workers)."""
    barrier = threading.Barrier(2)
    results, errors = [], []

    def run() -> None:
        try:
            barrier.wait()
            results.append(func(*args))
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors, errors
    return results


def test_the_same_job_on_two_workers_at_once_notifies_once(app, session, world):
    inspection, p = world
    applied = apply(session, p["office_g"], inspection, "assign")
    session.commit()

    def job(event_id: int) -> int:
        with app.app_context():
            return notify_transition(event_id)

    assert sorted(_together(job, applied.audit_event_id)) in ([0, 2], [1, 1])
    assert _inbox(session) == [("insp", "assigned", ""), ("insp2", "assigned", "")]


def test_a_reopened_flag_tells_its_assignee_not_the_units_leads(session, org, user_factory):
    """A flag is the office's: the comment of its reopening goes to the office user it is
    assigned to, never to the leads of the flagged unit (who cannot open flags)."""
    from dudao.audit.models import AuditEvent
    from dudao.notifications.transitions import derive
    from dudao.triage.services import set_assignee
    from tests.flag_world import make_flag

    office = user_factory("office_a", ("office", org.company_a))
    handler = user_factory("handler", ("office", org.company_a))
    user_factory("lead", ("unit_lead", org.branch_a1))
    flag = make_flag(session, org.branch_a1)
    set_assignee(session, office, flag, handler, flag.version, None)
    for action in ("acknowledge", "resolve", "reopen"):
        apply(session, office, flag, action, fields={"comment": "另有隐情，需再核实"})
    session.commit()
    events = session.scalars(select(AuditEvent).where(AuditEvent.entity_type == "trend_flag"))
    told = [(m.user_id, m.kind) for m in derive(session, events.all())]
    assert (handler.id, "returned") in told
    assert {user_id for user_id, _kind in told} == {handler.id}
