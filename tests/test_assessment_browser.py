"""The ranking in Chromium: in English its long column headings wrap instead of pushing the
table past the page (the on-time heading made an office's desktop scroll sideways)."""

from __future__ import annotations

import pytest

from tests.assessment_world import configured, first_quarter  # noqa: F401
from tests.browser import DESKTOP, browser_sign_in, save_screenshot
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("configured")]


def test_the_english_ranking_fits_a_desktop(live_server, browser_page, session, org, user_factory):
    first_quarter(session, org)
    session.commit()
    user_factory("office_g", ("office", org.group))
    page = browser_page(*DESKTOP)
    browser_sign_in(page, live_server.url, "office_g", PASSWORD)
    with page.expect_navigation():
        page.click("button[name=lang][value=en]")
    page.goto(f"{live_server.url}/assessment?period=2025Q1")
    assert page.locator("table[data-ranking] tbody tr").count() >= 2
    save_screenshot(page, "assessment-ranking-en-desktop")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
