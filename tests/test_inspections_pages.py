"""Inspection pages through HTTP: own list, office list, one inspection and its actions."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from dudao.audit.models import AuditEvent
from dudao.config import PROJECT_ROOT
from dudao.definitions.queries import current_version
from dudao.definitions.services import sync_forms
from dudao.inspections.models import Inspection, InspectionOrigin
from dudao.inspections.services import create_inspection
from dudao.workflow.engine import apply
from dudao.workflow.guards import GUARDS
from tests.conftest import sign_in


@pytest.fixture(autouse=True)
def _answers_not_checked(monkeypatch):
    """Submitting needs every required item answered; answers are not this file's subject."""
    monkeypatch.setitem(GUARDS, "all_required_answered", lambda _session, _subject: None)


@pytest.fixture
def world(app, session, org, user_factory):
    sync_forms(session, None, PROJECT_ROOT / "forms")
    version = current_version(session, "branch_standardisation")
    p = {
        "office_a": user_factory("office_a", ("office", org.company_a)),
        "office_b": user_factory("office_b", ("office", org.company_b)),
        "insp": user_factory("insp", ("inspector", org.company_a)),
        "insp2": user_factory("insp2", ("inspector", org.company_a)),
        "rep": user_factory("rep", ("representative", org.company_a)),
        "insp_lead": user_factory(
            "insp_lead", ("inspector", org.company_a), ("unit_lead", org.branch_a2)
        ),
    }
    today = datetime.now(app.extensions["dudao"].settings.tz).date()

    def make(unit, days, origin=InspectionOrigin.AD_HOC, assignees=("insp",), state=None):
        inspection = create_inspection(
            session, p["office_a"], unit, version, today + timedelta(days=days), origin,
            assignees=[p[name] for name in assignees], reason="测试",
        )  # fmt: skip
        if state:
            apply(session, p["office_a"], inspection, "assign")
        if state in ("in_progress", "returned"):
            apply(session, p["insp"], inspection, "start")
        if state == "returned":
            apply(session, p["insp"], inspection, "submit")
            apply(session, p["office_a"], inspection, "return", fields={"comment": "补充照片"})
        return inspection

    rows = {
        "upcoming": make(org.branch_a1, 10, state="assigned"),
        "today": make(org.branch_a2, 0, state="in_progress"),
        "overdue": make(org.unit_a1, -2, state="assigned", origin=InspectionOrigin.PERIODIC),
        "returned": make(org.branch_a1, 5, state="returned"),
        "planned": make(org.branch_a2, 1),  # not assigned yet: nothing to do
        "others": make(org.branch_a1, 3, assignees=("insp2",), state="assigned"),
        "in_b": make(org.branch_b1, 3, assignees=(), origin=InspectionOrigin.DRAW),
    }
    session.commit()
    return p, rows


def _as(client, name):
    client.post("/logout")
    assert sign_in(client, name).status_code == 302
    client.post("/lang", data={"lang": "en", "next": "/"})
    return client


def test_my_inspections_grouped_and_sorted(client, world):
    _, rows = world
    page = _as(client, "insp").get("/inspections/mine").get_data(as_text=True)
    sections = {
        name: page.split(f'id="{name}"')[1].split("</section>")[0]
        for name in ("returned", "overdue", "today", "upcoming")
    }
    for name in sections:
        assert f">#{rows[name].id}<" in sections[name], name
    for name in ("planned", "others", "in_b"):
        assert f">#{rows[name].id}<" not in page
    assert _as(client, "office_a").get("/inspections/mine").status_code == 403


