"""The home page's cards say where work waits for the signed-in person: returned and
overdue checklists, overdue and answered rectification tasks, flags nobody looked at;
and the office's inspection list filters the overdue ones."""

from __future__ import annotations

import re
from datetime import timedelta

from dudao.inspections.models import Inspection, InspectionOrigin
from dudao.inspections.services import create_inspection
from dudao.inspections.submission_models import Rectification
from dudao.scheduling.recurrence import org_today
from dudao.workflow.engine import apply
from tests.conftest import sign_in
from tests.flag_world import make_flag
from tests.inspection_world import World, world  # noqa: F401
from tests.rectification_route_world import rectifications_in_and_out


def _cards(app, username: str) -> dict[str, list[tuple[str, str]]]:
    """{card link: [(each count of its attention line, the link it opens)]} on the home
    page, in English."""
    client = app.test_client()
    assert sign_in(client, username).status_code == 302
    client.post("/lang", data={"lang": "en", "next": "/"})
    page = client.get("/").get_data(as_text=True)
    cards = re.findall(r'<div class="card[^"]*"><a class="card-title card-link" href="([^"]+)">'
                       r"(.*?)</div>", page, re.S)  # fmt: skip
    return {
        href: re.findall(r'<a href="([^"]+)">([^<]+)</a>', note.group(1))
        for href, body in cards
        if (note := re.search(r'<span class="card-note" data-attention>(.*?)</span>', body))
    }


def _notes(app, username: str) -> dict[str, str]:
    """{card link: its attention line}."""
    cards = _cards(app, username)
    return {href: " · ".join(text for _url, text in links) for href, links in cards.items()}


def test_cards_say_what_waits(app, session, world: World):  # noqa: F811
    yesterday = org_today(session) - timedelta(days=1)
    tasks = rectifications_in_and_out(
        session, {"in": world.inspection.id, "out": world.inspection_b.id}
    )
    assert _notes(app, "insp") == {}  # an upcoming inspection and tasks not yet due
    assert "/flags" not in _notes(app, "office")

    inspection = session.get(Inspection, world.inspection.id)
    inspection.due_date = yesterday
    session.get(Rectification, tasks["in"]).deadline = yesterday
    session.get(Rectification, tasks["out"]).state = "submitted"
    fresh = make_flag(session, world.org.branch_a1, tag="fresh")
    seen = make_flag(session, world.org.branch_a2, tag="seen")
    apply(session, world.office, seen, "acknowledge")
    session.commit()
    # Each count opens the list of just those, not the whole list.
    assert _cards(app, "insp") == {"/inspections/mine": [("/inspections/mine#overdue",
                                                          "1 overdue")]}  # fmt: skip
    # the lead's own subtree (unit A1): the inspection and task of branch A1-1, not B's
    assert _notes(app, "lead") == {"/inspections": "1 overdue", "/rectifications": "1 overdue"}
    assert _cards(app, "office") == {
        "/inspections": [("/inspections?overdue=1", "1 overdue")],
        "/rectifications": [("/rectifications#overdue", "1 overdue"),
                            ("/rectifications#answered", "1 to verify")],
        "/flags": [("/flags?state=new", "1 new")],
    }  # fmt: skip
    assert fresh.state == "new"

    # Returned work and work due today; the lead answers its task: the office verifies it
    for due in (org_today(session), org_today(session) + timedelta(days=9)):
        more = create_inspection(session, world.office, world.org.branch_a2, inspection.
                                 definition_version, due, InspectionOrigin.AD_HOC,
                                 assignees=[world.inspector])  # fmt: skip
        apply(session, world.office, more, "assign")
    more.state = "returned"
    session.get(Rectification, tasks["in"]).state = "submitted"
    apply(session, world.office, inspection, "cancel", fields={"reason": "撤并"})
    session.commit()
    assert _notes(app, "insp") == {"/inspections/mine": "1 returned · 1 due today"}
    assert "/inspections" not in _notes(app, "office")  # a cancelled one is not late
    assert _notes(app, "lead") == {}  # its answer waits for others, not for the lead
    assert _notes(app, "office")["/rectifications"] == "2 to verify"


def test_the_office_list_filters_what_is_overdue(app, session, world: World):  # noqa: F811
    late = session.get(Inspection, world.inspection.id)
    late.due_date = org_today(session) - timedelta(days=1)
    session.get(Inspection, world.inspection_b.id).due_date = org_today(session) + timedelta(days=1)
    session.commit()
    client = app.test_client()
    sign_in(client, "office")
    page = client.get("/inspections?overdue=1").get_data(as_text=True)
    listed = set(re.findall(r'href="/inspections/(\d+)"', page))
    assert listed == {str(late.id)} and 'name="overdue" value="1" checked' in page
    everything = client.get("/inspections").get_data(as_text=True)
    assert str(world.inspection_b.id) in set(re.findall(r'href="/inspections/(\d+)"', everything))


def test_a_lead_sees_what_to_answer_and_an_inspector_what_to_verify(
    app,
    session,
    world: World,  # noqa: F811
):
    task_id = rectifications_in_and_out(session, {"in": world.inspection.id})["in"]
    task = session.get(Rectification, task_id)
    task.verifier_id = world.inspector.id
    session.commit()
    assert _notes(app, "lead") == {"/rectifications": "1 to answer"}
    assert "/rectifications" not in _notes(app, "insp")  # nothing to verify yet

    task.state = "submitted"  # the lead answered: now it waits for its verifier
    session.commit()
    assert _notes(app, "lead") == {}
    assert _notes(app, "insp") == {"/rectifications": "1 to verify"}
    assert _notes(app, "other") == {}  # another inspector on the unit only reads it

    task.state = "in_progress"  # reopened: the lead answers again
    session.commit()
    assert _notes(app, "lead") == {"/rectifications": "1 to answer"}


def test_an_inspector_has_a_rectification_card(app, world: World):  # noqa: F811
    client = app.test_client()
    sign_in(client, "insp")
    page = client.get("/").get_data(as_text=True)
    assert re.search(r'<a class="card-title card-link" href="/rectifications">', page)
