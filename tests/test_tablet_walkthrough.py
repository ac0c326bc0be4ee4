"""Rough edges found walking the tablet loop by hand (issue 5), in Chromium at tablet size:
what a failed item's evidence message asks for."""

from __future__ import annotations

import pytest

from tests.inspection_world import World, build_world
from tests.test_tablet_offline import choose, tablet

pytestmark = pytest.mark.browser


@pytest.fixture
def world(session, org, user_factory) -> World:
    return build_world(session, org, user_factory)


def test_a_failed_item_says_which_evidence_it_needs(live_server, browser_page, world):
    page = tablet(browser_page, live_server)
    page.goto(f"{live_server.url}/inspect/{world.inspection.id}")
    page.wait_for_selector("body[data-client-ready=yes]")
    choose(page, "plan", "no")  # asks for a note
    choose(page, "pledges_public", "no")  # a photo
    choose(page, "site_matches", "no")  # a note and a photo
    page.click("form#dform button[type=submit]")
    page.wait_for_selector("#item-plan.has-error")
    # The server's own words (definitions.answers.evidence_message), not "note or photo".
    assert page.inner_text("#e-plan") == "此项不合格：请填写备注，说明存在的问题。"
    assert page.inner_text("#e-pledges_public") == "此项不合格：请添加照片作为佐证。"
    assert page.inner_text("#e-site_matches") == "此项不合格：请填写备注并添加照片。"
    assert page.is_visible("#item-pledges_public details.devidence[open] #p-pledges_public-file")
    assert page.console_errors == []