def test_office_list_scope_and_filters(client, world):
    _, rows = world
    client = _as(client, "office_a")
    page = client.get("/inspections").get_data(as_text=True)
    assert all(f">#{rows[n].id}<" in page for n in rows if n != "in_b")
    assert f">#{rows['in_b'].id}<" not in page
    returned = client.get("/inspections?state=returned").get_data(as_text=True)
    assert f">#{rows['returned'].id}<" in returned and f">#{rows['today'].id}<" not in returned
    periodic = client.get("/inspections?origin=periodic").get_data(as_text=True)
    assert "1 inspection, page 1 of 1" in periodic and f">#{rows['overdue'].id}<" in periodic
    subtree = client.get("/inspections?unit=A1-2").get_data(as_text=True)
    assert f">#{rows['today'].id}<" in subtree and f">#{rows['upcoming'].id}<" not in subtree
    soon = rows["today"].due_date.isoformat()
    ranged = client.get(f"/inspections?due_from={soon}&due_to={soon}").get_data(as_text=True)
    assert "1 inspection, page 1 of 1" in ranged
    outside = client.get("/inspections?unit=B1-1").get_data(as_text=True)
    assert "No unit with the code B1-1" in outside and f">#{rows['in_b'].id}<" not in outside
    # A value the list does not know is named beside its field and left out, not a list of
    # none under a form that says "any".
    everything = client.get("/inspections").get_data(as_text=True).split("<table")[1]
    for query, name in (("state=zzz", "state"), ("origin=foo", "origin"),
                        ("due_from=2026-13-01", "due_from"), ("overdue=yes", "overdue"),
                        (f"due_from={soon}&due_to=2020-01-01", "due_to")):  # fmt: skip
        page = client.get(f"/inspections?{query}").get_data(as_text=True)
        assert f'data-filter-error="{name}"' in page, query
        assert f'aria-describedby="filter-{name}-error"' in page, query
        assert page.split("<table")[1] == everything, query
        # ... and the count says the list is not the one asked for.
        assert "Not filtered by the values named above." in page.split("<table")[0], query
    assert "data-filters-not-applied" not in client.get("/inspections?state=planned").text
    assert _as(client, "insp").get("/inspections").status_code == 403


def test_office_list_latest_due_first_and_origins_named(client, world):
    _, rows = world
    page = _as(client, "office_a").get("/inspections").get_data(as_text=True)
    order = sorted((i for n, i in rows.items() if n != "in_b"), key=lambda i: (i.due_date, i.id))
    positions = [page.index(f">#{i.id}<") for i in reversed(order)]
    assert positions == sorted(positions)  # the latest due date first
    assert ">Periodic<" in page and ">Imported<" in page  # the origin filter names them all


def test_a_unit_lead_reads_the_list_and_analytics_of_the_led_subtree(
    client, session, org, user_factory, world
):
    _, rows = world
    user_factory("lead_a2", ("unit_lead", org.branch_a2))
    session.commit()
    client = _as(client, "lead_a2")
    home = client.get("/").get_data(as_text=True)
    assert 'href="/inspections"' in home and 'href="/analytics"' in home
    page = client.get("/inspections").get_data(as_text=True)
    led = {n for n, i in rows.items() if i.unit_id == org.branch_a2.id}
    assert led == {"today", "planned"}
    assert all(f">#{rows[n].id}<" in page for n in led)
    assert not any(f">#{rows[n].id}<" in page for n in rows.keys() - led)
    outside = client.get("/inspections?unit=A1-1").get_data(as_text=True)
    assert "No unit with the code A1-1" in outside
    scores = client.get("/analytics/scores")
    assert scores.status_code == 200 and "A1-2" in scores.get_data(as_text=True)
    heatmap = client.get("/analytics/heatmap?unit=A1").get_data(as_text=True)
    assert "No unit with the code A1 in the part you supervise" in heatmap
    assert client.get(f"/inspections/{rows['today'].id}").status_code == 200
    assert client.get(f"/inspections/{rows['upcoming'].id}").status_code == 404


def test_inspection_page_scope_history_and_actions(client, world):
    _, rows = world
    client = _as(client, "office_a")
    page = client.get(f"/inspections/{rows['returned'].id}").get_data(as_text=True)
    assert "A1-1" in page and "Returned" in page and "补充照片" in page  # history with comment
    assert "Return: Submitted → Returned" in page and "Inspection created" in page
    assert 'name="action" value="cancel"' in page and 'name="reason"' in page
    assert client.get(f"/inspections/{rows['in_b'].id}").status_code == 404
    assert _as(client, "office_b").get(f"/inspections/{rows['in_b'].id}").status_code == 200
    assert _as(client, "rep").get(f"/inspections/{rows['upcoming'].id}").status_code == 403
    insp_page = _as(client, "insp").get(f"/inspections/{rows['upcoming'].id}")
    assert insp_page.status_code == 200
    body = insp_page.get_data(as_text=True)
    assert 'name="action" value="start"' in body and "Save assignees" not in body
    # The assignee's way from "My inspections" (and notifications) to the checklist itself.
    assert f'id="fill-checklist" href="/inspect/{rows["upcoming"].id}"' in body
    assert 'id="fill-checklist"' not in page  # the office reviews; it does not fill


