"""The targets pages in Chromium: a unit lead registers a pioneer post through the real form
(CSRF and all), the office sees it counted with progress bars; screenshots to look at."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from dudao.targets.services import Upload
from tests.browser import (
    DESKTOP,
    TABLET,
    assert_pages_fit,
    browser_sign_in,
    save_screenshot,
)
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
    expect(lead.locator("#member_count-error")).to_be_visible()  # beside the field, nothing saved
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
    expect(office.locator("tr[data-entry]")).to_have_count(1)  # waits for the page it opens
    save_screenshot(office, "targets-manual-entries")
    errors = [e for e in lead.console_errors + office.console_errors if "422" not in e]
    assert not errors  # e.g. a Content-Security-Policy violation (the 422 was the bad form)


def test_the_office_pages_fit_a_tablet_and_a_desktop(
    live_server, browser_page, session, org, user_factory, settings
):
    """A card is never wider than the page and names wrap: in English the targets page and a
    target's page scrolled sideways by 84-93 px at 820 px (the cards' grid took the width of
    their widest table), and the entries and the posts hid their last columns."""
    org.company_a.name = "华辰建设工程有限公司第一工程局机关党委"
    org.company_a.name_en = "Huachen Construction and Engineering Co., Ltd. First Bureau"
    org.unit_a1.name = "华辰能源机关综合办公室第二联合党总支"
    org.unit_a1.name_en = "Energy Headquarters General Office Second Joint Party Committee"
    org.branch_a1.name = "平川工程处第一项目部桥隧施工队党支部"
    org.branch_a1.name_en = "Pingchuan Engineering Division Bridge and Tunnel Crew Party Branch"
    duties = "党员带班下井，每班开展隐患排查。" * 3
    make_post(session, org.branch_a1, "井下安全生产党员先锋岗（综采一队夜班）",
              responsible="王建国、李明", description=duties)  # fmt: skip
    evidence = Upload("华辰党建〔2026〕典型案例汇编第五期.pdf", b"%PDF-1.4 x", "application/pdf")
    make_entry(session, org.unit_a1, settings.data_dir, 2, upload=evidence)
    session.commit()
    user_factory("office_g", ("office", org.group))
    page = browser_page(*TABLET)
    browser_sign_in(page, live_server.url, "office_g", PASSWORD)
    pages = ("/targets", "/targets/promoted_practice", "/targets/pioneer_posts",
             "/targets/pioneer-posts")  # fmt: skip
    assert_pages_fit(page, live_server.url, pages, "targets-entries")
    assert page.console_errors == []
