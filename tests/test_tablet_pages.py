"""The tablet pages over HTTP: who may open a checklist, what the page carries for the
offline client, and the service worker script served from the site root."""

from __future__ import annotations

import re
from datetime import date, timedelta

from dudao.inspections.models import Inspection
from dudao.workflow.engine import apply
from tests.conftest import sign_in
from tests.inspection_world import World, build_world
from tests.tablet_world import json_block


def _world(session, org, user_factory) -> World:
    return build_world(session, org, user_factory)


def test_only_assignees_open_the_checklist(app, session, org, user_factory):
    world = _world(session, org, user_factory)
    url = f"/inspect/{world.inspection.id}"
    for username, status in (("insp", 200), ("other", 404), ("outsider", 404), ("office", 403)):
        client = app.test_client()
        sign_in(client, username)
        assert client.get(url).status_code == status, username
    anonymous = app.test_client().get(url)
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
    client = app.test_client()
    sign_in(client, "insp")
    assert client.get("/inspect/999999").status_code == 404


def test_checklist_carries_the_pinned_definition_and_the_draft(app, session, org, user_factory):
    world = _world(session, org, user_factory)
    client = app.test_client()
    sign_in(client, "insp")
    draft = {"answers": {"plan": "no", "interviews": 3}, "notes": {"plan": "无方案"}}
    base = f"/api/v1/inspections/{world.inspection.id}"
    token = client.get("/api/v1/me").get_json()["csrf_token"]
    saved = client.put(f"{base}/draft", json=draft, headers={"X-CSRFToken": token})
    assert saved.status_code == 200
    html = client.get(f"/inspect/{world.inspection.id}").get_data(as_text=True)
    server = json_block(html, "t-server")
    assert server["id"] == world.inspection.id and server["editable"] is True
    assert server["definition_version_id"] == world.inspection.definition_version_id
    assert server["draft"]["answers"] == draft["answers"] and server["draft"]["revision"] == 1
    scoring = json_block(html, "t-scoring")
    plan = next(i for i in scoring["items"] if i["key"] == "plan")
    assert plan["scored"] and plan["rule"] == {"options": ["yes"], "min": None, "max": None}
    assert (
        plan["evidence"] == "note" and scoring["grades"][0]["min"] >= scoring["grades"][-1]["min"]
    )
    strings = json_block(html, "t-strings")
    assert strings["state_refused"] == "服务器拒收"  # translated, from the template
    assert 'value="no" checked' in html  # the server draft is in the form before any script
    assert 'src="/static/tablet/client.js"' in html and "<script>" not in html


def test_cancelled_checklist_still_opens_for_its_assignee(app, session, org, user_factory):
    world = _world(session, org, user_factory)
    inspection = session.get(Inspection, world.inspection.id)
    apply(session, world.office, inspection, "cancel", fields={"reason": "撤并"})
    session.commit()
    client = app.test_client()
    sign_in(client, "insp")
    response = client.get(f"/inspect/{world.inspection.id}")
    server = json_block(response.get_data(as_text=True), "t-server")
    assert server["state"] == "cancelled" and server["editable"] is False


def _group_of(html: str, inspection_id: int) -> str:
    """The id of the list section that carries the inspection's card."""
    before = html.split(f'data-sync-for="{inspection_id}"')[0]
    return re.findall(r'<section class="t-group" id="t-(\w+)"', before)[-1]


def test_home_and_device_pages(app, session, org, user_factory):
    world = _world(session, org, user_factory)
    client = app.test_client()
    sign_in(client, "insp")
    home = client.get("/inspect").get_data(as_text=True)
    assert f'data-sync-for="{world.inspection.id}"' in home
    assert f'data-sync-for="{world.inspection_b.id}"' not in home
    # grouped as "My inspections" is: the world's inspection is due in the future
    assert _group_of(home, world.inspection.id) == "upcoming"
    inspection = session.get(Inspection, world.inspection.id)
    inspection.due_date = date.today() - timedelta(days=3)
    session.commit()
    home = client.get("/inspect").get_data(as_text=True)
    assert _group_of(home, world.inspection.id) == "overdue" and 'id="t-upcoming"' not in home
    for state, group in (("returned", "returned"), ("submitted", "waiting")):
        inspection.state = state  # returned first whatever its date; submitted last
        session.commit()
        home = client.get("/inspect").get_data(as_text=True)
        assert _group_of(home, world.inspection.id) == group
    assert client.get("/inspect/device").status_code == 200
    sign_in(office := app.test_client(), "office")
    assert office.get("/inspect").status_code == 403


def test_service_worker_is_served_from_the_root(client):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response.headers["Service-Worker-Allowed"] == "/"
    assert response.mimetype == "text/javascript"
    assert "no-cache" in response.headers["Cache-Control"]
    assert b'addEventListener("fetch"' in response.data
    # Its last-resort page in both languages, from the catalogue; unchanged, a 304.
    script = response.get_data(as_text=True)
    assert "本机没有保存这个页面" in script and "This page is not kept on this device" in script
    again = client.get("/sw.js", headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304
