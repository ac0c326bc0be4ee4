"""The tags fields (a schedule's, a unit's) list the tags in use, the most used first with
the number of active units holding each: a click adds one, in the form's own "; " list, so
a schedule is not given a misspelt tag that matches no unit (web/static/choices.js)."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from dudao.org.services import set_unit_active, update_unit
from dudao.scheduling.models import Schedule
from tests.browser import PHONE, browser_sign_in
from tests.conftest import PASSWORD
from tests.schedule_world import quarterly_schedule


def _tagged(session, org) -> None:
    update_unit(session, None, org.branch_a1, tags=["生产一线", "偏远"])
    update_unit(session, None, org.branch_a2, tags=["生产一线"])
    update_unit(session, None, org.unit_b1, tags=["机关"])
    update_unit(session, None, org.branch_b1, tags=["离退休"])
    set_unit_active(session, None, org.branch_b1, False)  # inactive: its tag is not offered
    session.commit()


def _offered(page: str) -> list[tuple[str, str]]:
    box = page.split('data-choices-for="tags"', 1)[1].split("</details>", 1)[0]
    assert 'data-separators="[;；,，]" data-joiner="; "' in box
    return re.findall(
        r'data-add="([^"]+)" aria-pressed="false">[^<]+ <span class="ident">(\d+)', box
    )


@pytest.mark.parametrize("path", ["/schedules/{schedule}/edit", "/units/{unit}/edit"])
def test_the_tags_fields_offer_the_tags_in_use(client, session, org, signed_in, path):
    schedule = quarterly_schedule(session, org)
    _tagged(session, org)
    signed_in("root", ("admin", org.group), ("office", org.group))
    page = client.get(path.format(schedule=schedule.id, unit=org.unit_a1.id)).text
    assert "从已有标签中选择" in page and "choices.js" in page
    assert _offered(page) == [("生产一线", "2"), ("偏远", "1"), ("机关", "1")]


@pytest.mark.browser
def test_a_schedule_is_given_tags_by_clicking_them(
    live_server, browser_page, session, org, user_factory
):
    schedule = quarterly_schedule(session, org)
    _tagged(session, org)
    user_factory("office_a", ("office", org.group))
    page = browser_page(*PHONE)
    browser_sign_in(page, live_server.url, "office_a", PASSWORD)
    page.goto(f"{live_server.url}/schedules/{schedule.id}/edit")
    page.fill("#tags", "机关")
    page.click("details.choices[data-choices-for=tags] summary")
    page.click("button[data-add=生产一线]")
    assert page.input_value("#tags") == "机关; 生产一线"
    assert page.get_attribute("button[data-add=机关]", "aria-pressed") == "true"
    with page.expect_navigation():
        page.click("form button.primary")
    if page.locator("button[name=confirm]").count():  # tags that bring in units without
        with page.expect_navigation():  # their past periods: confirmed first
            page.click("button[name=confirm]")
    assert page.url.endswith("/schedules") and page.console_errors == []
    session.expire_all()
    assert session.scalar(select(Schedule.tags).where(Schedule.id == schedule.id)) == [
        "机关", "生产一线"]  # fmt: skip


def test_an_office_is_offered_the_tags_of_its_own_part(client, session, org, signed_in):
    schedule = quarterly_schedule(session, org)
    _tagged(session, org)
    signed_in("office_a", ("office", org.company_a))  # B1's 机关 lies outside
    page = client.get(f"/schedules/{schedule.id}/edit").text
    assert _offered(page) == [("生产一线", "2"), ("偏远", "1")]
