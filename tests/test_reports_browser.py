"""The report page in Chromium: the polling script moves the bar and shows the download
link once a worker has made the report (CSP on, no console errors)."""

from __future__ import annotations

import pytest
from rq import Queue, SimpleWorker

from dudao.core.queue import connect
from tests.browser import DESKTOP, browser_sign_in, save_screenshot
from tests.conftest import PASSWORD
from tests.report_world import report_world  # noqa: F401

pytestmark = pytest.mark.browser


def test_progress_bar_reaches_the_download(live_server, browser_page, app, report_world):  # noqa: F811
    page = browser_page(*DESKTOP)
    browser_sign_in(page, live_server.url, "insp", PASSWORD)
    page.goto(f"{live_server.url}/inspections/{report_world.inspection_id}")
    with page.expect_navigation():
        page.click("form[action*='/reports/inspection/'] button")
    assert "/reports/" in page.url
    assert page.locator("[data-role=download]").is_hidden()
    connection = connect(app.extensions["dudao"].settings)
    SimpleWorker([Queue("reports", connection=connection)], connection=connection).work(
        burst=True, with_scheduler=False
    )
    page.wait_for_selector("[data-role=download]:not([hidden])", timeout=15_000)
    assert page.eval_on_selector("progress", "bar => bar.value") == 100
    save_screenshot(page, "reports-ready")
    with page.expect_download() as download:
        page.click("[data-role=download]")
    assert download.value.suggested_filename.endswith(".pdf")
    assert page.console_errors == []


def test_summary_page_charts_render_under_the_csp(live_server, browser_page, report_world):  # noqa: F811
    page = browser_page(*DESKTOP)
    browser_sign_in(page, live_server.url, "office", PASSWORD)
    page.goto(f"{live_server.url}/reports/summary?unit=G&quarter=2026Q4")
    assert page.locator("svg").count() == 4  # grades, months, items, score trend
    bars = page.locator(".report-chart svg rect[fill='rgb(54%,10%,10%)']")
    assert bars.count() == 3  # three failed items, drawn in the report colour
    box = bars.first.bounding_box()
    assert box is not None and box["width"] > 10
    save_screenshot(page, "reports-summary")
    assert page.console_errors == []


def test_an_english_summary_fits_a_tablet(live_server, browser_page, app, report_world):  # noqa: F811
    """English words are longer than Chinese ones: the sections' headings and names wrap
    instead of pushing their tables sideways off a tablet's screen."""
    from tests.browser import TABLET, read_in

    long_name = "Tunnelling Team 3 Party Branch of a Long Name"
    with app.app_context():
        session = app.extensions["dudao"].session_factory()
        world = report_world.world
        for unit in (world.org.branch_a1, world.org.branch_b1):
            session.get(type(unit), unit.id).name_en = long_name
        session.commit()
        session.close()
    page = browser_page(*TABLET)
    browser_sign_in(page, live_server.url, "office", PASSWORD)
    read_in(page, "en")
    page.goto(f"{live_server.url}/reports/summary?unit=G&quarter=2026Q4")
    assert page.locator("h2", has_text="Score trends (last twelve months)").count() == 1
    assert page.locator("td", has_text=long_name).count() >= 1
    wide = page.eval_on_selector_all(
        ".table-wrap", "ws => ws.filter(w => w.scrollWidth > w.clientWidth + 1).length"
    )
    assert wide == 0
    save_screenshot(page, "reports-summary-en-tablet")
    assert page.console_errors == []
