"""The targets pages in Chromium: a unit lead registers a pioneer post through the real form
(CSRF and all), the office sees it counted with progress bars; screenshots to look at."""

from __future__ import annotations

import pytest

from tests.browser import DESKTOP, TABLET, browser_sign_in, save_screenshot
from tests.conftest import PASSWORD
from tests.target_world import make_entry, make_post

pytestmark = pytest.mark.browser


def test_a_post_registered_in_the_browser_counts_on_the_office_page(
    live_server, browser_page, session, org, user_factory, tmp_path
):
    for unit in (org.branch_a2, org.branch_b1):
        make_post(session, unit, "优质服务党员示范窗口")
    make_entry(session, org.unit_a1, tmp_path, 3)
    session.commit()
    user_factory("lead", ("unit_lead", org.branch_a1))
    user_factory("office_g", ("office", org.group))

    lead = browser_page(*TABLET)
    browser_sign_in(lead, live_server.url, "lead", PASSWORD)
    lead.goto(f"{live_server.url}/pioneer-posts/new")
    lead.fill("#name", "井下安全生产党员先锋岗")
    lead.fill("#member_count", "0")
    lead.fill("#established_on", "2026-04-01")
    lead.fill("#description", "党员带班下井，每班开展隐患排查。")
    lead.click("button.primary")
    assert lead.locator("#member_count-error").is_visible()  # beside the field, nothing saved
    save_screenshot(lead, "targets-post-form-error")
    lead.fill("#member_count", "7")
    with lead.expect_navigation():
        lead.click("button.primary")
    assert lead.locator("tr[data-post]").count() == 1
    save_screenshot(lead, "targets-posts-lead")

    office = browser_page(*DESKTOP)
    browser_sign_in(office, live_server.url, "office_g", PASSWORD)
    office.click("nav.mainnav >> text=目标任务")
    card = office.locator("section[data-target=pioneer_posts]")
    assert card.locator(".target-done").inner_text() == "3"
    assert card.locator("tr[data-company=A] td.num").first.inner_text() == "2"
    assert office.locator("section[data-target=promoted_practice] .target-done").inner_text() == "3"
    save_screenshot(office, "targets-office")
    office.click("section[data-target=promoted_practice] >> text=填报记录及佐证材料")
    assert office.locator("tr[data-entry]").count() == 1
    save_screenshot(office, "targets-manual-entries")
    errors = [e for e in lead.console_errors + office.console_errors if "422" not in e]
    assert not errors  # e.g. a Content-Security-Policy violation (the 422 was the bad form)
