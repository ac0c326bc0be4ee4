"""Saved queue filters per user: save the URL's filter under a name, list, apply, delete;
names are checked with the message beside the field; nobody sees another's filters."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from dudao.core.errors import ValidationError
from dudao.triage import saved_filters
from dudao.triage.models import SavedFilter
from tests.conftest import sign_in
from tests.flag_world import triage_world


@pytest.fixture
def world(app, session, org, user_factory):
    return triage_world(session, org, user_factory)


def _ids(page: str) -> set[int]:
    return {int(i) for i in re.findall(r'data-flag="(\d+)"', page)}


def test_normalise_keeps_the_filter_arguments_only():
    query = "?page=3&sort=severity&state=new&bogus=1&unit=&severity=high&state=acknowledged"
    assert saved_filters.normalise(query) == "state=new&severity=high&sort=severity"
    assert saved_filters.normalise("page=2&sort=newest&state=") == ""


def test_save_apply_and_delete_through_http(client, world, session):
    people, ids = world
    sign_in(client, "office_a")
    page = client.get("/flags?severity=high&page=1").get_data(as_text=True)
    assert 'name="query" type="hidden" value="severity=high"' in page  # the page drops
    response = client.post("/flags/filters", data={"name": " 高  风险 ", "query": "severity=high"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/flags?severity=high")
    saved = session.scalars(select(SavedFilter)).one()
    assert (saved.user_id, saved.name, saved.query) == (
        people["office_a"].id, "高 风险", "severity=high"
    )  # fmt: skip
    listing = client.get("/flags").get_data(as_text=True)
    assert 'data-saved-filter="高 风险"' in listing and "/flags?severity=high" in listing
    applied = client.get("/flags?severity=high").get_data(as_text=True)
    assert 'aria-current="true"' in applied and _ids(applied) == {ids["a_det"]}
    response = client.post(f"/flags/filters/{saved.id}/delete")
    assert response.status_code == 302
    assert session.scalars(select(SavedFilter)).all() == []
    assert "data-saved-filter" not in client.get("/flags").get_data(as_text=True)


@pytest.mark.parametrize(
    ("name", "query", "message"),
    [
        ("", "state=new", "Give the filter a name."),
        ("x" * 81, "state=new", "Field cannot be longer than 80 characters."),
        ("new ones", "", "Set a filter first: this one shows every flag."),
        ("mine", "state=new", "You already have a filter with this name."),
    ],
)
def test_bad_names_are_refused_beside_the_field(client, world, session, name, query, message):
    people, _ids = world
    session.add(SavedFilter(user_id=people["office_a"].id, name="mine", query="rule=outlier"))
    session.commit()
    sign_in(client, "office_a")
    response = client.post("/flags/filters", data={"name": name, "query": query})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    error = page.split('class="field-error"')[1].split("</p>")[0]
    assert message in error
    assert 'aria-invalid="true"' in page.split("data-save-filter")[1]
    assert session.scalar(select(SavedFilter.id).where(SavedFilter.name != "mine")) is None


def test_filters_are_per_user(client, world, session):
    people, _ids = world
    theirs = SavedFilter(user_id=people["office_b"].id, name="theirs", query="state=new")
    session.add(theirs)
    session.commit()
    sign_in(client, "office_a")
    assert "theirs" not in client.get("/flags").get_data(as_text=True)
    client.post(f"/flags/filters/{theirs.id}/delete")
    session.expire_all()
    assert session.get(SavedFilter, theirs.id) is not None  # not theirs to delete
    # the same name is free for another user
    assert (
        client.post("/flags/filters", data={"name": "theirs", "query": "state=new"}).status_code
        == 302
    )


def test_service_refuses_more_than_the_limit(session, world, monkeypatch):
    people, _ids = world
    monkeypatch.setattr(saved_filters, "PER_USER", 2)
    uid = people["office_a"].id
    saved_filters.save_filter(session, uid, "one", "state=new")
    saved_filters.save_filter(session, uid, "two", "state=new")
    with pytest.raises(ValidationError) as refused:
        saved_filters.save_filter(session, uid, "three", "")
    assert refused.value.problems == [
        "name: You have 2 saved filters; delete one first.",
        "query: Set a filter first: this one shows every flag.",
    ]
    assert [f.name for f in saved_filters.for_user(session, uid)] == ["one", "two"]
