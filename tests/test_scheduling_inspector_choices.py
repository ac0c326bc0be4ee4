"""The inspector fields of the ad hoc, schedule and draw forms list the inspectors one may
name, by name, in the reach of the permission the form checks; a click adds one to the
field (web/static/choices.js), which still sends usernames."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from dudao.auth.models import User
from dudao.auth.services import set_active
from dudao.inspections.models import Inspection
from tests.browser import PHONE, browser_sign_in, fits_sideways, save_screenshot
from tests.conftest import PASSWORD
from tests.schedule_world import quarterly_schedule


def _people(session, org, user_factory) -> None:
    """Inspectors all over the tree, one inactive, and an office on company A."""
    user_factory("zhao", ("inspector", org.group))  # above A: inspects there too
    user_factory("qian", ("inspector", org.branch_a1))
    user_factory("sun", ("inspector", org.company_b))  # B only: not offered on A's forms
    gone = user_factory("li", ("inspector", org.unit_a1))
    set_active(session, None, gone, False)
    user_factory("lead", ("unit_lead", org.unit_a1))  # no inspector grant
    session.commit()


def _offered(page: str) -> list[tuple[str, str]]:
    box = page.split('data-choices-for="', 1)[1].split("</details>", 1)[0]
    return re.findall(r'data-add="([^"]+)" aria-pressed="false">([^<]+) <span', box)


@pytest.mark.parametrize(
    ("path", "field", "grant"),
    [
        ("/schedules/ad-hoc", "inspectors", "office"),
        ("/schedules/{schedule}/edit", "people", "office"),
        ("/draws/new", "pool", "office"),
    ],
)
def test_each_inspector_field_offers_the_inspectors_its_form_accepts(
    client, session, org, user_factory, signed_in, path, field, grant
):
    schedule = quarterly_schedule(session, org)
    _people(session, org, user_factory)
    signed_in("office_a", (grant, org.company_a))
    page = client.get(path.format(schedule=schedule.id)).text
    assert f'data-choices-for="{field}"' in page and "choices.js" in page
    assert "从 2 名检查人员中选择" in page
    assert _offered(page) == [("qian", "Qian"), ("zhao", "Zhao")]


def test_no_inspector_in_reach_lists_nothing_and_loads_no_script(
    client, session, org, user_factory, signed_in
):
    user_factory("sun", ("inspector", org.company_b))
    signed_in("office_a", ("office", org.company_a))
    page = client.get("/schedules/ad-hoc").text
    assert 'id="inspectors"' in page and "data-choices-for" not in page
    assert "choices.js" not in page


@pytest.mark.browser
def test_an_office_names_inspectors_by_clicking_their_names(
    live_server, browser_page, session, org, user_factory
):
    quarterly_schedule(session, org)  # loads the checklists
    _people(session, org, user_factory)
    user_factory("office_a", ("office", org.company_a))
    page = browser_page(*PHONE)
    browser_sign_in(page, live_server.url, "office_a", PASSWORD)
    page.goto(f"{live_server.url}/schedules/ad-hoc")
    page.fill("#unit_code", "A1-1")
    page.select_option("#definition_key", "branch_standardisation")
    due = date.today() + timedelta(days=20)
    page.fill("#due", due.isoformat())
    page.fill("#reason", "群众反映问题")
    page.click("details.choices summary")
    zhao = page.locator("button[data-add=zhao]")
    page.fill("#inspectors", "qian")  # typed: its button shows it is in
    assert page.get_attribute("button[data-add=qian]", "aria-pressed") == "true"
    zhao.click()
    assert page.input_value("#inspectors") == "qian, zhao"
    assert zhao.get_attribute("aria-pressed") == "true"
    page.click("button[data-add=qian]")  # out again
    assert page.input_value("#inspectors") == "zhao"
    assert fits_sideways(page)
    save_screenshot(page, "inspector-choices-zh-390")
    with page.expect_navigation():
        page.click("form button.primary")
    assert page.url.endswith("/schedules")
    assert page.console_errors == []
    session.expire_all()
    made = session.scalars(select(Inspection)).one()
    zhao_id = session.scalar(select(User.id).where(User.username == "zhao"))
    assert made.unit.code == "A1-1" and made.assignee_ids == {zhao_id}
