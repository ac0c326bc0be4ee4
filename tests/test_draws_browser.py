"""Publishing a draw cannot be undone (its seed, inputs and result go public), so the
button asks first; a "no" changes nothing."""

from __future__ import annotations

from datetime import date

import pytest

from dudao.config import PROJECT_ROOT
from dudao.definitions.services import sync_forms
from dudao.scheduling.draw_services import create_draw
from dudao.scheduling.models import SpotCheckDraw
from tests.browser import (
    DESKTOP,
    PHONE,
    browser_sign_in,
    each_language_and_size,
    fits_sideways,
    save_screenshot,
)
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


def test_publishing_a_draw_asks_first(live_server, browser_page, session, org, user_factory):
    sync_forms(session, None, PROJECT_ROOT / "forms")
    office = user_factory("office", ("office", org.group))
    for name in ("plain1", "plain2"):
        user_factory(name, ("inspector", org.group))
    made = create_draw(
        session, office, "2026年第四季度抽查", "branch_standardisation", org.group,
        {"count": 1, "inspectors_per_inspection": 1}, date(2026, 12, 31), seed="s1",
        today=date(2026, 11, 2),
    )  # fmt: skip
    session.commit()
    page = browser_page(*DESKTOP)
    browser_sign_in(page, live_server.url, "office", PASSWORD)
    page.goto(f"{live_server.url}/draws/{made.id}")
    asked: list[str] = []

    def answer(accept: bool):
        def handle(dialog):
            asked.append(dialog.message)
            dialog.accept() if accept else dialog.dismiss()

        return handle

    page.once("dialog", answer(False))
    page.click("button:has-text('公开')")
    assert asked and "无法撤回" in asked[0]
    session.expire_all()
    assert not session.get(SpotCheckDraw, made.id).published  # "no" sent nothing
    page.once("dialog", answer(True))
    with page.expect_navigation():
        page.click("button:has-text('公开')")
    session.expire_all()
    assert session.get(SpotCheckDraw, made.id).published
    assert page.console_errors == []


def test_the_draw_pages_fit_a_phone(live_server, browser_page, session, org, user_factory):
    """At 390 px nothing scrolls sideways: the hashes and the seed wrap, and the new draw's
    inputs take the form's width."""
    sync_forms(session, None, PROJECT_ROOT / "forms")
    office = user_factory("office", ("office", org.group))
    for name in ("plain1", "plain2"):
        user_factory(name, ("inspector", org.group))
    made = create_draw(
        session, office, "2026年第四季度党支部标准化建设双随机抽查", "branch_standardisation",
        org.group, {"count": 1, "inspectors_per_inspection": 1}, date(2026, 12, 31),
        seed="dudao-2026-q4-branch-standardisation-spot-check", today=date(2026, 11, 2),
    )  # fmt: skip
    made.published, made.published_at = True, made.created_at
    session.commit()
    page = browser_page(*PHONE)
    browser_sign_in(page, live_server.url, "office", PASSWORD)
    paths = (f"/draws/{made.id}", f"/draws/{made.id}?verify=1", f"/public/draws/{made.id}",
             "/public/draws", "/draws", "/draws/new")  # fmt: skip
    for lang, width in each_language_and_size(page, (PHONE,)):
        for path in paths:
            page.goto(f"{live_server.url}{path}")
            assert fits_sideways(page), (path, lang, width)
        widths = page.eval_on_selector_all(
            "main form input:not([type=checkbox]):not([type=hidden]), main form select",
            "fields => fields.map(f => f.getBoundingClientRect().width"
            " / f.closest('form').getBoundingClientRect().width)",
        )
        assert widths and min(widths) > 0.95, (lang, widths)
        page.goto(f"{live_server.url}/draws/{made.id}")
        save_screenshot(page, f"draw-phone-{lang}")
    assert page.console_errors == []
