"""The triage loop in Chromium, in Chinese as the office reads it: queue → filter → save
the filter → open a flag → assign with a deadline → acknowledge → resolve, then bulk-assign
from the queue; screenshots at desktop and tablet size (test-artifacts/triage-*.png)."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from dudao.trends.models import Flag
from dudao.triage.models import SavedFilter
from tests.browser import (
    DESKTOP,
    TABLET,
    browser_sign_in,
    each_language_and_size,
    fits_sideways,
    save_screenshot,
)
from tests.conftest import PASSWORD
from tests.flag_world import make_flag, triage_world

pytestmark = pytest.mark.browser


@pytest.fixture
def world(app, session, org, user_factory):
    people, ids = triage_world(session, org, user_factory)
    for person in people.values():
        person.locale = "zh_CN"
    for n in range(6):  # a fuller queue
        severity = ("low", "medium")[n % 2]
        make_flag(session, org.branch_a2, "recurring_failure", tag=f"more{n}",
                  severity=severity, first_detected=f"2026-0{n + 1}")  # fmt: skip
    session.commit()
    return people, ids


def _shown(page) -> set[int]:
    return {
        int(v)
        for v in page.eval_on_selector_all("tr[data-flag]", "rs => rs.map(r => r.dataset.flag)")
    }


def test_triage_loop(live_server, browser_page, world, session):
    people, ids = world
    page = browser_page(*DESKTOP)
    browser_sign_in(page, live_server.url, "office_a", PASSWORD)
    page.goto(f"{live_server.url}/flags")
    assert ids["a_det"] in _shown(page) and ids["b_det"] not in _shown(page)
    save_screenshot(page, "triage-queue")

    # filter, then save the filter under a name
    page.select_option("select[name=severity]", "high")
    with page.expect_navigation():
        page.click("form.filters button.primary")
    assert "severity=high" in page.url and _shown(page) == {ids["a_det"]}
    page.fill("[data-save-filter] input[name=name]", "高风险线索")
    with page.expect_navigation():
        page.click("[data-save-filter] button")
    assert page.locator('[data-saved-filter="高风险线索"] a[aria-current]').count() == 1
    saved = session.scalars(select(SavedFilter)).one()
    assert (saved.name, saved.query) == ("高风险线索", "severity=high")
    save_screenshot(page, "triage-queue-filtered")

    # open the flag, give it to office_a with a deadline
    with page.expect_navigation():
        page.click(f"tr[data-flag='{ids['a_det']}'] a")
    assert page.locator("[data-sentence]").inner_text().strip()
    assert page.locator("[data-chart] svg").count() == 1
    # On a phone the chart keeps readable words and scrolls in its own box, from the keyboard too.
    size = page.viewport_size
    page.set_viewport_size({"width": 390, "height": 844})
    page.wait_for_function("() => document.querySelector('[data-chart]').tabIndex === 0")
    assert page.locator("[data-chart] svg").bounding_box()["width"] >= 576
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.set_viewport_size(size)
    page.select_option("[data-assign] select[name=assignee]", str(people["office_a"].id))
    due = (session.get(Flag, ids["a_det"]).created_at + timedelta(days=14)).date().isoformat()
    page.fill("[data-assign] input[name=due_date]", due)
    with page.expect_navigation():
        page.click("[data-assign] button")
    assert people["office_a"].display_name in page.locator("[data-assignee]").inner_text()
    assert due in page.locator("[data-deadline]").inner_text()
    save_screenshot(page, "triage-flag-assigned")

    # acknowledge, then resolve with a comment (required: refused first)
    with page.expect_navigation():
        page.click("form:has(input[name=action][value=acknowledge]) button")
    resolve = "form:has(input[name=action][value=resolve])"
    page.fill(f"{resolve} textarea[name=comment]", "支部已完成整改，现场核实无误。")
    with page.expect_navigation():
        page.click(f"{resolve} button")
    assert page.locator("[data-state]").get_attribute("data-state") == "resolved"
    assert "支部已完成整改" in page.inner_text("body")
    save_screenshot(page, "triage-flag-resolved")
    session.expire_all()
    assert session.get(Flag, ids["a_det"]).state == "resolved"

    # bulk-assign from the queue: two open flags to office_a
    page.goto(f"{live_server.url}/flags?rule=recurring_failure")
    chosen = [ids["a_rec"], ids["a_unit"]]
    for flag_id in chosen:
        page.check(f"input[name=flag][value='{flag_id}']")
    page.select_option("[data-bulk] select[name=assignee]", str(people["office_a"].id))
    with page.expect_navigation():
        page.click("[data-bulk] button[formaction$='/flags/assign']")
    assert re.search(r"已将 2 条问题线索分派给", page.inner_text(".flash-success, .flash"))
    save_screenshot(page, "triage-queue-bulk-assigned")
    session.expire_all()
    assert {session.get(Flag, i).assignee_id for i in chosen} == {people["office_a"].id}
    assert page.console_errors == []


def test_queue_and_flag_on_a_tablet(live_server, browser_page, world, session, org):
    """The queue fits a tablet and a desktop in both languages without scrolling sideways:
    long unit names, a span of months, an assignee, an overdue flag."""
    people, ids = world
    org.branch_a1.name_en = "Energy Headquarters General Office First Joint Party Branch"
    org.branch_a1.name = "华辰能源机关综合办公室第一党支部（机关第二联合党支部）"
    flag = session.get(Flag, ids["a_rec"])
    flag.assignee_id, flag.due_date = people["office_a"].id, date.today() - timedelta(days=3)
    session.commit()
    page = browser_page(*TABLET)
    browser_sign_in(page, live_server.url, "office_a", PASSWORD)
    for lang, width in each_language_and_size(page, (TABLET, DESKTOP)):
        page.goto(f"{live_server.url}/flags")
        assert page.locator("tr[data-flag]").count() >= 8
        assert fits_sideways(page), (lang, width)
        # The month fields are drawn like the other fields (they were left at the
        # browser's own size, 32 px against 44): as tall as the unit code (give or take
        # the 2 px of Chromium's date parts), as wide as their column.
        (unit_height, _), *months = page.evaluate(
            """() => ['unit', 'period_from', 'period_to'].map(name => {
                const field = document.querySelector(`form [name=${name}]`);
                return [field.offsetHeight, field.offsetWidth === field.parentElement.clientWidth];
            })"""
        )
        for height, full_width in months:
            assert abs(height - unit_height) <= 2 and full_width, (lang, width, months)
    page.set_viewport_size({"width": TABLET[0], "height": TABLET[1]})
    page.goto(f"{live_server.url}/flags?severity=high")
    save_screenshot(page, "triage-queue-tablet")
    page.goto(f"{live_server.url}/flags/{ids['a_det']}")
    assert page.evaluate("document.documentElement.scrollWidth") <= TABLET[0]
    save_screenshot(page, "triage-flag-tablet")
    assert page.console_errors == []