def _act(client, inspection, action, version=None, **fields):
    data = {"action": action, "expected_version": version or inspection.version, **fields}
    return client.post(f"/inspections/{inspection.id}/act", data=data)


def test_actions_through_http_and_a_stale_page(client, session, world):
    p, rows = world
    inspection = rows["planned"]
    client = _as(client, "office_a")
    shown = inspection.version
    # The office chooses the inspector: the planned inspection is assigned to them.
    response = client.post(
        f"/inspections/{inspection.id}/assignees", data={"users": [p["insp2"].id]}
    )
    assert response.status_code == 302
    session.expire_all()
    inspection = session.get(Inspection, inspection.id)
    assert (inspection.state, inspection.assignee_ids) == ("assigned", {p["insp2"].id})
    # A second tab still shows the old version: refused, nothing changes.
    stale = _act(client, inspection, "cancel", shown, reason="重复")
    assert stale.status_code == 409
    assert "changed by someone else meanwhile" in stale.get_data(as_text=True)
    # The reason typed is kept, in a form that sends the version now shown.
    cancel = stale.get_data(as_text=True).split('name="action" value="cancel"')[1]
    assert ">重复</textarea>" in cancel.split("</form>")[0]
    assert f'name="expected_version" value="{shown}"' not in cancel.split("</form>")[0]
    session.expire_all()
    assert session.get(Inspection, inspection.id).state == "assigned"
    # A required comment missing: the field says so, nothing changes.
    events = session.scalar(select(AuditEvent.seq).order_by(AuditEvent.seq.desc()))
    missing = _act(client, inspection, "cancel")
    assert missing.status_code == 422 and "Required for this action." in missing.get_data(True)
    # Not an assignee: may not start it.
    assert _act(_as(client, "insp"), inspection, "start").status_code == 403
    # The assignee starts and submits through the page.
    client = _as(client, "insp2")
    assert _act(client, inspection, "start").status_code == 302
    session.expire_all()
    inspection = session.get(Inspection, inspection.id)
    assert _act(client, inspection, "submit").status_code == 302
    session.expire_all()
    assert session.get(Inspection, inspection.id).state == "submitted"
    assert session.scalar(select(AuditEvent.seq).order_by(AuditEvent.seq.desc())) == events + 2


def test_a_refused_action_says_why_in_the_readers_language(client, session, world, org):
    p, _rows = world
    version = current_version(session, "branch_standardisation")
    nobody = create_inspection(
        session, p["office_a"], org.branch_a1, version, datetime.now().date(),
        InspectionOrigin.AD_HOC, reason="测试",
    )  # fmt: skip
    session.commit()
    client = _as(client, "office_a")
    refused = _act(client, nobody, "assign")
    assert refused.status_code == 422
    said = "Not done: “Assign” is not possible yet: nobody is assigned yet"
    assert said in refused.get_data(as_text=True)
    client.post("/lang", data={"lang": "zh_CN", "next": "/"})
    refused = _act(client, nobody, "assign")
    assert "未完成：暂时不能“分派”：尚未指派检查人员" in refused.get_data(as_text=True)
    session.expire_all()
    assert session.get(Inspection, nobody.id).state == "planned"


def test_assignees_only_from_inspectors_of_the_unit(client, session, world):
    p, rows = world
    client = _as(client, "office_a")
    inspection = rows["planned"]
    url = f"/inspections/{inspection.id}/assignees"
    page = client.get(f"/inspections/{inspection.id}").get_data(as_text=True)
    # One checkbox per line with its name beside it (not a bulleted list, name under the box).
    assert re.search(r'<label class="check"><input checked id="users-\d+" name="users"', page)
    for outside in (p["rep"], p["insp_lead"]):  # not an inspector; the unit's own lead (回避)
        assert f'value="{outside.id}"' not in page
        refused = client.post(url, data={"users": [outside.id]})
        assert refused.status_code == 422
    session.expire_all()
    assert session.get(Inspection, inspection.id).assignee_ids == {p["insp"].id}
    out = _as(client, "office_b").post(
        f"/inspections/{inspection.id}/assignees", data={"users": [p["insp"].id]}
    )
    assert out.status_code == 404


