"""The flag queue's filter arguments through HTTP: a value the queue does not know is named
beside its field and left out (the queue shows what it would without it), and a saved
filter holding one is refused."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from dudao.triage.models import SavedFilter
from tests.conftest import sign_in
from tests.flag_world import triage_world


@pytest.fixture
def world(app, session, org, user_factory):
    return triage_world(session, org, user_factory)


def _ids(page: str) -> set[int]:
    return {int(i) for i in re.findall(r'data-flag="(\d+)"', page)}


def _errors(page: str) -> dict[str, str]:
    return dict(re.findall(r'data-filter-error="(\w+)">([^<]*)<', page))


CHOICE = "is not one of the choices; pick one from the list."
MONTH = "Give a month as YYYY-MM, e.g. 2026-03."


@pytest.mark.parametrize(
    ("query", "name", "message"),
    [
        ("state=bogus", "state", f"“bogus” {CHOICE}"),
        ("severity=urgent", "severity", f"“urgent” {CHOICE}"),
        ("rule=no_such_rule", "rule", f"“no_such_rule” {CHOICE}"),
        ("sort=random", "sort", f"“random” {CHOICE}"),
        ("period_from=2026-13", "period_from", MONTH),
        ("period_to=2026-1", "period_to", MONTH),
        ("period_from=2026-05&period_to=2026-02", "period_to",
         "“Detected until” must not be before “Detected from”."),
        ("assignee=abc", "assignee", "No such person; pick one from the list."),
        ("detected=maybe", "detected", f"“maybe” {CHOICE}"),
        ("assignee=987654", "assignee", "No such person; pick one from the list."),
        ("unit=NOPE", "unit", "No unit with the code NOPE in the part you supervise."),
    ],
)  # fmt: skip
def test_a_bad_argument_is_named_beside_its_field_and_left_out(client, world, query, name, message):
    _people, ids = world
    sign_in(client, "office_a")
    response = client.get(f"/flags?{query}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert _errors(page) == {name: message}
    assert f'aria-invalid="true" aria-describedby="filter-{name}-error"' in page
    assert _ids(page) == {ids["a_det"], ids["a_rec"], ids["a_unit"]}  # as with no filter
    assert "data-save-filter" not in page  # nothing to offer for saving


def test_good_arguments_raise_no_error(client, world):
    people, _flags = world
    sign_in(client, "office_a")
    query = "state=new&severity=high&period_from=2026-01&period_to=2026-12&assignee=none"
    page = client.get(f"/flags?{query}&sort=oldest").get_data(as_text=True)
    assert _errors(page) == {} and "aria-invalid" not in page.split("data-bulk")[0]
    # Someone who no longer holds the office role may still have flags: named in the list.
    lead = people["lead"]
    page = client.get(f"/flags?assignee={lead.id}").get_data(as_text=True)
    assert _errors(page) == {}
    assert f'<option value="{lead.id}" selected>{lead.display_name}</option>' in page


def test_flags_no_longer_detected_are_found_apart(client, world, session):
    """The ones to close first: the condition cleared, the flag waits for triage."""
    from dudao.trends.models import Flag

    _people, ids = world
    session.get(Flag, ids["a_rec"]).detected = False
    session.commit()
    sign_in(client, "office_a")
    gone = client.get("/flags?detected=no").get_data(as_text=True)
    assert _ids(gone) == {ids["a_rec"]} and _errors(gone) == {}
    assert '<option value="no" selected>' in gone
    assert _ids(client.get("/flags?detected=yes").get_data(as_text=True)) == {
        ids["a_det"],
        ids["a_unit"],
    }


def test_errors_in_chinese(client, world):
    sign_in(client, "office_a")
    client.post("/lang", data={"lang": "zh_CN", "next": "/"})
    page = client.get("/flags?state=bogus&period_from=2026-13").get_data(as_text=True)
    assert _errors(page) == {
        "state": "“bogus”不在可选项中，请从列表中选择。",
        "period_from": "请按 YYYY-MM 格式填写月份，例如 2026-03。",
    }


def test_a_saved_filter_with_a_bad_value_is_refused(client, world, session):
    sign_in(client, "office_a")
    data = {"name": "broken", "query": "severity=high&period_from=2026-13"}
    response = client.post("/flags/filters", data=data)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    error = page.split('class="field-error"')[-1].split("</p>")[0]
    assert "Correct the filter first" in error
    assert _errors(page) == {"period_from": MONTH}
    assert session.scalars(select(SavedFilter)).all() == []
