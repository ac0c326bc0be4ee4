"""Rough edges found walking the tablet loop by hand (issue 5), in Chromium at tablet size:
the score of a checklist not begun, a photo removed offline, what a failed item's evidence
message asks for, the list's state after a return and after approval, the checklist's
state reloaded after submit, a return and an approval, a refusal that
arrives while the inspector is at the submit button, work queued when the session had
ended, the bottom bar on a phone, and the keyboard's focus and large text (WCAG 2.2)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from dudao.inspections.models import Inspection
from dudao.inspections.reviews import review
from dudao.inspections.submission_models import Photo
from dudao.workflow.engine import apply
from tests.browser import ARTIFACTS, PHONE, browser_sign_in, save_screenshot
from tests.conftest import PASSWORD
from tests.inspection_world import World, build_world
from tests.tablet_world import (
    big_jpeg,
    choose,
    fill_everything,
    open_checklist,
    state,
    submissions,
    tablet,
    wait_state,
)

pytestmark = pytest.mark.browser

IN_VIEW = """id => { const box = document.getElementById(id).getBoundingClientRect();
  return box.height > 0 && box.top >= 0 && box.bottom <= window.innerHeight; }"""


@pytest.fixture
def world(session, org, user_factory) -> World:
    return build_world(session, org, user_factory)


def test_a_fresh_checklist_has_no_score_yet(live_server, browser_page, world):
    page = tablet(browser_page, live_server)
    page.goto(f"{live_server.url}/inspect/{world.inspection.id}")
    page.wait_for_selector("body[data-client-ready=yes]")
    assert page.inner_text("#t-score") == "预估得分：尚无计分项"  # not "0% · 不合格"
    choose(page, "plan", "yes")
    # A function, not an expression: Playwright evals an expression in the page, which the
    # page's CSP (no unsafe-eval) refuses whenever the first check does not already pass.
    page.wait_for_function("() => !document.getElementById('t-score').textContent.includes('尚无')")
    assert page.inner_text("#t-score").startswith("预估得分：")


def test_a_photo_removed_offline_is_not_saved_on_the_server(
    live_server, browser_page, world, tmp_path
):
    page = tablet(browser_page, live_server)
    open_checklist(page, live_server.url, world.inspection.id)
    choose(page, "pledges_public", "yes")
    page.set_input_files("#f-pledges_evidence", str(big_jpeg(tmp_path / "p.jpg", 600, 400)))
    wait_state(page, "synced")
    page.context.set_offline(True)
    remove = page.locator(".t-photos[data-for=a_pledges_evidence] .t-photo-remove")
    box = remove.bounding_box()
    assert box["width"] >= 44 and box["height"] >= 44  # a touch target, as every control
    remove.click()
    page.wait_for_selector(".t-photos[data-for=a_pledges_evidence]:empty", state="attached")
    wait_state(page, "device")  # the server's draft still has the photo
    assert page.console_errors == []


def test_a_photo_opened_on_its_own_shows_without_console_errors(
    live_server, browser_page, world, session, tmp_path
):
    """The review page links each photo; opened in its own tab, the browser's image page
    styles itself inline, which the pages' policy refused (an error per style)."""
    page = tablet(browser_page, live_server)
    open_checklist(page, live_server.url, world.inspection.id)
    choose(page, "pledges_public", "yes")
    page.set_input_files("#f-pledges_evidence", str(big_jpeg(tmp_path / "p.jpg", 600, 400)))
    wait_state(page, "synced")
    photo = session.scalars(select(Photo).where(Photo.inspection_id == world.inspection.id)).one()
    response = page.goto(f"{live_server.url}/api/v1/photos/{photo.id}")
    assert response.status == 200
    assert "script-src" not in response.headers["content-security-policy"]  # none at all
    assert page.evaluate("() => document.images[0].naturalWidth") == 600
    assert page.console_errors == []


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


def _submitted(browser_page, live_server, world: World) -> Any:
    """A tablet that filled in the world's inspection and submitted it."""
    page = tablet(browser_page, live_server)
    open_checklist(page, live_server.url, world.inspection.id)
    fill_everything(page)
    page.click("form#dform button[type=submit]")
    wait_state(page, "submitted")
    return page


