"""The definition form in a real Chromium at tablet size: every item type renders,
show_if hides and shows live without a round trip, errors appear beside fields."""

from __future__ import annotations

from typing import Any

import pytest

from dudao.config import PROJECT_ROOT
from dudao.definitions.queries import current_version
from dudao.definitions.services import sync_forms
from tests.browser import (
    DESKTOP,
    TABLET,
    browser_sign_in,
    each_language_and_size,
    fits_sideways,
    save_screenshot,
)
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser

ITEM_TYPES = (
    "yes_no",
    "single_choice",
    "multi_choice",
    "scale",
    "rating",
    "number",
    "text",
    "date",
    "photo",
    "note",
)


@pytest.fixture
def office_page(live_server, browser_page, org, user_factory) -> Any:
    user_factory("office1", ("office", org.group))
    page = _watch(browser_page(*TABLET))
    browser_sign_in(page, live_server.url, "office1", PASSWORD)
    page.goto(f"{live_server.url}/definitions/preview/sample")
    return page


def _problems(page: Any) -> list[str]:
    """Console errors (a CSP violation is one) and failed requests; a 422 re-rendered form
    is expected (its console line is covered by the request check)."""
    console = [t for t in page.console_errors if not t.startswith("Failed to load resource")]
    return console + page.bad_urls


def _watch(page: Any) -> Any:
    page.bad_urls = []
    page.on(
        "response",
        lambda r: (
            r.status >= 400
            and r.status != 422
            and not r.url.endswith("/favicon.ico")
            and page.bad_urls.append(f"{r.status} {r.url}")
        ),
    )
    return page


def _shown(page: Any, key: str) -> bool:
    return page.locator(f"#item-{key}").is_visible()


def test_every_item_type_renders_with_big_targets(office_page: Any) -> None:
    page = office_page
    for item_type in ITEM_TYPES:
        assert page.locator(f".ditem-{item_type}").count() >= 1, item_type
    photo = page.locator("input[type=file][name=a_board_photo]")
    assert photo.get_attribute("accept") == "image/*"
    assert photo.get_attribute("capture") == "environment"
    # Every visible tile and text input is at least 44 px high (and tiles as wide).
    for selector in (".dtile span", ".ditem input[type=text]", ".ditem input[type=date]"):
        for box in page.locator(selector).all():
            if box.is_visible():
                size = box.bounding_box()
                assert size["height"] >= 44, (selector, size)
                if selector == ".dtile span":
                    assert size["width"] >= 44, (selector, size)
    # A page wider than the tablet would mean horizontal scrolling.
    assert page.evaluate("document.documentElement.scrollWidth") <= TABLET[0]
    save_screenshot(page, "definitions-form-tablet")
    assert _problems(page) == []


def test_show_if_is_live_without_a_round_trip(office_page: Any) -> None:
    page = office_page
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    assert not _shown(page, "overdue_months")
    assert not _shown(page, "overdue_reason")
    page.click("label.dtile-no:has(input[name=a_committee])")
    assert _shown(page, "overdue_months")
    assert not _shown(page, "overdue_reason")
    page.fill("#f-overdue_months", "12")
    assert _shown(page, "overdue_reason")
    # Hiding the first item hides the one that depends on it, whatever its answer.
    page.click("label.dtile-yes:has(input[name=a_committee])")
    assert not _shown(page, "overdue_months")
    assert not _shown(page, "overdue_reason")
    # any(): a low rating or "none organised" asks for the person responsible.
    assert not _shown(page, "follow_up")
    page.click("label.dpoint:has(input[name=a_overall][value='3'])")
    assert _shown(page, "follow_up")
    page.click("label.dpoint:has(input[name=a_overall][value='8'])")
    assert not _shown(page, "follow_up")
    page.click("label.dtile:has(input[name=a_study_form][value=none])")
    assert _shown(page, "follow_up")
    assert [url for url in requests if "/static/" not in url] == []
    # The character counter follows typing.
    page.fill("#f-remarks", "abcde")
    assert page.locator("#c-remarks span").inner_text() == "5"
    assert _problems(page) == []


def test_errors_appear_beside_fields_on_submit(office_page: Any) -> None:
    page = office_page
    page.click("label.dtile-no:has(input[name=a_committee])")
    page.fill("#f-overdue_months", "abc")
    page.fill("#f-attendance", "120")
    with page.expect_navigation():
        page.click(".dform-actions button")
    assert page.locator(".dform-summary").is_visible()
    for key in ("committee", "overdue_months", "records", "study_form", "attendance"):
        error = page.locator(f"#item-{key} .field-error")
        assert error.is_visible(), key
        assert error.inner_text().strip(), key
    # What was entered is still there, and the live rules still apply.
    assert page.locator("#f-overdue_months").input_value() == "abc"
    assert page.locator("input[name=a_committee][value=no]").is_checked()
    assert _shown(page, "overdue_months")
    save_screenshot(page, "definitions-form-errors-tablet")

    page.fill("#n-committee-text", "换届材料缺失")
    page.fill("#f-overdue_months", "2")
    page.fill("#f-attendance", "85.5")
    page.click("label.dtile-yes:has(input[name=a_records])")
    page.click("label.dtile:has(input[name=a_study_form][value=onsite])")
    with page.expect_navigation():
        page.click(".dform-actions button")
    assert page.locator(".dform-summary").count() == 0
    score = page.locator("#dscore")
    assert score.is_visible()
    assert "60" in score.inner_text()  # 3 of 5 weighted points; the critical item failed
    save_screenshot(page, "definitions-form-scored-tablet")
    assert _problems(page) == []


def test_questionnaire_on_a_phone(live_server, browser_page, org, user_factory) -> None:
    user_factory("office2", ("office", org.group))
    page = _watch(browser_page(390, 844))
    browser_sign_in(page, live_server.url, "office2", PASSWORD)
    page.goto(f"{live_server.url}/definitions/preview/sample/questionnaire")
    assert not _shown(page, "q_why")
    page.click("label.dpoint:has(input[name=a_q_work][value='2'])")
    assert _shown(page, "q_why")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    save_screenshot(page, "definitions-questionnaire-phone")
    page.click("label.dpoint:has(input[name=a_q_leaders][value='5'])")
    with page.expect_navigation():
        page.click(".dform-actions button")
    assert "62.5" in page.locator("#dscore").inner_text()
    assert _problems(page) == []


def test_a_checklist_version_fits_a_tablet_and_a_desktop(
    live_server, browser_page, session, org, user_factory
) -> None:
    """Types, answer options, conditions and scoring wrap (td.wrap-short): in English the
    shipped checklist's items were 1,046 px wide and hid their scoring at 820 and 1024 px."""
    sync_forms(session, None, PROJECT_ROOT / "forms")
    version = current_version(session, "branch_standardisation")
    assert version is not None
    session.commit()
    user_factory("office1", ("office", org.group))
    page = browser_page(*TABLET)
    browser_sign_in(page, live_server.url, "office1", PASSWORD)
    for lang, width in each_language_and_size(page):
        page.goto(f"{live_server.url}/admin/definitions/versions/{version.id}")
        assert page.locator("main .table-wrap").count() >= 3
        assert fits_sideways(page), (lang, width)
        if width == DESKTOP[0]:
            save_screenshot(page, f"definition-version-{lang}")
    assert page.console_errors == []
