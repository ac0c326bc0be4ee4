"""Analytics pages in Chromium at desktop and tablet widths: no CSP errors, charts and tables
fit the page, a heatmap cell opens the inspections behind it."""

from __future__ import annotations

from datetime import date

import pytest

from tests import analytics_world as w
from tests.analytics_world import RANGE
from tests.browser import (
    PHONE,
    assert_pages_fit,
    browser_sign_in,
    read_in,
    save_screenshot,
)
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser

SIZES = {"desktop": (1280, 900), "tablet": (820, 1180)}


@pytest.mark.parametrize("size", sorted(SIZES))
def test_pages_fit_and_a_cell_opens_its_inspections(
    live_server, browser_page, session, org, user_factory, size
):
    ids = w.results(session, org)
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
    w.results(session, org)
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


def test_the_tables_fit_a_tablet_and_a_desktop_in_both_languages(
    live_server, browser_page, session, org, user_factory
):
    """Long headings, campaign and schedule names wrap: in English at 820 px the satisfaction
    and on-time tables were 273-321 px wider than their box and hid their last columns, as
    did the questionnaire campaign's results (386 px); at 1024 px still 69-182 px."""
    w.results(session, org)
    org.branch_a1.name = "平川工程处第一项目部桥隧施工队党支部"
    org.branch_a1.name_en = "Pingchuan Engineering Division Bridge and Tunnel Crew Party Branch"
    for deadline, state in ((date(2026, 2, 10), "verified"), (date(2026, 3, 10), "in_progress")):
        w.rectification(session, org.branch_a1, deadline, state)
    w.schedule(session, org.company_a, "华辰建设工程公司党支部标准化建设季度检查（第一批）")
    title = "2026年第四季度华辰建设工程有限公司党员群众满意度测评"
    campaign = w.campaign(session, org, title, {org.branch_a1: (6, 5), org.branch_a2: (3, 3)})
    user_factory("office_a", ("office", org.company_a))
    page = browser_page(*SIZES["tablet"])
    browser_sign_in(page, live_server.url, "office_a", PASSWORD)
    until = f"to={date.today():%Y-%m}"
    pages = (f"/analytics/satisfaction?unit=A1&from=2026-01&{until}",
             f"/analytics/rectifications?unit=A1&{RANGE}",
             f"/analytics/completion?unit=A1&from=2026-01&{until}",
             f"/surveys/{campaign.id}/results")  # fmt: skip
    assert_pages_fit(
        page, live_server.url, pages, "analytics-tables", rows="main .table-wrap tbody tr"
    )
    assert page.console_errors == []


def test_a_wide_heatmap_scrolls_in_its_box_on_a_phone(
    live_server, browser_page, session, org, user_factory
):
    """A failed cell far right carries a visually hidden sentence (position: absolute); it
    widened the whole page by up to 185 px on a phone until the table's box became its
    containing block."""
    w.result(session, org.branch_a1, date(2026, 1, 10), 50, ("plan", "site_matches"))
    user_factory("office_a", ("office", org.company_a))
    session.commit()
    page = browser_page(*PHONE)
    browser_sign_in(page, live_server.url, "office_a", PASSWORD)
    for lang in ("en", "zh_CN"):
        read_in(page, lang)
        page.goto(f"{live_server.url}/analytics/heatmap?unit=A1&{RANGE}")
        assert page.locator("td[data-n] .visually-hidden").count() == 2
        assert page.evaluate("() => document.querySelector('.heat-wrap').scrollWidth") > PHONE[0]
        assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE[0], lang
    save_screenshot(page, "analytics-heatmap-phone")
