"""The account pages in a real browser, at tablet and desktop sizes (CSRF and CSP on)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from dudao.auth.models import User
from tests.browser import DESKTOP, TABLET, browser_sign_in, save_screenshot
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


@pytest.mark.parametrize(("size", "name"), [(TABLET, "tablet"), (DESKTOP, "desktop")])
def test_create_account_and_give_a_role(
    live_server, browser_page, org, user_factory, session, size, name
):
    user_factory("admin_a", ("admin", org.company_a))
    page = browser_page(*size)
    browser_sign_in(page, live_server.url, "admin_a", PASSWORD)
    page.goto(f"{live_server.url}/admin/users/new")
    page.fill("input[name=username]", "wang")
    page.fill("input[name=password]", "short")
    page.fill("input[name=confirm]", "short")
    with page.expect_navigation():
        page.click("button.primary")
    error = page.locator("#password-error")
    assert error.is_visible()
    assert page.get_attribute("#password", "aria-describedby") == "password-error password-hint"
    save_screenshot(page, f"auth-new-account-error-{name}")

    page.fill("input[name=password]", "long enough secret")
    page.fill("input[name=confirm]", "long enough secret")
    with page.expect_navigation():
        page.click("button.primary")
    assert "/admin/users/" in page.url and page.locator("h1").inner_text().startswith("wang")

    page.select_option("select[name=role]", "inspector")
    page.fill("input[name=unit_code]", "B1")  # outside company A
    with page.expect_navigation():
        page.click("form[action$='/grants'] button.primary")
    assert page.locator("#unit_code-error").is_visible()
    page.fill("input[name=unit_code]", "A1")
    with page.expect_navigation():
        page.click("form[action$='/grants'] button.primary")
    assert page.locator("table").first.inner_text().count("A1") == 1
    save_screenshot(page, f"auth-account-{name}")
    # The re-rendered forms answer 422, which Chromium logs; anything else (a CSP
    # violation, a missing file) is a real error.
    assert [e for e in page.console_errors if "status of 422" not in e] == []
    session.expire_all()
    user = session.scalar(select(User).where(User.username == "wang"))
    assert [(g.role.value, g.unit.code) for g in user.grants] == [("inspector", "A1")]
