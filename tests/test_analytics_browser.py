"""Analytics pages in Chromium at desktop and tablet widths: no CSP errors, charts and tables
fit the page, a heatmap cell opens the inspections behind it."""

from __future__ import annotations

import pytest

from tests import analytics_world as w
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
        page.click('tr[data-row="A1-1"] td a[href*="failed=plan"]')
    listed = {int(a.split("/")[-1]) for a in page.locator("tbody a[href^='/inspections/']")
              .evaluate_all("links => links.map(a => a.getAttribute('href'))")}  # fmt: skip
    assert listed == {ids["jan"], ids["mar"]}
    save_screenshot(page, f"analytics-heatmap-cell-list-{size}")


def test_every_heatmap_cell_shows_its_value_and_link(
    live_server, browser_page, session, org, user_factory
):
    """The page sends a cell as its band, number and failures (data-n); heatmap.js makes the
    links: each failed cell links to exactly its inspections, the others show their 0."""
    _results(session, org)
    user_factory("office_a", ("office", org.company_a)).locale = "en"
    session.commit()
    page = browser_page(*SIZES["desktop"])
    browser_sign_in(page, live_server.url, "office_a", PASSWORD)
    page.goto(f"{live_server.url}/analytics/heatmap?unit=A1&{RANGE}")
    rows = page.evaluate("""() => {
      const items = Array.from(document.querySelectorAll("thead th[data-item]"),
                               th => th.dataset.item);
      return Array.from(document.querySelectorAll("table.heatmap tbody tr"), row => [
        row.dataset.row,
        Array.from(row.querySelectorAll("td:not(.num)"), (td, i) => {
          const a = td.querySelector("a");
          return [items[i], (a || td).firstChild.textContent, a && a.getAttribute("href"),
                  td.textContent];
        })]);
    }""")  # fmt: skip
    failed = {("A1-1", "plan"): (67, 2, 3), ("A1-1", "leadership"): (33, 1, 3),
              ("A1", "plan"): (50, 2, 4), ("A1", "leadership"): (25, 1, 4)}  # fmt: skip
    assert [code for code, _cells in rows] == ["A1-1", "A1-2", "A1"]
    for code, cells in rows:
        assert len(cells) > 2
        for key, shown, href, spoken in cells:
            if (code, key) not in failed:
                assert (shown, href, spoken) == ("0", None, "0"), (code, key)
                continue
            rate, n, total = failed[code, key]
            assert shown == str(rate) and spoken == f"{rate} %, {n} of {total} failed"
            assert href == (f"/inspections?unit={code}&definition={w.DEFINITION}"
                            f"&due_from=2026-01-01&due_to=2026-05-31&failed={key}")  # fmt: skip
    assert page.console_errors == []
