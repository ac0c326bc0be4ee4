"""The main pages of each kind of user checked with axe-core in Chromium
(axe-playwright-python): no WCAG 2 A or AA violation — names and labels, contrast, headings
and landmarks, tables scrollable from the keyboard. The office's and the administrator's
pages at a desktop and on a phone, the inspector's on a tablet, a member's questionnaire
and its refusal on a phone; Chinese, as the organisation reads them."""

from __future__ import annotations

from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe

from dudao.definitions.models import DefinitionVersion
from dudao.surveys import issuing
from tests import survey_world
from tests.browser import DESKTOP, PHONE, TABLET, browser_sign_in
from tests.conftest import PASSWORD
from tests.inspection_world import World, world  # noqa: F401
from tests.schedule_world import quarterly_schedule

pytestmark = pytest.mark.browser

AXE = Axe()


def _violations(page: Any, paths: list[str], base: str, refused: str = "") -> list[str]:
    """Each violation on each page, as `path: impact rule (the first element)`; a page that
    does not answer 200 (but `refused`, which answers 404) is one too."""
    found = []
    for path in paths:
        status = page.goto(base + path).status
        if status != (404 if path == refused else 200):
            found.append(f"{path}: status {status}")
        for rule in AXE.run(page).response["violations"]:
            first = rule["nodes"][0]["target"]
            found.append(f"{path}: {rule['impact']} {rule['id']} {first} ({rule['help']})")
    return found


@pytest.mark.parametrize("size", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_the_office_and_administrator_pages(
    live_server,
    browser_page,
    world: World,  # noqa: F811
    session,
    user_factory,
    size,
):
    user_factory("root", ("admin", world.org.group))
    schedule = quarterly_schedule(session, world.org)
    office = browser_page(*size)
    browser_sign_in(office, live_server.url, "office", PASSWORD)
    inspection = world.inspection.id
    paths = ["/", "/inspections", f"/inspections/{inspection}", "/schedules",
             f"/schedules/{schedule.id}/edit", "/schedules/ad-hoc", "/draws/new", "/flags",
             "/reports", "/reports/summary", "/analytics", "/surveys", "/surveys/new", "/audit",
             "/notifications"]  # fmt: skip
    found = _violations(office, paths, live_server.url)
    admin = browser_page(*size)
    browser_sign_in(admin, live_server.url, "root", PASSWORD)
    version = session.get(DefinitionVersion, world.inspection.definition_version_id)
    paths = ["/admin/users", f"/admin/users/{world.inspector.id}", "/admin/definitions",
             f"/admin/definitions/{version.definition_id}",
             f"/admin/definitions/versions/{version.id}", "/units",
             f"/units/{world.org.unit_a1.id}/edit"]  # fmt: skip
    found += _violations(admin, paths, live_server.url)
    assert found == []
    assert office.console_errors == [] and admin.console_errors == []


def test_the_inspector_and_member_pages(
    live_server,
    browser_page,
    world: World,  # noqa: F811
    session,
):
    tablet = browser_page(*TABLET)
    browser_sign_in(tablet, live_server.url, "insp", PASSWORD)
    found = _violations(tablet, ["/inspect", f"/inspect/{world.inspection.id}"], live_server.url)
    campaign = survey_world.campaign_for(session, world.org.company_a)
    survey_world.add_roster(session, world.org.branch_a1, 3)
    token = issuing.generate_invitations(session, None, campaign).rows[0].token
    session.commit()
    member = browser_page(*PHONE)
    refused = "/s/o/not-a-real-token-at-all"
    found += _violations(member, [f"/s/{token}", "/s", refused, "/login"], live_server.url, refused)
    assert found == []
    assert tablet.console_errors == []
    assert member.console_errors == [  # the refusal's own status, nothing else
        "Failed to load resource: the server responded with a status of 404 (NOT FOUND)"
    ]