def test_the_list_follows_a_return_and_forgets_what_the_server_took(
    live_server, browser_page, world, session
):
    """On the tablet that submitted: a returned checklist is not shown as "submitted" in the
    "returned to you" group, and approved work is not "kept only on this device"."""
    base, inspection_id = live_server.url, world.inspection.id
    page = _submitted(browser_page, live_server, world)
    inspection = session.get(Inspection, inspection_id)
    [first] = submissions(session, inspection_id)
    review(session, world.office, inspection, first, "return", comment="请补充访谈")
    session.commit()

    page.goto(f"{base}/inspect")
    badge = f"#t-returned [data-sync-for='{inspection_id}']"
    page.wait_for_selector(f"{badge}[data-state]")
    assert page.get_attribute(badge, "data-state") == "synced"
    save_screenshot(page, "tablet-list-returned")

    page.goto(f"{base}/inspect/{inspection_id}")
    page.wait_for_selector("body[data-client-ready=yes]")
    page.click("form#dform button[type=submit]")
    wait_state(page, "submitted")
    second = max(submissions(session, inspection_id), key=lambda s: s.id)
    review(session, world.office, session.get(Inspection, inspection_id), second, "approve")
    session.commit()
    page.goto(f"{base}/inspect")  # approved: no longer listed, and nothing is left to send
    page.wait_for_selector("body[data-offline-ready=yes]")
    assert page.locator(f"[data-sync-for='{inspection_id}']").count() == 0
    assert page.is_hidden("#t-elsewhere")
    assert page.console_errors == []


def _reopened(page: Any) -> None:
    page.reload()
    page.wait_for_selector("body[data-client-ready=yes]")


def test_a_reloaded_checklist_says_what_the_server_did_with_it(
    live_server, browser_page, world, session
):
    """Reloaded after submit, the checklist took the server's newer draft (the submitted
    answers) and said "Saved on the server"; it says submitted, waiting for the office or
    approved, on another tablet too. Returned, the server's draft is the one to go on from."""
    base, inspection_id = live_server.url, world.inspection.id
    page = _submitted(browser_page, live_server, world)
    _reopened(page)
    assert state(page) == "submitted" and page.inner_text("#t-state") == "已提交"
    assert page.inner_text("#t-banner-text") == "已提交，等待办公室审核。"
    assert page.inner_text("#t-score").startswith("得分（服务器）：")
    assert page.is_disabled("#f-pledges_total")
    save_screenshot(page, "tablet-reloaded-submitted")

    [first] = submissions(session, inspection_id)
    review(session, world.office, session.get(Inspection, inspection_id), first, "return",
           comment="请补充访谈")  # fmt: skip
    session.commit()
    _reopened(page)
    assert state(page) == "synced" and page.inner_text("#t-state") == "已保存到服务器"
    assert page.is_visible("#t-review") and page.is_hidden("#t-banner")
    assert page.is_enabled("#f-pledges_total")

    page.click("form#dform button[type=submit]")
    wait_state(page, "submitted")
    second = max(submissions(session, inspection_id), key=lambda s: s.id)
    review(session, world.office, session.get(Inspection, inspection_id), second, "approve")
    session.commit()
    _reopened(page)
    assert state(page) == "submitted" and page.inner_text("#t-banner-text") == "已审核通过。"
    save_screenshot(page, "tablet-reloaded-approved")

    other = tablet(browser_page, live_server)  # nothing of it on this device
    other.goto(f"{base}/inspect/{inspection_id}")
    other.wait_for_selector("body[data-client-ready=yes]")
    assert state(other) == "submitted" and other.inner_text("#t-banner-text") == "已审核通过。"
    assert page.console_errors == [] and other.console_errors == []


def test_a_refusal_at_the_submit_button_shows_why(live_server, browser_page, world, session):
    base, inspection_id = live_server.url, world.inspection.id
    page = tablet(browser_page, live_server)
    open_checklist(page, base, inspection_id)
    page.context.set_offline(True)
    fill_everything(page)
    page.click("form#dform button[type=submit]")  # at the bottom of the page
    wait_state(page, "queued")
    apply(session, world.office, session.get(Inspection, inspection_id), "cancel",
          fields={"reason": "单位撤并"})  # fmt: skip
    session.commit()
    assert page.evaluate("window.scrollY") > 1000  # the banner's place is far above

    page.context.set_offline(False)
    wait_state(page, "refused")
    page.wait_for_function(IN_VIEW, arg="t-banner")
    assert page.is_visible("#t-export-json")
    page.screenshot(path=str(ARTIFACTS / "tablet-refused-revealed.png"))  # what the eye sees


