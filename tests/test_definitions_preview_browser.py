"""The shipped definitions in the admin preview, in a real Chromium: show_if on real content."""

from __future__ import annotations

from typing import Any

import pytest

from dudao.definitions import queries
from dudao.definitions.commands import FORMS_FOLDER
from dudao.definitions.services import sync_forms
from tests.browser import TABLET, browser_sign_in, save_screenshot
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


@pytest.fixture
def shipped(session) -> dict[str, int]:
    sync_forms(session, None, FORMS_FOLDER)
    session.commit()
    return {row.definition.key: row.definition.id for row in queries.list_definitions(session)}


def _open_preview(page: Any, base: str, session, key: str) -> None:
    version = queries.current_version(session, key)
    page.goto(f"{base}/admin/definitions/versions/{version.id}/preview")


def _shown(page: Any, key: str) -> bool:
    return page.locator(f"#item-{key}").is_visible()


def test_branch_checklist_preview_on_a_tablet(
    live_server, browser_page, org, user_factory, session, shipped
):
    user_factory("office1", ("office", org.group))
    page = browser_page(*TABLET)
    browser_sign_in(page, live_server.url, "office1", PASSWORD)
    _open_preview(page, live_server.url, session, "branch_standardisation")
    assert page.locator(".ditem").count() == 45
    # A committee is only asked about for 7 or more members.
    assert not _shown(page, "org_committee")
    page.fill("#f-org_member_count", "12")
    assert _shown(page, "org_committee") and _shown(page, "mtg_committee_meetings")
    page.fill("#f-org_member_count", "5")
    assert not _shown(page, "org_committee")
    # Pioneer-post details appear with the posts; the example only for a high rating.
    assert not _shown(page, "pio_photos")
    page.click("label.dtile-yes:has(input[name=a_pio_posts])")
    assert _shown(page, "pio_photos") and _shown(page, "pio_effect")
    assert not _shown(page, "pio_story")
    page.click("label.dpoint:has(input[name=a_pio_effect][value='9'])")
    assert _shown(page, "pio_story")
    assert page.evaluate("document.documentElement.scrollWidth") <= TABLET[0]
    save_screenshot(page, "definitions-shipped-branch-tablet")
    assert page.console_errors == []


def test_satisfaction_survey_preview_on_a_phone(
    live_server, browser_page, org, user_factory, session, shipped
):
    user_factory("office2", ("office", org.group))
    page = browser_page(390, 844)
    browser_sign_in(page, live_server.url, "office2", PASSWORD)
    _open_preview(page, live_server.url, session, "member_satisfaction")
    assert not _shown(page, "dissatisfied_reason")
    page.click("label.dpoint:has(input[name=a_sat_service][value='2'])")
    assert _shown(page, "dissatisfied_reason")
    page.click("label.dpoint:has(input[name=a_sat_service][value='4'])")
    assert not _shown(page, "dissatisfied_reason")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    save_screenshot(page, "definitions-shipped-survey-phone")
    assert page.console_errors == []
