"""Bulk assign from the queue: each ticked flag is given to one office user through the
audited, optimistically locked assignment; what was skipped is reported with the reason."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from dudao.audit.models import AuditEvent
from dudao.trends.models import Flag
from dudao.triage import services
from dudao.workflow.engine import apply
from tests.conftest import sign_in
from tests.flag_world import triage_world


@pytest.fixture
def world(app, session, org, user_factory):
    people, ids = triage_world(session, org, user_factory)
    people["office_a2"] = user_factory("office_a2", ("office", org.unit_a1))
    people["office_a2"].locale = "en"
    session.commit()
    return people, ids


def test_service_assigns_and_says_why_it_skipped(session, world, org):
    people, ids = world
    flags = {k: session.get(Flag, v) for k, v in ids.items()}
    apply(session, people["office_a"], flags["a_rec"], "dismiss", fields={"reason": "dup"})
    flags["a_det"].assignee_id = people["office_a2"].id
    session.flush()
    chosen = [flags[k] for k in ("a_det", "a_rec", "a_unit", "b_det")]
    versions = {flags["a_unit"].id: flags["a_unit"].version}
    result = services.bulk_assign(
        session, people["office_a"], chosen, people["office_a2"], versions
    )
    assert result.done == [ids["a_unit"]]
    assert result.refused == {
        ids["a_det"]: services.UNCHANGED, ids["a_rec"]: services.CLOSED,
        ids["b_det"]: services.NO_ROLE,
    }  # fmt: skip
    # office_a2 holds office on unit A1 only: a flag of company A's own unit is in reach,
    # office_b (company B) is not
    result = services.bulk_assign(
        session, people["office_a"], [flags["a_unit"]], people["office_b"]
    )
    assert result.refused == {ids["a_unit"]: services.OUT_OF_REACH}
    stale = services.bulk_assign(
        session, people["office_a"], [flags["a_unit"]], None, {ids["a_unit"]: 1}
    )
    assert stale.refused == {ids["a_unit"]: services.STALE}
    event = session.scalars(
        select(AuditEvent).where(
            AuditEvent.action == "trend_flag.assign", AuditEvent.entity_id == str(ids["a_unit"])
        )
    ).one()
    assert event.after == {"assignee": people["office_a2"].id}


def test_bulk_assign_through_http_reports_skipped_flags(client, world, session):
    people, ids = world
    sign_in(client, "office_a")
    page = client.get("/flags").get_data(as_text=True)
    assert "Assign selected" in page and f'name="flag" value="{ids["a_unit"]}"' in page
    data = {
        "flag": [str(ids["a_det"]), str(ids["a_rec"]), str(ids["a_unit"])],
        f"v{ids['a_det']}": "1", f"v{ids['a_rec']}": "9",
        "assignee": str(people["office_a"].id), "back": "/flags?severity=high",
    }  # fmt: skip
    response = client.post("/flags/assign", data=data)
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/flags?severity=high")
    session.expire_all()
    owners = {k: session.get(Flag, v).assignee_id for k, v in ids.items()}
    me = people["office_a"].id
    assert owners == {"a_det": me, "a_rec": None, "a_unit": me, "b_det": None}
    assert session.get(Flag, ids["a_det"]).version == 2
    page = client.get("/flags").get_data(as_text=True)
    assert f"Gave 2 flags to {people['office_a'].display_name}." in page
    assert f"1 flag not assigned (changed by someone else meanwhile): #{ids['a_rec']}" in page
    # give them back to nobody
    data = {"flag": [str(ids["a_det"])], "assignee": "none"}
    client.post("/flags/assign", data=data)
    session.expire_all()
    assert session.get(Flag, ids["a_det"]).assignee_id is None
    assert "Gave 1 flag to nobody." in client.get("/flags").get_data(as_text=True)


def test_bulk_assign_refuses_someone_outside_the_flags_reach(client, world, session):
    people, ids = world
    sign_in(client, "office_a")
    for assignee in (str(people["office_b"].id), str(people["lead"].id), "", "x"):
        data = {"flag": [str(ids["a_det"])], "assignee": assignee}
        client.post("/flags/assign", data=data)
        session.expire_all()
        assert session.get(Flag, ids["a_det"]).assignee_id is None, assignee
    page = client.get("/flags").get_data(as_text=True)
    assert "Tick the flags and choose whom to give them to." in page
    # a flag outside the viewer's scope is left out silently, like bulk acknowledge
    data = {"flag": [str(ids["b_det"])], "assignee": str(people["office_a"].id)}
    client.post("/flags/assign", data=data)
    session.expire_all()
    assert session.get(Flag, ids["b_det"]).assignee_id is None
