"""Browser fixtures: the app on a real port and Debian's Chromium driven by Playwright.

Loaded for every test module through `pytest_plugins` in tests/conftest.py. Mark
browser tests with `@pytest.mark.browser`; they skip, with the reason, when
/usr/bin/chromium (Debian package `chromium`) or Playwright is missing.

    def test_x(live_server, browser_page, org, user_factory):
        page = browser_page(820, 1180)
        page.goto(live_server.url + "/login")
        save_screenshot(page, "x-tablet")
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from werkzeug.serving import BaseWSGIServer, make_server

from dudao.app import create_app
from dudao.config import Settings

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
#: Chromium's console line for a request made while a test has the network off.
OFFLINE = "net::ERR_INTERNET_DISCONNECTED"
PHONE = (390, 844)
TABLET = (820, 1180)
DESKTOP = (1280, 800)


@dataclass
class LiveServer:
    url: str
    app: Flask
    server: BaseWSGIServer


@pytest.fixture
def live_server(settings: Settings) -> Iterator[LiveServer]:
    """The app as in production (CSRF on, errors as pages) on a free local port.

    It shares the `settings` fixture, so the database the test fills through
    `session`, `org` and `user_factory` is the one the browser sees.
    """
    from tests.conftest import TEMPLATE_CODE

    app = create_app(settings, {"RATELIMIT_ENABLED": False})
    app.jinja_env.bytecode_cache = TEMPLATE_CODE
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield LiveServer(f"http://127.0.0.1:{server.server_port}", app, server)
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
        app.extensions["dudao"].engine.dispose()


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    """One headless Chromium per test worker."""
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing: install Debian's chromium to run browser tests")
    sync_api = pytest.importorskip(
        "playwright.sync_api", reason="Playwright for Python is not installed"
    )
    playwright = sync_api.sync_playwright().start()
    try:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
    except Exception:
        playwright.stop()
        raise
    try:
        yield browser
    finally:
        browser.close()
        playwright.stop()


def _record_error(page: Any, message: Any) -> None:
    if message.type == "error" and OFFLINE not in message.text:
        page.console_errors.append(message.text)


@pytest.fixture
def browser_page(chromium: Any) -> Iterator[Callable[..., Any]]:
    """Factory: a fresh page (own cookies) at the given viewport size.

    Each page records console errors (a Content-Security-Policy violation is one)
    in `page.console_errors`, except the browser's note that a request found the network
    off: only a test that turned it off (`set_offline`) sees one, and the tablet's script
    expects it (a check for new assignments may fall in that moment).
    """
    contexts: list[Any] = []

    def open_page(width: int, height: int) -> Any:
        context = chromium.new_context(viewport={"width": width, "height": height})
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(10_000)
        page.console_errors = []
        page.on("console", lambda message: _record_error(page, message))
        return page

    yield open_page
    for context in contexts:
        context.close()


def browser_sign_in(page: Any, base_url: str, username: str, password: str) -> None:
    """Sign in through the real form (CSRF token and all)."""
    page.goto(f"{base_url}/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    with page.expect_navigation():
        page.click("button.primary")


def read_in(page: Any, lang: str) -> None:
    """Switch to `lang` ("en" or "zh_CN") with the page's own language buttons, unless the
    page already reads so."""
    if page.get_attribute("html", "lang") != ("en" if lang == "en" else "zh-CN"):
        with page.expect_navigation():
            page.click(f"button[name=lang][value={lang}]")


#: The widths an office page must fit without scrolling sideways: a tablet, a small and a
#: usual desktop.
OFFICE_SIZES = (TABLET, (1024, 768), DESKTOP)


def each_language_and_size(
    page: Any, sizes: tuple[tuple[int, int], ...] = OFFICE_SIZES
) -> Iterator[tuple[str, int]]:
    """(language, width) for both languages and every size in `sizes`: the page reads in
    that language and its viewport has that size when the loop body runs."""
    for lang in ("en", "zh_CN"):
        read_in(page, lang)
        for width, height in sizes:
            page.set_viewport_size({"width": width, "height": height})
            yield lang, width


def assert_pages_fit(
    page: Any, base_url: str, paths: tuple[str, ...], name: str, rows: str | None = None
) -> None:
    """Each of `paths` fits every office size in both languages (see `fits_sideways`), and
    shows at least one of `rows` when given; a screenshot `name-<lang>` of the last path."""
    for lang, width in each_language_and_size(page):
        for path in paths:
            page.goto(f"{base_url}{path}")
            if rows:
                assert page.locator(rows).count() >= 1, path
            assert fits_sideways(page), (path, lang, width)
        if width == DESKTOP[0]:
            save_screenshot(page, f"{name}-{lang}")


def fits_sideways(page: Any) -> bool:
    """Nothing scrolls sideways: not the page, nor a table inside its own scrolling box."""
    return page.evaluate(
        """() => document.documentElement.scrollWidth <= window.innerWidth
            && [...document.querySelectorAll('.table-wrap, .table')]
                .every(t => t.scrollWidth <= t.clientWidth)"""
    )


def save_screenshot(page: Any, name: str) -> Path:
    """A full-page PNG in test-artifacts/ (gitignored), for a human to look at."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
