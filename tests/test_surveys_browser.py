"""Answering on a phone-sized Chromium: no sideways scrolling, the anonymity note first,
a link and a slip code both lead to the thanks page."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from sqlalchemy import func, select

from dudao.surveys.models import PendingResponse
from tests import survey_world
from tests.browser import browser_sign_in, save_screenshot
from tests.conftest import PASSWORD
from tests.survey_world import GOOD

pytestmark = pytest.mark.browser


def _fill(page) -> None:
    for key, value in GOOD.items():
        page.locator(f'input[name="a_{key}"][value="{value}"]').check(force=True)


def _fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_a_member_answers_by_link_and_by_code_on_a_phone(live_server, browser_page, session, org):
    world = survey_world.build(session, org)
    page = browser_page(390, 844)
    page.goto(f"{live_server.url}/s/{world.tokens['A1-1'][0]}")
    assert page.locator("section.anonymity").is_visible()
    first = page.locator("section.anonymity").bounding_box()
    form = page.locator("form.dform").bounding_box()
    assert first is not None and form is not None and first["y"] < form["y"]
    assert _fits(page)
    save_screenshot(page, "survey-answer-phone")
    # At most three areas: with three ticked the others wait, until one is unticked.
    areas = page.locator("[data-max-choices='3'] input[type=checkbox]")
    for n in range(3):
        areas.nth(n).check()
    assert areas.nth(3).is_disabled() and not areas.nth(0).is_disabled()
    areas.nth(0).uncheck()
    assert not areas.nth(3).is_disabled()
    _fill(page)
    page.locator("form.dform button[type=submit]").click()
    page.wait_for_url("**/s/thanks")
    assert _fits(page)

    page.goto(f"{live_server.url}/s")
    page.fill("#code", world.codes["A1-2"][0].lower())
    page.locator("main form button").click()
    page.wait_for_selector("form.dform")
    assert page.url == f"{live_server.url}/s"  # the code never appears in a URL
    _fill(page)
    page.locator("form.dform button[type=submit]").click()
    page.wait_for_url("**/s/thanks")
    session.expire_all()
    assert session.scalar(select(func.count()).select_from(PendingResponse)) == 2

    page.goto(f"{live_server.url}/s/{world.tokens['A1-1'][0]}")
    assert page.locator("h1").inner_text()  # the one refusal page, still phone-sized
    assert _fits(page)


def _summary_lines_wrap_inline(page) -> bool:
    """Each error-summary line runs on after its question: the message starts on the
    line where the (possibly wrapped) question ends, not on a line of its own."""
    return page.evaluate(
        """() => [...document.querySelectorAll('.dform-summary li')].every(li => {
            const link = li.querySelector('a'), rest = document.createRange();
            rest.setStartAfter(link); rest.setEndAfter(li.lastChild);
            const lines = link.getClientRects();
            return rest.getClientRects()[0].top < lines[lines.length - 1].bottom - 1;
        })"""
    )


def _points_fit(page) -> bool:
    """No point tile's words spill out of it, and the tiles of a row are equally tall."""
    return page.evaluate(
        """() => [...document.querySelectorAll('.dpoints')].every(row => {
            const tiles = [...row.querySelectorAll('.dpoint span')];
            const heights = new Set(tiles.map(t => Math.round(t.getBoundingClientRect().height)));
            return heights.size === 1 && tiles.every(t => t.scrollWidth <= t.clientWidth + 1);
        })"""
    )


@pytest.mark.parametrize("lang", ["en", "zh_CN"])
def test_the_questions_and_the_error_summary_fit_a_phone(
    live_server, browser_page, session, org, lang
):
    world = survey_world.build(session, org)
    page = browser_page(390, 844)
    page.goto(f"{live_server.url}/s/{world.tokens['A1-1'][0]}")
    if lang == "en":
        page.locator('button[name="switch_lang"][value="en"]').click()
        page.wait_for_selector("html[lang=en]")
    assert _points_fit(page)
    ends = page.locator("#item-sat_leadership .dpoints-ends")
    assert ends.is_visible()
    assert ends.inner_text().split()[:2] == ["1", "="]
    page.locator("form.dform button[type=submit]").click()
    page.wait_for_selector(".dform-summary")
    assert _summary_lines_wrap_inline(page)
    first = page.locator(".dform-summary li").first.inner_text()
    assert first.endswith(("：此题为必答题。", ": This question needs an answer."))
    save_screenshot(page, f"survey-errors-phone-{lang}")
    page.set_viewport_size({"width": 820, "height": 1180})
    assert _points_fit(page) and not ends.is_visible()  # a tablet has room for the words
    assert page.locator("#item-sat_leadership .dpoint small").first.is_visible()


