"""Rectification transitions notify through the same registry: the owner unit's leads
(rectifications have no assignees) and the office when one is submitted for verification."""

from __future__ import annotations

from sqlalchemy import select

from dudao.auth.models import User
from dudao.notifications.jobs import sweep_transition_notifications
from dudao.notifications.models import Notification
from tests.inspection_world import PASSING, payload, world  # noqa: F401
from tests.rectification_world import act, as_user, finding_id  # noqa: F401


def _told(session) -> list[tuple[str, str]]:
    session.expire_all()
    names = {u.id: u.username for u in session.scalars(select(User))}
    rows = session.execute(
        select(Notification.user_id, Notification.kind).where(Notification.key.like("transition:%"))
    )
    return sorted((names[user_id], kind) for user_id, kind in rows)


def test_reopen_tells_the_leads_and_submit_tells_the_office(app, world, session, finding_id):  # noqa: F811
    office, lead = as_user(app, "office"), as_user(app, "lead")
    task = office.post(
        f"/api/v1/findings/{finding_id}/rectifications",
        json={"owner_unit": "A1-1", "deadline": "2027-01-31", "description": "制定实施方案"},
    ).get_json()
    task = act(lead, task, "start").get_json()
    task = act(lead, task, "submit", comment="已制定方案").get_json()
    task = act(office, task, "reopen", comment="方案未公示").get_json()
    assert task["state"] == "in_progress"
    sweep_transition_notifications()  # whether or not the jobs ran: the same result
    told = _told(session)
    assert ("lead", "assigned") in told
    assigned = session.scalar(
        select(Notification).where(
            Notification.kind == "assigned", Notification.subject_type == "rectification"
        )
    )
    assert (assigned.body, assigned.due_on.isoformat()) == ("制定实施方案", "2027-01-31")
    assert ("office", "submitted") in told
    assert ("lead", "returned") in told
    assert ("lead", "submitted") not in told  # the actor is not told of their own action
