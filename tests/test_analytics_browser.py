"""Analytics pages in Chromium at desktop and tablet widths: no CSP errors, charts and tables
fit the page, a heatmap cell opens the inspections behind it."""

from __future__ import annotations

import pytest

from tests.browser import browser_sign_in, save_screenshot
from tests.conftest import PASSWORD
from tests.test_analytics_pages import RANGE, _results

pytestmark = pytest.mark.browser

SIZES = {"desktop": (1280, 900), "tablet": (820, 1180)}


@pytest.mark.parametrize("size", sorted(SIZES))
def test_pages_fit_and_a_cell_opens_its_inspections(
    live_server, browser_page, session, org, user_factory, size
):
    ids = _results(session, org)
    user_factory("office_a", ("office", org.company_a))
    page = browser_page(*SIZES[size])
    browser_sign_in(page, live_server.url, "office_a", PASSWORD)
    width = SIZES[size][0]
    for view in ("scores", "heatmap", "rectifications"):
        page.goto(f"{live_server.url}/analytics/{view}?unit=A1&{RANGE}")
        overflow = page.evaluate("document.scrollingElement.scrollWidth")
        assert overflow <= width, f"{view} is wider than the {size} screen"
        for svg in page.locator("figure svg").all():
            assert svg.bounding_box()["width"] <= width - 20
        save_screenshot(page, f"analytics-{view}-{size}")
    assert page.console_errors == []
    page.goto(f"{live_server.url}/analytics/heatmap?unit=A1&{RANGE}")
    with page.expect_navigation():
        page.click('tr[data-row="A1-1"] td.heat a[href*="failed=plan"]')
    listed = {int(a.split("/")[-1]) for a in page.locator("tbody a[href^='/inspections/']")
              .evaluate_all("links => links.map(a => a.getAttribute('href'))")}  # fmt: skip
    assert listed == {ids["jan"], ids["mar"]}
    save_screenshot(page, f"analytics-heatmap-cell-list-{size}")
