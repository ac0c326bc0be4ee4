"""Findings become rectification tasks: opened, answered with evidence, reopened, verified."""

from __future__ import annotations

import io
import threading

from sqlalchemy import func, select

from dudao.audit.models import AuditEvent
from dudao.inspections import rectifications as rect_service
from dudao.inspections.submission_models import Finding, Rectification
from tests.inspection_world import jpeg, world  # noqa: F401
from tests.rectification_world import (  # noqa: F401
    act,
    as_user,
    expected_version,
    finding_id,
    review,
)


def test_the_loop_from_finding_to_verified(app, world, session, finding_id):  # noqa: F811
    office, lead, inspector = as_user(app, "office"), as_user(app, "lead"), as_user(app, "insp")
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
    task = act(lead, task, "start").get_json()
    assert task["state"] == "in_progress"
    photo = lead.post(
        f"/api/v1/rectifications/{task['id']}/photos",
        data={"file": (io.BytesIO(jpeg()), "fixed.jpg")},
    )
    assert photo.status_code == 201, photo.get_json()
    no_comment = act(lead, task, "submit")
    assert no_comment.status_code == 422 and "comment" in no_comment.get_json()["fields"]
    not_a_list = act(lead, task, "submit", comment="x", photo_ids=photo.get_json()["id"])
    assert not_a_list.status_code == 422
    assert not_a_list.get_json()["fields"] == {"photo_ids": "photo_ids 必须是照片标识的列表。"}
    submitted = act(
        lead, task, "submit", comment="已制定方案并公示", photo_ids=[photo.get_json()["id"]]
    )
    task = submitted.get_json()
    assert task["state"] == "submitted" and task["response"] == "已制定方案并公示"
    assert task["evidence_photo_ids"] == [photo.get_json()["id"]]
    assert lead.get(photo.get_json()["url"]).status_code == 200

    task = act(inspector, task, "reopen", comment="方案未经支委会讨论").get_json()
    assert task["state"] == "in_progress"
    task = act(lead, task, "submit", comment="已经支委会讨论通过").get_json()
    verified = act(office, task, "verify")
    assert verified.status_code == 200 and verified.get_json()["state"] == "verified"
    late = lead.post(
        f"/api/v1/rectifications/{task['id']}/photos",
        data={"file": (io.BytesIO(jpeg(640, 480)), "after.jpg")},
    )
    assert late.status_code == 409 and late.get_json()["error"] == "wrong_state"
    actions = session.scalars(
        select(AuditEvent.action).where(AuditEvent.entity_type == "rectification")
    ).all()
    assert actions[0] == "rectification.open" and actions[-1] == "rectification.verify"
    status = inspector.get(f"/api/v1/inspections/{world.inspection.id}").get_json()
    assert [t["state"] for t in status["rectifications"]] == ["verified"]


def test_roles_scope_versions_and_bad_input(app, world, session, finding_id):  # noqa: F811
    office, lead, outsider = as_user(app, "office"), as_user(app, "lead"), as_user(app, "outsider")
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
    refused = act(office, task, "start")
    assert refused.status_code == 403 and refused.get_json()["error"] == "forbidden"
    started = act(lead, task, "start").get_json()
    stale = act(lead, task, "submit", comment="x")  # task["version"] is the old one
    assert stale.status_code == 409 and stale.get_json()["error"] == "changed_meanwhile"
    wrong_state = act(lead, started, "verify")
    assert wrong_state.status_code == 409 and wrong_state.get_json()["error"] == "wrong_state"
    session.expire_all()
    stored = session.scalar(select(Rectification))
    assert stored.state == "in_progress" and stored.response is None
    assert session.get(Finding, finding_id).unit_id == world.org.branch_a1.id


def test_timers_mark_a_late_task_overdue_and_tell_the_lead(app, world, session, finding_id):  # noqa: F811
    from datetime import date

    from dudao.notifications.models import Notification
    from dudao.workflow import timers

    office = as_user(app, "office")
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
    started = act(as_user(app, "lead"), {**task, "version": task["version"] + 1}, "start")
    assert started.status_code == 200 and started.get_json()["state"] == "in_progress"


def test_who_opens_a_task(app, world, session, finding_id):  # noqa: F811
    """Another inspector on the company must not make themselves the verifier of a finding
    that is not theirs; the inspection's own inspector waits for the office's approval."""
    url = f"/api/v1/findings/{finding_id}/rectifications"
    body = {"owner_unit": "A1-1", "deadline": "2027-01-31", "description": "整改",
            "verify_myself": True}  # fmt: skip
    other, inspector, office = as_user(app, "other"), as_user(app, "insp"), as_user(app, "office")
    page = f"/inspections/{world.inspection.id}"
    web = f"{page}/findings/{finding_id}/rectification"
    assert inspector.post(url, json=body).status_code == 403  # not yet approved
    approve = review(
        office,
        world,
        decision="approve",
        expected_version=expected_version(office.get(page).get_data(as_text=True)),
    )
    assert approve.status_code == 302  # fmt: skip
    refused = other.post(url, json=body)
    assert refused.status_code == 403 and refused.get_json()["error"] == "forbidden"
    form = {"owner_unit": str(world.org.branch_a1.id), "deadline": "2027-01-31",
            "description": "整改"}  # fmt: skip
    assert other.post(web, data=form).status_code == 403
    assert web not in other.get(page).get_data(as_text=True)
    assert session.scalar(select(func.count()).select_from(Rectification)) == 0
    assert web in inspector.get(page).get_data(as_text=True)
    opened = inspector.post(url, json=body)
    assert opened.status_code == 201 and opened.get_json()["verifier_id"] == world.inspector.id


def test_two_tasks_at_once_make_one(app, world, session, finding_id, monkeypatch):  # noqa: F811
    """Both requests pass the permission check before either looks for an open task."""
    barrier = threading.Barrier(2, timeout=20)
    original = rect_service.may_open
    seen: set[int] = set()

    def check_then_wait(*args):
        allowed = original(*args)
        if threading.get_ident() not in seen:
            seen.add(threading.get_ident())
            barrier.wait()
        return allowed

    monkeypatch.setattr(rect_service, "may_open", check_then_wait)
    statuses: list[int] = []

    def run() -> None:
        response = as_user(app, "office").post(
            f"/api/v1/findings/{finding_id}/rectifications",
            json={"owner_unit": "A1-1", "deadline": "2027-01-31", "description": "整改"},
        )
        statuses.append(response.status_code)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sorted(statuses) == [201, 409]
    assert session.scalar(select(func.count()).select_from(Rectification)) == 1