def test_overdue_marks_only_work_still_to_do(client, session, world):
    people, rows = world
    late = rows["overdue"]
    client = _as(client, "office_a")

    def marked() -> tuple[bool, bool]:
        listing = client.get("/inspections").get_data(as_text=True)
        row = listing.split(f">#{late.id}<")[0].rsplit("<tr", 1)[1]
        page = client.get(f"/inspections/{late.id}").get_data(as_text=True)
        return 'class="overdue"' in row, 'class="tag danger">Overdue<' in page

    assert marked() == (True, True)
    inspection = session.get(Inspection, late.id)
    apply(session, people["insp"], inspection, "submit", via=["start"])
    session.commit()
    assert marked() == (False, False)  # submitted: late work done, nothing outstanding


def test_a_planned_inspection_given_its_inspectors_is_assigned(client, session, world):
    """Saving the first inspectors of a planned inspection assigns it (it reaches their list
    and they are told), as creating it with them does: not a first of two steps."""
    from dudao.inspections.services import set_assignees

    p, rows = world
    planned = session.get(Inspection, rows["planned"].id)
    set_assignees(session, None, planned, [])
    session.commit()
    client = _as(client, "office_a")
    saved = client.post(f"/inspections/{planned.id}/assignees", data={"users": [p["insp"].id]})
    assert saved.status_code == 302
    session.expire_all()
    assert session.get(Inspection, planned.id).state == "assigned"
    assert "Assigned: the inspectors are told." in client.get(saved.headers["Location"]).text
    mine = _as(client, "insp").get("/api/v1/assignments").get_json()["assignments"]
    assert planned.id in {a["id"] for a in mine}


def test_assignees_change_only_while_there_is_work_for_them(client, session, world):
    p, rows = world
    client = _as(client, "office_a")
    # Nobody for an inspection under way is refused beside the form (it was a server error).
    upcoming = rows["upcoming"]
    nobody = client.post(f"/inspections/{upcoming.id}/assignees", data={"users": []})
    assert nobody.status_code == 422 and "at least one inspector" in nobody.get_data(as_text=True)
    session.expire_all()
    assert session.get(Inspection, upcoming.id).assignee_ids == {p["insp"].id}
    for name in ("planned", "upcoming", "today", "returned"):
        page = client.get(f"/inspections/{rows[name].id}").get_data(as_text=True)
        assert "/assignees" in page, name
    inspection = rows["today"]
    form = f'action="/inspections/{inspection.id}/assignees"'
    for actor, action in (("insp", "submit"), ("office_a", "approve"), ("office_a", "close")):
        apply(session, p[actor], inspection, action)
        session.commit()
        assert form not in client.get(f"/inspections/{inspection.id}").get_data(as_text=True)
        # A page left open from before: refused, and the assignees stay.
        stale = client.post(f"/inspections/{inspection.id}/assignees", data={"users": []})
        assert stale.status_code == 409, inspection.state
        assert "can no longer be changed" in stale.get_data(as_text=True)
        session.expire_all()
        assert session.get(Inspection, inspection.id).assignee_ids == {p["insp"].id}


def test_the_office_sees_a_draft_saved_from_a_tablet(client, session, world):
    """The workflow moves only on submit: an inspection with an hour of answers on the
    server read "assigned", and the office could reassign or cancel it unaware."""
    from dudao.definitions.queries import pinned
    from dudao.inspections.drafts import save_draft

    people, rows = world
    inspection = rows["upcoming"]
    page = _as(client, "office_a").get(f"/inspections/{inspection.id}").get_data(as_text=True)
    assert "data-draft" not in page
    first, second = pinned(session, inspection.definition_version_id).items[:2]
    save_draft(session, people["insp"], inspection, {"answers": {first.key: 1, second.key: 1}})
    session.commit()
    page = client.get(f"/inspections/{inspection.id}").get_data(as_text=True)
    draft = re.search(r"<dd data-draft>([^<]*)</dd>", page)
    assert draft and "2 answers saved from a tablet" in draft.group(1)
    assert people["insp"].display_name in draft.group(1)
