"""Choosing a unit by typing part of its name (web/static/unitpicker.js) in a real browser,
on a phone and a desktop, in both languages: the suggestion fills in the unit's code and
the form, unchanged, accepts it.

Headless Chromium draws no datalist popup, so the test chooses as the popup does: it puts
the suggested option's value in the field, with the input event the browser sends.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from dudao.auth.models import User
from dudao.org.services import update_unit
from dudao.scheduling.models import Schedule
from tests.browser import DESKTOP, PHONE, browser_sign_in, fits_sideways, read_in, save_screenshot
from tests.conftest import PASSWORD
from tests.schedule_world import quarterly_schedule

pytestmark = pytest.mark.browser


def choose(page, field: str, label: str) -> str:
    """Choose the suggestion of `field` (a selector) labelled `label`, as the popup would;
    its value, the code it put in the field."""
    listed = page.locator(f"{field} + datalist option[label='{label}']")
    listed.wait_for(state="attached")
    code = listed.get_attribute("value")
    page.locator(field).evaluate(
        """(input, code) => {
            input.value = code;
            input.dispatchEvent(new InputEvent("input", {bubbles: true,
                inputType: "insertReplacementText", data: code}));
        }""",
        code,
    )
    return code


@pytest.mark.parametrize(
    ("lang", "size", "typed", "label", "offered"),
    [
        # not 乙一厂 (B1) nor its branch: they lie outside this administrator's company
        ("zh_CN", PHONE, "一厂", "甲一厂", ["A1", "A1-1", "A1-2"]),
        ("en", DESKTOP, "jiayi", "Jiayi Works", ["A1"]),
    ],
)
def test_a_role_is_given_on_a_unit_chosen_by_name(
    live_server, browser_page, org, user_factory, session, lang, size, typed, label, offered
):
    update_unit(session, None, org.unit_a1, name_en="Jiayi Works")
    session.commit()
    user_factory("admin_a", ("admin", org.company_a))
    wang = user_factory("wang")
    page = browser_page(*size)
    browser_sign_in(page, live_server.url, "admin_a", PASSWORD)
    read_in(page, lang)
    page.goto(f"{live_server.url}/admin/users/{wang.id}")
    page.select_option("select[name=role]", "inspector")
    page.focus("#unit_code")
    page.keyboard.type(typed, delay=40)  # keys, one by one, as a person types
    code = choose(page, "#unit_code", label)
    options = page.locator("#unit_code + datalist option")
    assert options.evaluate_all("os => os.map(o => o.value)") == offered
    assert fits_sideways(page)
    save_screenshot(page, f"unit-picker-{lang}-{size[0]}")
    with page.expect_navigation():
        page.keyboard.press("Enter")  # the keyboard submits the form the field is in
    assert code == "A1" and page.locator("#unit_code-error").count() == 0
    assert page.console_errors == []
    session.expire_all()
    user = session.scalar(select(User).where(User.username == "wang"))
    assert [(g.role.value, g.unit.code) for g in user.grants] == [("inspector", "A1")]


def test_a_filter_set_to_ones_own_unit_gives_way_to_a_typed_name(
    live_server, browser_page, org, user_factory
):
    user_factory("office_a1", ("office", org.unit_a1))
    page = browser_page(*PHONE)
    browser_sign_in(page, live_server.url, "office_a1", PASSWORD)
    page.goto(f"{live_server.url}/reports/summary")
    field = "form.filters input[name=unit]"
    assert page.input_value(field) == "A1"  # the viewer's own unit, shown at once
    # The code names itself: its unit is among the suggestions before anything is typed.
    own = page.locator(f"{field} + datalist option[value='A1']")
    own.wait_for(state="attached")
    assert own.get_attribute("label") == "甲一厂"
    page.click(field)  # a tap selects the code: what is typed replaces it
    page.keyboard.type("第一党支部", delay=40)
    assert page.input_value(field) == "第一党支部"
    assert choose(page, field, "甲一厂第一党支部") == "A1-1"
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "unit=A1-1" in page.url and "甲一厂第一党支部" in page.locator("h1").inner_text()
    assert page.console_errors == []


def test_units_to_exclude_are_added_by_name_one_after_the_other(
    live_server, browser_page, session, org, user_factory
):
    schedule = quarterly_schedule(session, org)
    user_factory("office_a", ("office", org.company_a))
    page = browser_page(*PHONE)
    browser_sign_in(page, live_server.url, "office_a", PASSWORD)
    page.goto(f"{live_server.url}/schedules/{schedule.id}/edit")
    picker = "input[data-unit-picker-adds-to=exclude]"
    assert page.is_visible(picker)  # shown by the script (hidden without it)
    page.fill("#exclude", "")
    page.click(picker)
    page.keyboard.type("第一党支部", delay=40)
    choose(page, picker, "甲一厂第一党支部")
    assert page.input_value("#exclude") == "A1-1" and page.input_value(picker) == ""
    page.keyboard.type("第二", delay=40)  # one suggestion: Enter takes it, sends nothing
    page.locator(f"{picker} + datalist option[value='A1-2']").wait_for(state="attached")
    page.keyboard.press("Enter")
    assert page.input_value("#exclude") == "A1-1, A1-2" and page.url.endswith("/edit")
    with page.expect_navigation():
        page.click("form button.primary")
    assert page.console_errors == []
    session.expire_all()
    assert session.get(Schedule, schedule.id).exclude_codes == ["A1-1", "A1-2"]
