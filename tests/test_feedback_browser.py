"""Named feedback in Chromium: what a representative typed reads as they typed it."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from dudao.feedback.models import FeedbackItem, FeedbackKind
from dudao.feedback.services import submit_feedback
from tests.browser import (
    DESKTOP,
    PHONE,
    TABLET,
    browser_sign_in,
    each_language_and_size,
    fits_sideways,
    save_screenshot,
)
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


def test_the_office_reads_the_feedback_with_its_line_breaks(
    live_server, browser_page, session, org, user_factory, settings
):
    rep = user_factory("rep", ("representative", org.unit_a1))
    user_factory("office_a", ("office", org.company_a))
    item = submit_feedback(
        session, rep, unit=org.branch_a1, kind=FeedbackKind.OPINION, category="service",
        title="食堂", body="一、饭菜偏咸。\n二、排队太久。\n三、晚班没有热饭。", uploads=[],
        data_dir=settings.data_dir,
    )  # fmt: skip
    session.commit()
    page = browser_page(*PHONE)
    browser_sign_in(page, live_server.url, "office_a", PASSWORD)
    page.goto(f"{live_server.url}/feedback/{item.id}")
    body = page.locator("main .typed").first
    assert body.inner_text().splitlines() == [
        "一、饭菜偏咸。",
        "二、排队太久。",
        "三、晚班没有热饭。",
    ]
    gap = page.evaluate(
        """() => document.querySelector('main h2').getBoundingClientRect().top
                 - document.querySelector('main .typed').getBoundingClientRect().bottom"""
    )
    assert gap >= 12  # the next heading does not sit on the text
    assert page.console_errors == []
    save_screenshot(page, "feedback-item-phone")


def test_the_office_list_fits_a_tablet_and_a_desktop(
    live_server, browser_page, session, org, user_factory, settings
):
    """Long titles, kinds and unit names wrap: in English the list was 1,092 px wide and
    scrolled its dates out of sight at 1,024 px and on a tablet."""
    _one_of_each_kind_with_long_names(session, org, user_factory, settings)
    user_factory("office_a", ("office", org.company_a))
    session.commit()
    page = browser_page(*TABLET)
    browser_sign_in(page, live_server.url, "office_a", PASSWORD)
    for lang, width in each_language_and_size(page):
        page.goto(f"{live_server.url}/feedback")
        assert page.locator(".table-wrap tbody tr").count() == len(FeedbackKind)
        assert fits_sideways(page), (lang, width)
        if width == DESKTOP[0]:
            save_screenshot(page, f"feedback-list-{lang}")
    assert page.console_errors == []


def test_a_representative_reads_their_list_on_a_phone(
    live_server, browser_page, session, org, user_factory, settings
):
    """One card per item on a phone, its state and date in sight; the list scrolled its
    state and date out of sight there before."""
    _one_of_each_kind_with_long_names(session, org, user_factory, settings)
    page = browser_page(*PHONE)
    browser_sign_in(page, live_server.url, "rep", PASSWORD)
    for lang, _width in each_language_and_size(page, (PHONE, TABLET)):
        page.goto(f"{live_server.url}/feedback/mine")
        assert page.locator(".table-wrap tbody tr").count() == len(FeedbackKind)
        assert fits_sideways(page), lang
        state = page.locator(".table-wrap tbody tr").first.locator("td").nth(3)
        box = state.bounding_box()
        assert box and box["x"] + box["width"] <= page.viewport_size["width"], lang
        if page.viewport_size["width"] == PHONE[0]:
            label = "State" if lang == "en" else "状态"
            assert state.evaluate("td => getComputedStyle(td, '::before').content") == f'"{label}"'
            save_screenshot(page, f"feedback-mine-phone-{lang}")
    assert page.console_errors == []


def test_a_file_beyond_the_limit_is_refused_before_sending(
    live_server, browser_page, session, org, user_factory, tmp_path
):
    """The page says so beside the field and keeps what was typed; sending the form would
    have been answered with a 413 page, and the browser would have lost the text."""
    user_factory("rep", ("representative", org.unit_a1))
    video = tmp_path / "现场录像.pdf"
    video.write_bytes(bytes(11 * 1024 * 1024))
    minutes = tmp_path / "纪要.txt"
    minutes.write_text("会议纪要", encoding="utf-8")
    page = browser_page(*PHONE)
    browser_sign_in(page, live_server.url, "rep", PASSWORD)
    page.goto(f"{live_server.url}/feedback/new")
    page.fill("#title", "食堂排队")
    # A paste beyond the limit is not cut by the browser (it counted an emoji as two and cut
    # silently): the counter says how long it is, in characters, as the server counts them.
    page.fill("#body", "😀" * 10_001)
    assert page.input_value("#body") == "😀" * 10_001
    assert page.inner_text("#body-hint") == "10001 / 10000"
    assert "dcounter-over" in page.get_attribute("#body-hint", "class")
    page.fill("#body", "晚班排队太久，希望增加窗口。")
    assert page.inner_text("#body-hint") == "14 / 10000"
    page.set_input_files("#attachments", [str(minutes), str(video)])
    error = page.locator("#attachments-limit")
    assert "现场录像.pdf" in error.inner_text() and "10" in error.inner_text()
    page.click("button.primary")
    assert page.url.endswith("/feedback/new")
    assert page.input_value("#body") == "晚班排队太久，希望增加窗口。"
    assert page.locator("#attachments").get_attribute("aria-invalid") == "true"
    archive = tmp_path / "照片.zip"
    archive.write_bytes(b"PK")
    page.set_input_files("#attachments", [str(minutes), str(archive)])
    assert "照片.zip" in error.inner_text() and "PDF" in error.inner_text()
    page.set_input_files("#attachments", [str(minutes)])
    assert error.is_hidden()
    page.click("button.primary")
    page.wait_for_url("**/feedback/mine/*")
    assert session.scalars(select(FeedbackItem)).one().body == "晚班排队太久，希望增加窗口。"
    assert page.console_errors == []


def _one_of_each_kind_with_long_names(session, org, user_factory, settings) -> None:
    """Representative `rep` has sent one item of each kind, long titles, about a branch with
    long names in both languages; committed."""
    rep = user_factory("rep", ("representative", org.unit_a1))
    org.branch_a1.name = "华辰能源机关综合办公室第一党支部（机关第二联合党支部）"
    org.branch_a1.name_en = "Energy Headquarters General Office First Joint Party Branch"
    for kind in FeedbackKind:
        submit_feedback(
            session, rep, unit=org.branch_a1, kind=kind, category="service",
            title="关于进一步改进职工食堂晚班供餐和排队秩序的意见建议", body="详见正文。",
            uploads=[], data_dir=settings.data_dir,
        )  # fmt: skip
    session.commit()
