"""The web shell in Chromium: the look at phone, tablet and desktop sizes, keyboard use, the
language switch, and a menu that wraps instead of scrolling."""

from __future__ import annotations

import pytest

from tests.browser import (
    DESKTOP,
    PHONE,
    TABLET,
    browser_sign_in,
    each_language_and_size,
    save_screenshot,
)
from tests.conftest import PASSWORD


@pytest.mark.browser
@pytest.mark.parametrize("size", [PHONE, TABLET, DESKTOP], ids=["phone", "tablet", "desktop"])
def test_screens_in_chromium(live_server, browser_page, org, user_factory, size):
    user_factory("ada", ("admin", org.group), ("inspector", org.unit_a1))
    page = browser_page(*size)
    name = f"{size[0]}x{size[1]}"

    page.goto(f"{live_server.url}/login")
    assert page.title() == "登录 · 督导"
    save_screenshot(page, f"login-{name}")
    _assert_fits(page)

    browser_sign_in(page, live_server.url, "ada", PASSWORD)
    assert page.url.rstrip("/") == live_server.url
    assert page.inner_text("h1") == "Ada，您好"
    assert page.locator(".card").count() >= 3
    save_screenshot(page, f"home-{name}")
    _assert_fits(page)
    assert page.console_errors == []  # a CSP violation or a missing file would show here

    page.keyboard.press("Tab")  # the first stop is the skip link, and it becomes visible
    skip = page.locator(".skip-link")
    assert skip.evaluate("e => e === document.activeElement")
    assert skip.bounding_box()["y"] >= 0
    skip.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"

    with page.expect_navigation():
        page.click("button[name=lang][value=en]")  # the real form, CSRF token and all
    assert page.inner_text("h1") == "Welcome, Ada"
    assert page.get_attribute("html", "lang") == "en"
    # English punctuation in a Latin font: an apostrophe far narrower than a Chinese character.
    widths = page.evaluate(
        """() => ['\u2019', '\u4e2d'].map(text => {
            const span = document.createElement('span');
            span.textContent = text;
            document.querySelector('main').append(span);
            const width = span.getBoundingClientRect().width;
            span.remove();
            return width;
        })"""
    )
    assert widths[0] < 0.5 * widths[1], widths
    save_screenshot(page, f"home-en-{name}")
    _assert_fits(page)
    with page.expect_navigation():
        page.click("button[name=lang][value=zh_CN]")

    page.goto(f"{live_server.url}/no/such/page")
    assert page.inner_text("h1").startswith("页面不存在")
    save_screenshot(page, f"error-404-{name}")
    _assert_fits(page)
    assert all("status of 404" in error for error in page.console_errors)


def _assert_fits(page) -> None:
    """No sideways scrolling of the whole page, and every control is a 44 px touch target."""
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    small = page.evaluate(
        """() => [...document.querySelectorAll('button, input:not([type=hidden]), .card')]
            .filter(e => e.offsetParent !== null && !['checkbox', 'radio'].includes(e.type))
            .filter(e => e.getBoundingClientRect().height < 44)
            .map(e => e.outerHTML.slice(0, 80))"""
    )
    assert small == []


@pytest.mark.browser
def test_the_menu_wraps_instead_of_scrolling(live_server, browser_page, org, user_factory):
    """The office has the most entries; in English at tablet width they once ran off the
    right edge, reachable only by scrolling the menu sideways."""
    user_factory("olga", ("office", org.group))
    page = browser_page(*TABLET)
    browser_sign_in(page, live_server.url, "olga", PASSWORD)
    for lang, width in each_language_and_size(page, (TABLET, PHONE, DESKTOP)):
        page.goto(f"{live_server.url}/")
        if width == PHONE[0]:  # folded behind its button there (next test)
            page.click(".menu-toggle")
        save_screenshot(page, f"menu-{lang}-{width}")
        outside = page.evaluate(
            """() => [...document.querySelectorAll('.mainnav a')]
                .filter(a => a.getBoundingClientRect().left < 0
                    || a.getBoundingClientRect().right > window.innerWidth)
                .map(a => a.textContent.trim())"""
        )
        assert outside == [], (lang, width)
        assert page.locator(".mainnav a").count() >= 15
        _assert_fits(page)


@pytest.mark.browser
def test_a_phone_folds_the_menu_behind_a_button(live_server, browser_page, org, user_factory):
    """Unfolded, the office's nineteen entries took five rows of a phone's screen."""
    user_factory("olga", ("office", org.group))
    page = browser_page(*PHONE)
    browser_sign_in(page, live_server.url, "olga", PASSWORD)
    page.goto(f"{live_server.url}/units")
    assert not page.is_visible(".mainnav") and page.is_visible(".menu-toggle")
    assert page.evaluate("() => document.querySelector('.topbar').offsetHeight") < 100
    page.click(".menu-toggle")
    assert page.get_attribute(".menu-toggle", "aria-expanded") == "true"
    assert page.locator(".mainnav a").count() >= 15
    assert page.is_visible(".mainnav a[aria-current=page]")
    page.click(".menu-toggle")
    assert not page.is_visible(".mainnav")
    page.set_viewport_size({"width": DESKTOP[0], "height": DESKTOP[1]})
    assert page.is_visible(".mainnav") and not page.is_visible(".menu-toggle")
    assert page.console_errors == []
