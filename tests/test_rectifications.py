"""Findings become rectification tasks: opened, answered with evidence, reopened, verified."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import select

from dudao.audit.models import AuditEvent
from dudao.inspections.submission_models import Finding, Rectification
from tests.conftest import sign_in
from tests.inspection_world import PASSING, jpeg, payload, world  # noqa: F401


def _as(app, username: str):
    client = app.test_client()
    assert sign_in(client, username).status_code == 302
    return client


@pytest.fixture
def finding_id(app, world, session) -> int:  # noqa: F811
    tablet = _as(app, "insp")
    body = payload({**PASSING, "plan": "no"}, notes={"plan": "没有实施方案"})
    response = tablet.post(f"/api/v1/inspections/{world.inspection.id}/submissions", json=body)
    assert response.status_code == 201, response.get_json()
    return response.get_json()["findings"][0]["id"]


def _act(client, task: dict, action: str, **extra):
    body = {"action": action, "expected_version": task["version"], **extra}
    return client.post(f"/api/v1/rectifications/{task['id']}/actions", json=body)


def test_the_loop_from_finding_to_verified(app, world, session, finding_id):  # noqa: F811
    office, lead, inspector = _as(app, "office"), _as(app, "lead"), _as(app, "insp")
    url = f"/api/v1/findings/{finding_id}/rectifications"
    opened = office.post(
        url, json={"owner_unit": "A1-1", "deadline": "2027-01-31", "description": "制定实施方案"}
    )
    assert opened.status_code == 201, opened.get_json()
    task = opened.get_json()
    assert task["state"] == "open" and task["item_key"] == "plan"
    assert task["owner_unit"]["code"] == "A1-1"
    again = office.post(
        url, json={"owner_unit": "A1", "deadline": "2027-01-31", "description": "x"}
    )
    assert again.status_code == 409 and again.get_json()["error"] == "rectification_open"

    assert lead.get(f"/api/v1/rectifications/{task['id']}").get_json()["actions"] == ["start"]
    task = _act(lead, task, "start").get_json()
    assert task["state"] == "in_progress"
    photo = lead.post(
        f"/api/v1/rectifications/{task['id']}/photos",
        data={"file": (io.BytesIO(jpeg()), "fixed.jpg")},
    )
    assert photo.status_code == 201, photo.get_json()
    no_comment = _act(lead, task, "submit")
    assert no_comment.status_code == 422 and "comment" in no_comment.get_json()["fields"]
    submitted = _act(
        lead, task, "submit", comment="已制定方案并公示", photo_ids=[photo.get_json()["id"]]
    )
    task = submitted.get_json()
    assert task["state"] == "submitted" and task["response"] == "已制定方案并公示"
    assert task["evidence_photo_ids"] == [photo.get_json()["id"]]
    assert lead.get(photo.get_json()["url"]).status_code == 200

    task = _act(inspector, task, "reopen", comment="方案未经支委会讨论").get_json()
    assert task["state"] == "in_progress"
    task = _act(lead, task, "submit", comment="已经支委会讨论通过").get_json()
    verified = _act(office, task, "verify")
    assert verified.status_code == 200 and verified.get_json()["state"] == "verified"
    actions = session.scalars(
        select(AuditEvent.action).where(AuditEvent.entity_type == "rectification")
    ).all()
    assert actions[0] == "rectification.open" and actions[-1] == "rectification.verify"
    status = inspector.get(f"/api/v1/inspections/{world.inspection.id}").get_json()
    assert [t["state"] for t in status["rectifications"]] == ["verified"]


def test_roles_scope_versions_and_bad_input(app, world, session, finding_id):  # noqa: F811
    office, lead, outsider = _as(app, "office"), _as(app, "lead"), _as(app, "outsider")
    url = f"/api/v1/findings/{finding_id}/rectifications"
    wrong_owner = office.post(
        url, json={"owner_unit": "B1", "deadline": "2027-01-31", "description": "x"}
    )
    assert wrong_owner.status_code == 422 and "owner_unit" in wrong_owner.get_json()["fields"]
    bad_date = office.post(url, json={"owner_unit": "A1", "deadline": "soon", "description": "x"})
    assert bad_date.status_code == 422
    assert bad_date.get_json()["fields"]["deadline"] == "期限须为日期，格式为 YYYY-MM-DD。"
    assert (
        lead.post(
            url, json={"owner_unit": "A1", "deadline": "2027-01-31", "description": "x"}
        ).status_code
        == 403
    )  # a unit lead does not open tasks
    assert outsider.post(url, json={}).status_code == 404
    task = office.post(
        url, json={"owner_unit": "A1", "deadline": "2027-01-31", "description": "整改"}
    ).get_json()
    assert outsider.get(f"/api/v1/rectifications/{task['id']}").status_code == 404
    refused = _act(office, task, "start")
    assert refused.status_code == 403 and refused.get_json()["error"] == "forbidden"
    started = _act(lead, task, "start").get_json()
    stale = _act(lead, task, "submit", comment="x")  # task["version"] is the old one
    assert stale.status_code == 409 and stale.get_json()["error"] == "changed_meanwhile"
    wrong_state = _act(lead, started, "verify")
    assert wrong_state.status_code == 409 and wrong_state.get_json()["error"] == "wrong_state"
    session.expire_all()
    stored = session.scalar(select(Rectification))
    assert stored.state == "in_progress" and stored.response is None
    assert session.get(Finding, finding_id).unit_id == world.org.branch_a1.id


def test_timers_mark_a_late_task_overdue_and_tell_the_lead(app, world, session, finding_id):  # noqa: F811
    from datetime import date

    from dudao.notifications.models import Notification
    from dudao.workflow import timers

    office = _as(app, "office")
    task = office.post(
        f"/api/v1/findings/{finding_id}/rectifications",
        json={"owner_unit": "A1-1", "deadline": "2027-01-31", "description": "整改"},
    ).get_json()
    result = timers.run(session, date(2027, 2, 1))
    assert result.fired.get("rectification.overdue") == 1 and result.moved == 1
    session.expire_all()
    assert session.get(Rectification, task["id"]).state == "overdue"
    told = session.scalars(select(Notification.user_id)).all()
    assert world.lead.id in told
    started = _act(_as(app, "lead"), {**task, "version": task["version"] + 1}, "start")
    assert started.status_code == 200 and started.get_json()["state"] == "in_progress"