#: Each scale's tiles per row, top to bottom (a rating's too), keyed by item.
ROWS = """() => Object.fromEntries([...document.querySelectorAll('.dpoints')].map(row => {
  const tops = [...row.querySelectorAll('.dpoint')]
    .map(tile => Math.round(tile.getBoundingClientRect().top));
  const counts = [...new Set(tops)].map(top => tops.filter(t => t === top).length);
  return [row.closest('.ditem').dataset.item, counts];
}))"""


#: The contrast with white of the edges of a text field and of a point's tile (WCAG 1.4.11).
EDGE_CONTRAST = """() => ['textarea', '.dpoint span'].map(selector => {
  const rgb = getComputedStyle(document.querySelector(selector)).borderTopColor.match(/\\d+/g);
  const [r, g, b] = rgb.map(c => c / 255)
    .map(c => c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4);
  return 1.05 / (0.2126 * r + 0.7152 * g + 0.0722 * b + 0.05);
})"""


def test_the_scales_and_fields_read_well_on_a_small_phone(live_server, browser_page, session, org):
    """At 360 px a five-point scale wrapped 4 + 1, "5 (very satisfied)" alone under "1"; the
    fields' grey edges had 1.87:1 against white."""
    world = survey_world.build(session, org)
    page = browser_page(360, 740)
    page.goto(f"{live_server.url}/s/{world.tokens['A1-1'][0]}")
    for width, rating in ((360, [4, 4, 3]), (320, [4, 4, 3]), (390, [6, 5])):
        page.set_viewport_size({"width": width, "height": 740})
        rows = page.evaluate(ROWS)
        assert rows.pop("recommend") == rating, width
        assert set(map(tuple, rows.values())) == {(5,)}, width
        smallest = page.evaluate(
            "Math.min(...[...document.querySelectorAll('.dpoint')].map(t => t.offsetWidth))"
        )
        assert smallest >= 44 and _fits(page), width
    assert min(page.evaluate(EDGE_CONTRAST)) >= 3
    save_screenshot(page, "survey-scales-390")


def test_a_long_comment_without_spaces_breaks_rather_than_widen_the_results(
    live_server, browser_page, session, org, user_factory
):
    """One pasted URL made the results page 16,100 px wide."""
    campaign = survey_world.close(session, survey_world.campaign_for(session, org.company_a))
    survey_world.answered(
        session, campaign, org.branch_a1, 12, comment="https://x.cn/" + "a" * 2000
    )
    user_factory("office_a", ("office", org.company_a))
    page = browser_page(390, 844)
    browser_sign_in(page, live_server.url, "office_a", PASSWORD)
    page.goto(f"{live_server.url}/surveys/{campaign.id}/results")
    assert page.locator("ul.comments li").count() >= 12 and _fits(page)


def test_an_answering_page_asks_the_server_only_for_s_paths(
    live_server, browser_page, session, org
):
    """Every request of an answer, stylesheets and scripts included, is an /s request,
    which the access log writes without the member's address (web/logmask.py)."""
    world = survey_world.build(session, org)
    page = browser_page(390, 844)
    paths: list[str] = []
    page.on("request", lambda request: paths.append(urlsplit(request.url).path))
    page.goto(f"{live_server.url}/s/{world.tokens['A1-1'][0]}")
    _fill(page)
    page.locator("form.dform button[type=submit]").click()
    page.wait_for_url("**/s/thanks")
    page.wait_for_load_state("networkidle")
    assert any(p.endswith("/forms.css") for p in paths) and any(p.endswith(".js") for p in paths)
    assert [p for p in paths if not p.startswith("/s/")] == []
    assert page.evaluate("getComputedStyle(document.querySelector('.topbar')).display") != "inline"
    page.goto(f"{live_server.url}/login")
    assert page.locator('link[rel="stylesheet"]').get_attribute("href").startswith("/static/")
