"""The flag page beyond the state changes: comments, the deadline and the flag's age,
links to what is behind it, and a rectification task opened for one of its units."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select, update

from dudao.audit.models import AuditEvent
from dudao.auth.models import User
from dudao.core.language import translations
from dudao.inspections.submission_models import Rectification
from dudao.inspections.submissions import FieldErrors
from dudao.notifications.jobs import sweep_transition_notifications
from dudao.notifications.models import Notification
from dudao.trends.models import Flag
from dudao.trends.services import analyze
from dudao.triage import rectify
from dudao.triage.models import FlagRectification
from tests.conftest import sign_in
from tests.flag_world import make_flag, triage_world
from tests.notification_world import drain
from tests.trend_world import TODAY, TZ, load, row


@pytest.fixture
def world(app, session, org, user_factory):
    return triage_world(session, org, user_factory)


def test_comment_is_audited_and_shown_without_a_state_change(client, world, session):
    _people, ids = world
    sign_in(client, "office_a")
    url = f"/flags/{ids['a_det']}/comment"
    refused = client.post(url, data={"comment": "  "})
    assert refused.status_code == 422
    assert "Write the comment." in refused.get_data(as_text=True).split("data-comment")[1]
    assert client.post(url, data={"comment": "已电话联系支部书记"}).status_code == 302
    session.expire_all()
    flag = session.get(Flag, ids["a_det"])
    assert (flag.state, flag.version) == ("new", 1)  # no state change, no stale pages
    event = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "trend_flag.comment")
    ).one()
    assert event.after == {"comment": "已电话联系支部书记"}
    page = client.get(f"/flags/{ids['a_det']}").get_data(as_text=True)
    history = page.split("<h2>History</h2>")[1]
    assert "Comment" in history and "已电话联系支部书记" in history


def test_comment_needs_the_office(client, world, session, org, user_factory):
    _people, ids = world
    user_factory("viewer", ("admin", org.company_b))
    sign_in(client, "viewer")
    assert client.post(f"/flags/{ids['a_det']}/comment", data={"comment": "x"}).status_code == 404


def test_deadline_and_age(client, world, session):
    people, ids = world
    sign_in(client, "office_a")
    flag = session.get(Flag, ids["a_det"])
    flag.created_at = datetime.now(UTC) - timedelta(days=10)
    session.commit()
    today = datetime.now(ZoneInfo(TZ)).date()
    late = (today - timedelta(days=2)).isoformat()
    data = {"assignee": str(people["office_a"].id), "expected_version": "2", "due_date": late}
    refused = client.post(f"/flags/{ids['a_det']}/assign", data=data)
    assert refused.status_code == 422 and "The deadline is in the past." in refused.text
    session.expire_all()
    assert session.get(Flag, ids["a_det"]).assignee_id is None
    soon = (today + timedelta(days=1)).isoformat()
    accepted = client.post(f"/flags/{ids['a_det']}/assign", data=dict(data, due_date=soon))
    assert accepted.status_code == 302
    later = update(Flag).where(Flag.id == ids["a_det"]).values(due_date=date.fromisoformat(late))
    session.execute(later)  # two days on, as it were: the deadline set has passed
    session.commit()
    again = dict(data, expected_version="3")  # the form sends the deadline it shows
    assert client.post(f"/flags/{ids['a_det']}/assign", data=again).status_code == 302
    page = client.get(f"/flags/{ids['a_det']}").get_data(as_text=True)
    assert "Open for 10 days" in page.split("data-age")[1]
    deadline = page.split("data-deadline>")[1].split("</dd>")[0]
    assert late in deadline and "2 days overdue" in deadline
    assert f"deadline {soon}" in page  # the history line
    queue = client.get("/flags").get_data(as_text=True)
    assert 'data-age="10"' in queue and "overdue" in queue.split(f'data-flag="{ids["a_det"]}"')[1]
    bad = dict(data, due_date="25/11/2026", expected_version="3")
    assert client.post(f"/flags/{ids['a_det']}/assign", data=bad).status_code == 422
    session.expire_all()
    assert session.get(Flag, ids["a_det"]).due_date == date.fromisoformat(late)


def test_the_assignee_hears_of_the_flag_once_and_the_actor_not(
    app, client, world, session, org, user_factory
):
    people, ids = world
    colleague = user_factory("office_a2", ("office", org.company_a))
    session.commit()
    sign_in(client, "office_a")
    given = {"assignee": str(colleague.id), "expected_version": "1", "due_date": ""}
    assert client.post(f"/flags/{ids['a_det']}/assign", data=given).status_code == 302
    mine = {"assignee": str(people["office_a"].id), "expected_version": "1", "due_date": ""}
    assert client.post(f"/flags/{ids['a_rec']}/assign", data=mine).status_code == 302
    drain(app)
    session.expire_all()
    rows = session.execute(select(Notification.user_id, Notification.kind, Notification.link))
    assert rows.all() == [(colleague.id, "assigned", f"/flags/{ids['a_det']}")]
    assert sweep_transition_notifications() == 0  # the sweep finds it done


@pytest.fixture
def critical(session, org, tmp_path, user_factory):
    """A real critical-failure flag at A1-1 with its inspections and findings."""
    rows = [row(u, i) for u in ("A1-1", "B1-1") for i in range(6)]
    load(session, tmp_path, [*rows, row("A1-1", 6, site_matches="no")])
    analyze(session, TZ, today=TODAY)
    session.commit()
    office = user_factory("office_g", ("office", org.group))
    office.locale = "en"
    user_factory("lead_a1", ("unit_lead", org.unit_a1))  # answers a task for A1-1
    session.commit()
    return session.scalars(select(Flag)).one()


def test_sentence_names_the_checklist_and_item_and_links_the_inspections(client, critical):
    sign_in(client, "office_g")
    page = client.get(f"/flags/{critical.id}").get_data(as_text=True)
    said = "Critical item “What is seen on site matches the reports” of Strive-for-excellence"
    assert said in page.split("data-sentence>")[1].split("</p>")[0]
    assert said in client.get("/flags").get_data(as_text=True)
    figures = page.split("data-evidence")[1].split("</table>")[0]
    assert "A critical item failed" in figures  # the rule's test, in words
    links = page.split("data-links")[1].split("</ul>")[0]
    assert f"/inspections/{critical.evidence['inspection_ids'][0]}" in links


def test_open_a_rectification_task_for_a_unit(client, critical, session, org):
    sign_in(client, "office_g")
    url = f"/flags/{critical.id}/rectify"
    page = client.get(f"/flags/{critical.id}").get_data(as_text=True)
    form = page.split("data-rectify")[1].split("</form>")[0]
    assert f'value="{org.branch_a1.id}"' in form and "A1-1" in form
    client.application.config["WTF_CSRF_ENABLED"] = True  # as served: a token in each form
    secured = client.get(f"/flags/{critical.id}").get_data(as_text=True)
    client.application.config["WTF_CSRF_ENABLED"] = False
    ids_on_page = re.findall(r'\sid="([^"]+)"', secured)
    assert secured.count('name="csrf_token"') >= 3  # the actions', the task's, the comment's
    assert len(ids_on_page) == len(set(ids_on_page)), sorted(ids_on_page)
    deadline = (TODAY + timedelta(days=30)).isoformat()
    past = {"unit": org.branch_a1.id, "deadline": "2020-01-01", "description": "x"}
    assert client.post(url, data=past).status_code == 422
    foreign = {"unit": org.branch_b1.id, "deadline": deadline, "description": "x"}
    assert client.post(url, data=foreign).status_code == 422  # no finding of it there
    empty = {"unit": org.branch_a1.id, "deadline": deadline, "description": " "}
    refused = client.post(url, data=empty)
    assert refused.status_code == 422
    assert (
        "Say what has to be put right." in refused.get_data(as_text=True).split("data-rectify")[1]
    )
    assert session.scalars(select(Rectification)).all() == []
    good = {"unit": org.branch_a1.id, "deadline": deadline, "description": "现场核实整改"}
    assert client.post(url, data=good).status_code == 302
    task = session.scalars(select(Rectification)).one()
    assert (task.unit_id, task.finding.item_key, task.state) == (
        org.branch_a1.id,
        "site_matches",
        "open",
    )
    assert session.scalars(select(FlagRectification)).one().rectification_id == task.id
    page = client.get(f"/flags/{critical.id}").get_data(as_text=True)
    tasks = page.split("data-tasks")[1].split("</table>")[0]
    assert f'/rectifications/{task.id}">#{task.id}' in tasks and deadline in tasks
    assert f"Rectification task #{task.id} opened for A1-1" in page
    assert "Checklist</dt><dd>Strive-for-excellence campaign spot check · What is seen" in page
    again = client.post(url, data=good)  # the finding already has an open task
    assert again.status_code == 422
    left = again.get_data(as_text=True)
    assert "data-rectify" not in left  # no unit left to offer
    assert "No unit behind this flag is left without an open rectification task." in left


def test_findings_by_unit_outside_the_flag_and_without_evidence(session, critical, org):
    assert set(rectify.findings_by_unit(session, critical)) == {org.branch_a1.id}
    assert rectify.findings_by_unit(session, make_flag(session, org.branch_a1)) == {}
    # A unit whose finding went (a task opened in another tab) is a sentence for the field,
    # in the reader's language; it was the bare word "unknown".
    office = session.scalars(select(User).where(User.username == "office_g")).one()
    with pytest.raises(FieldErrors) as refused:
        rectify.open_for_flag(session, office, critical, org.branch_b1.id, TODAY, "整改")
    said = refused.value.fields["unit"]
    assert said.in_language(translations("zh_CN")) == "该单位已没有此问题线索下尚未整改的发现问题。"


def test_the_rectification_part_names_units_in_the_readers_language(client, critical, org, session):
    org.branch_a1.name_en = "First branch of A1"
    session.commit()
    sign_in(client, "office_g")
    page = client.get(f"/flags/{critical.id}").get_data(as_text=True)
    assert ">A1-1 First branch of A1</option>" in page.split("data-rectify")[1]
    deadline = (TODAY + timedelta(days=30)).isoformat()
    good = {"unit": org.branch_a1.id, "deadline": deadline, "description": "现场核实整改"}
    assert client.post(f"/flags/{critical.id}/rectify", data=good).status_code == 302
    page = client.get(f"/flags/{critical.id}").get_data(as_text=True)
    assert "<td>A1-1 First branch of A1</td>" in page.split("data-tasks")[1]
    assert "甲一厂第一党支部" not in page.split("<main")[1]