def test_signed_out_work_leads_to_the_sign_in_and_is_sent(
    live_server, browser_page, world, session
):
    base, inspection_id = live_server.url, world.inspection.id
    page = tablet(browser_page, live_server)
    open_checklist(page, base, inspection_id)
    page.context.set_offline(True)
    fill_everything(page)
    page.click("form#dform button[type=submit]")
    wait_state(page, "queued")
    page.context.clear_cookies()  # the session ended while the tablet was away
    page.context.set_offline(False)
    page.click("#t-sync-now")
    page.wait_for_selector("#t-hint a")
    wait_state(page, "queued")  # the online event may have started a sync of its own
    assert submissions(session, inspection_id) == []
    with page.expect_navigation():
        page.click("#t-hint a")
    page.fill("input[name=username]", "insp")
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.click("button.primary")
    assert page.url == f"{base}/inspect/{inspection_id}"  # back to the checklist
    wait_state(page, "submitted")
    assert len(submissions(session, inspection_id)) == 1


def test_the_bottom_bar_fits_a_phone_in_english(live_server, browser_page, world, session):
    world.inspector.locale = "en"  # the longest state label
    session.commit()
    page = browser_page(*PHONE)
    browser_sign_in(page, live_server.url, "insp", PASSWORD)
    open_checklist(page, live_server.url, world.inspection.id)
    page.context.set_offline(True)
    fill_everything(page)
    page.click("form#dform button[type=submit]")
    wait_state(page, "queued")
    assert page.inner_text("#t-state") == "Submitted on this device, will send when online"
    right = page.evaluate("document.getElementById('t-sync-now').getBoundingClientRect().right")
    assert right <= PHONE[0]  # "Sync now" whole on screen, not pushed off by the state
    assert page.evaluate("document.getElementById('t-progress').offsetWidth") >= 80
    page.screenshot(path=str(ARTIFACTS / "tablet-phone-queued-en.png"))


#: The focused element when it is entirely behind the bottom bar, or under the section menu
#: stuck at the top (WCAG 2.4.11), else null.
HIDDEN_FOCUS = """() => {
  const focused = document.activeElement, box = focused.getBoundingClientRect();
  const bar = document.querySelector('.t-bar').getBoundingClientRect();
  const menu = document.querySelector('.dform-sections').getBoundingClientRect();
  const behindBar = !focused.closest('.t-bar') && box.top >= bar.top - 1;
  const underMenu = !focused.closest('.dform-sections') && menu.top <= 1
    && box.bottom <= menu.bottom + 1;
  return behindBar || underMenu ? focused.id || focused.name || focused.tagName : null;
}"""

#: The bar when it stays on screen: its height as a share of the screen.
BAR_SHARE = """() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(() => {
  const bar = document.querySelector('.t-bar');
  const fixed = ['fixed', 'sticky'].includes(getComputedStyle(bar).position);
  done(fixed ? bar.offsetHeight / innerHeight : 0);
})))"""


def test_the_keyboard_and_large_text_never_lose_the_checklist(
    live_server,
    browser_page,
    world: World,
    session,
):
    """Tab and Shift+Tab through the checklist: no stop ends up behind the bottom bar or
    under the sticky section menu (13 of 109 did). Text at 200 % on a phone, or a page
    zoomed to 200 % (640x400): the bar takes at most a third of the screen, or else stays at
    the end of the page (it grew taller than a phone's screen), and nothing scrolls sideways
    (the bar's own entries did not wrap)."""
    page = tablet(browser_page, live_server)
    page.goto(f"{live_server.url}/inspect/{world.inspection.id}")
    page.wait_for_selector("body[data-client-ready=yes]")
    stops = page.evaluate("document.querySelectorAll('#dform input, #dform button').length")
    hidden = []
    for key in ["Tab"] * stops + ["Shift+Tab"] * stops:
        page.keyboard.press(key)
        hidden.append(page.evaluate(HIDDEN_FOCUS))
    assert [h for h in hidden if h] == []
    page.screenshot(path=str(ARTIFACTS / "tablet-checklist-bar.png"))

    page.set_viewport_size({"width": PHONE[0], "height": PHONE[1]})
    page.evaluate("document.documentElement.style.fontSize = '200%'")
    assert page.evaluate(BAR_SHARE) <= 1 / 3
    page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
    submit = page.locator("#dform button[type=submit]").bounding_box()
    bar = page.locator(".t-bar").bounding_box()
    assert submit is not None and bar is not None and submit["y"] + submit["height"] <= bar["y"]
    assert page.evaluate("document.documentElement.scrollWidth <= innerWidth")
    save_screenshot(page, "tablet-phone-large-text")
    page.evaluate("document.documentElement.style.fontSize = ''")
    page.set_viewport_size({"width": 640, "height": 400})
    assert page.evaluate(BAR_SHARE) <= 1 / 3
    assert page.console_errors == []
