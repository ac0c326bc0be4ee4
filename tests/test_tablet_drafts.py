"""The tablet client in a real Chromium at tablet size, beyond the offline sync: drafts reach
the server, a wiped tablet resumes from them and a return reopens the checklist; an incomplete
or out-of-bounds answer is named beside its item before anything is queued."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

from dudao.inspections.drafts import draft_of
from dudao.inspections.models import Inspection
from dudao.inspections.reviews import review
from dudao.inspections.submission_models import Photo
from tests.browser import save_screenshot
from tests.conftest import PASSWORD
from tests.inspection_world import world  # noqa: F401
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


def test_drafts_reach_the_server_a_wiped_tablet_resumes_and_a_return_reopens(
    live_server,
    browser_page,
    world,  # noqa: F811
    session,
    tmp_path,
):
    base, inspection_id = live_server.url, world.inspection.id
    first = tablet(browser_page, live_server)
    open_checklist(first, base, inspection_id)
    _plan_missing_with_a_photo(first, tmp_path)  # saved to the server as the inspector works
    session.expire_all()
    draft = draft_of(session, inspection_id)
    assert draft.answers["plan"] == "no" and draft.notes == {"plan": "没有方案"}
    [photo_id] = draft.answers["pledges_evidence"]
    assert session.get(Photo, photo_id).height == 1200  # small enough: not resized

    # A wiped (or another) tablet continues from the server's draft, photo included.
    second = tablet(browser_page, live_server)
    second.goto(f"{base}/inspect/{inspection_id}")
    second.wait_for_selector("body[data-client-ready=yes]")
    assert second.is_checked("#item-plan input[value=no]")
    assert second.input_value("#n-plan-text") == "没有方案"
    thumb = second.locator(".t-photos[data-for=a_pledges_evidence] img")
    assert thumb.get_attribute("src") == f"/api/v1/photos/{photo_id}"
    second.wait_for_function(
        "img => img.complete && img.naturalWidth > 0", arg=thumb.element_handle()
    )
    fill_everything(second)
    second.click("form#dform button[type=submit]")
    wait_state(second, "submitted")
    [submitted] = submissions(session, inspection_id)
    assert submitted.answers["pledges_evidence"] == [photo_id]

    # The office returns it with a comment on one item: the tablet reopens it.
    review(
        session, world.office, session.get(Inspection, inspection_id), submitted, "return",
        comment="请补充访谈", item_comments={"interviews": "访谈人数偏少"},
    )  # fmt: skip
    session.commit()
    second.reload()
    second.wait_for_selector("body[data-client-ready=yes]")
    assert second.inner_text("#t-review-text") == "请补充访谈"
    assert "访谈人数偏少" in second.inner_text("#item-interviews .t-review-note")
    assert state(second) == "synced" and second.is_enabled("#f-interviews")
    second.fill("#f-interviews", "25")
    second.click("form#dform button[type=submit]")
    wait_state(second, "submitted")
    rows = sorted(submissions(session, inspection_id), key=lambda s: s.id)
    assert len(rows) == 2 and rows[0].submission_id != rows[1].submission_id
    assert rows[1].answers["interviews"] == 25
    assert not second.is_visible("#t-review")  # the old return comment is history now
    save_screenshot(second, "tablet-checklist-resubmitted")
    assert second.console_errors == [] and first.console_errors == []


def test_an_incomplete_submit_shows_the_problems_beside_the_items(
    live_server,
    browser_page,
    world,  # noqa: F811
    session,
):
    page = tablet(browser_page, live_server)
    page.goto(f"{live_server.url}/inspect/{world.inspection.id}")
    page.wait_for_selector("body[data-client-ready=yes]")
    choose(page, "plan", "no")  # fails, and asks for a note as evidence
    page.click("form#dform button[type=submit]")
    page.wait_for_selector("#item-leadership.has-error")
    assert page.is_visible("#item-plan.has-error details.devidence[open] #n-plan-text")
    assert page.is_visible("#item-start_date.has-error #e-start_date")
    assert state(page) == "device" and submissions(session, world.inspection.id) == []
    # A summary, focused (the submit button is far below), counts them and links each item;
    # each item's inputs are invalid and read its message.
    problems = page.locator(".ditem.has-error").count()
    assert page.evaluate("document.activeElement.id") == "t-summary"
    assert re.findall(r"\d+", page.inner_text("#t-summary-count")) == [str(problems)]
    assert page.locator("#t-summary-list a").count() == problems
    assert page.get_attribute("#t-summary-list a >> nth=0", "href") == "#item-plan"
    assert page.get_attribute("#f-start_date", "aria-invalid") == "true"
    assert "e-start_date" in page.get_attribute("#f-start_date", "aria-describedby")
    radio = "#item-leadership input[value=assigned]"
    assert page.get_attribute(radio, "aria-invalid") == "true"
    assert page.get_attribute(radio, "aria-describedby") == "e-leadership"
    choose(page, "leadership", "assigned")  # answered: its problem goes, the others stay
    page.wait_for_selector("#item-leadership:not(.has-error)")
    assert page.get_attribute(radio, "aria-invalid") is None
    assert page.get_attribute(radio, "aria-describedby") is None
    assert page.locator("#t-summary-list a").count() == problems - 1
    assert page.is_visible("#item-start_date.has-error")
    page.fill("#n-plan-text", "尚未制定")
    page.locator("#n-plan-text").blur()
    page.wait_for_selector("#item-plan:not(.has-error)")
    save_screenshot(page, "tablet-checklist-problems")
    assert page.console_errors == []


def test_an_answer_beyond_its_limits_is_named_before_anything_is_queued(
    live_server,
    browser_page,
    world,  # noqa: F811
    session,
):
    """A typo offline (150 people interviewed, at most 100) is caught on the device in the
    server's words, instead of being queued and refused when the network returns."""
    page = tablet(browser_page, live_server)
    page.goto(f"{live_server.url}/inspect/{world.inspection.id}")
    page.wait_for_selector("body[data-client-ready=yes]")
    page.context.set_offline(True)
    page.fill("#f-interviews", "150")
    page.click("form#dform button[type=submit]")
    page.wait_for_selector("#item-interviews.has-error")
    assert page.inner_text("#e-interviews") == "请输入不大于 100 的数。"
    assert page.get_attribute("#f-interviews", "aria-invalid") == "true"
    assert page.get_attribute("#f-interviews", "aria-describedby") == "r-interviews e-interviews"
    assert state(page) == "device" and submissions(session, world.inspection.id) == []
    # What a number looks like is checked here too, as the server checks it.
    for typed, said in (("12.5", "请输入整数。"), ("1e1", "请输入数字，例如 12 或 3.5。")):
        page.fill("#f-interviews", typed)
        page.click("form#dform button[type=submit]")
        # A function, not an expression: the page's CSP refuses to eval one.
        page.wait_for_function(
            "said => document.querySelector('#e-interviews').innerText === said", arg=said
        )
    assert state(page) == "device" and submissions(session, world.inspection.id) == []
    # Full-width digits, as a Chinese keyboard types them, are the number for the items
    # shown after it too (the server reads them alike: it would require those items).
    page.fill("#f-interviews", "１５")
    page.locator("#f-interviews").blur()
    page.wait_for_selector("#item-interviews:not(.has-error)")
    page.wait_for_selector("#item-known_rate:not([hidden])")
    assert page.get_attribute("#f-interviews", "aria-describedby") == "r-interviews"
    assert page.locator('#t-summary-list a[href="#item-interviews"]').count() == 0
    page.context.set_offline(False)
    assert page.console_errors == []


def test_more_photos_than_an_item_takes_are_named_before_anything_is_queued(
    live_server,
    browser_page,
    world,  # noqa: F811
    session,
    tmp_path,
):
    """Five photos where the item takes four: said on the device, as the server would."""
    page = tablet(browser_page, live_server)
    page.goto(f"{live_server.url}/inspect/{world.inspection.id}")
    page.wait_for_selector("body[data-client-ready=yes]")
    page.context.set_offline(True)
    choose(page, "pledges_public", "yes")
    files = [str(big_jpeg(tmp_path / f"p{n}.jpg", 640, 480)) for n in range(5)]
    page.set_input_files("#f-pledges_evidence", files)
    page.locator(".t-photos[data-for=a_pledges_evidence] img").nth(4).wait_for()
    page.click("form#dform button[type=submit]")
    page.wait_for_selector("#item-pledges_evidence.has-error")
    assert page.inner_text("#e-pledges_evidence") == "最多添加 4 张照片。"
    assert state(page) == "device" and submissions(session, world.inspection.id) == []
    page.context.set_offline(False)
    assert page.console_errors == []


def test_signing_in_again_elsewhere_does_not_stop_the_tablet_saving(
    live_server,
    browser_page,
    world,  # noqa: F811
    session,
):
    """Signing in starts a new session, so a token the page fetched before is refused
    (`csrf_failed`): the page fetches a fresh one and sends again."""
    base, inspection_id = live_server.url, world.inspection.id
    page = tablet(browser_page, live_server)
    open_checklist(page, base, inspection_id)
    choose(page, "plan", "no")
    wait_state(page, "synced")  # the page holds its token now
    page.evaluate(
        """async ([username, password]) => {
            const me = await (await fetch("/api/v1/me")).json();
            await fetch("/logout", {method: "POST",
                                    body: new URLSearchParams({csrf_token: me.csrf_token})});
            const login = await (await fetch("/login")).text();
            const token = login.match(/name="csrf_token" (?:type="hidden" )?value="([^"]+)"/)[1];
            const form = new URLSearchParams({username, password, csrf_token: token});
            await fetch("/login", {method: "POST", body: form});
        }""",
        ["insp", PASSWORD],
    )
    choose(page, "plan", "yes")
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and _saved_plan(session, inspection_id) != "yes":
        time.sleep(0.25)
    assert _saved_plan(session, inspection_id) == "yes", state(page)


def _saved_plan(session, inspection_id: int) -> str | None:
    session.rollback()  # a new read transaction: SQLite would show the snapshot of the last
    draft = draft_of(session, inspection_id)
    return draft.answers.get("plan") if draft else None


def test_two_tablets_on_one_draft_keep_both_sets_of_answers(
    live_server,
    browser_page,
    world,  # noqa: F811
    session,
    tmp_path,
):
    """The second inspector's answers saved while the first worked offline: the first's
    save used to replace the server's draft, and the second's answers were gone on both."""
    base, inspection_id = live_server.url, world.inspection.id
    first, second = tablet(browser_page, live_server), tablet(browser_page, live_server)
    open_checklist(first, base, inspection_id)
    first.context.set_offline(True)

    open_checklist(second, base, inspection_id)
    _plan_missing_with_a_photo(second, tmp_path)

    first.fill("#f-interviews", "25")
    wait_state(first, "device")
    first.context.set_offline(False)
    first.evaluate("() => window.dispatchEvent(new Event('online'))")
    wait_state(first, "synced")
    session.expire_all()
    draft = draft_of(session, inspection_id)
    assert draft.answers["plan"] == "no" and draft.notes == {"plan": "没有方案"}
    assert draft.answers["interviews"] == "25" and draft.answers["pledges_public"] == "yes"
    [photo_id] = draft.answers["pledges_evidence"]
    # The first tablet shows what the second added, the photo too.
    first.wait_for_selector("#item-plan input[value=no]:checked")
    thumb = first.locator(".t-photos[data-for=a_pledges_evidence] img")
    assert thumb.get_attribute("src") == f"/api/v1/photos/{photo_id}"

    second.reload()
    second.wait_for_selector("body[data-client-ready=yes]")
    assert second.input_value("#f-interviews") == "25"
    assert second.is_checked("#item-plan input[value=no]")
    # The first save's 409 draft_changed (the browser logs a refused request) and no other.
    assert [e for e in first.console_errors if "409" not in e] == []
    assert len(first.console_errors) == 1 and second.console_errors == []


def test_a_returned_checklist_keeps_this_tablets_own_photos(
    live_server,
    browser_page,
    world,  # noqa: F811
    session,
    tmp_path,
):
    """The office returns a checklist submitted from this tablet: the photos it took are still
    its own pictures (shown offline too), not links to the server, and an export lists each
    once. Another tablet's readable export says the photo is on the server only."""
    base, inspection_id = live_server.url, world.inspection.id
    page = tablet(browser_page, live_server)
    open_checklist(page, base, inspection_id)
    fill_everything(page, photo=big_jpeg(tmp_path / "wall.jpg", 900, 1200))
    page.click("form#dform button[type=submit]")
    wait_state(page, "submitted")
    [submitted] = submissions(session, inspection_id)
    review(
        session, world.office, session.get(Inspection, inspection_id), submitted, "return",
        comment="请补充访谈",
    )  # fmt: skip
    session.commit()

    page.reload()
    page.wait_for_selector("body[data-client-ready=yes]")
    assert state(page) == "synced"
    thumb = page.locator(".t-photos[data-for=a_pledges_evidence] img")
    assert thumb.get_attribute("src").startswith("blob:")
    exported = page.evaluate(
        "id => DudaoDB.get('work', id).then(DudaoExport.collect)"
        ".then(d => d.photos.map(p => [p.server_id, Boolean(p.data_url)]))",
        inspection_id,
    )
    assert exported == [[submitted.answers["pledges_evidence"][0], True]]
    assert page.console_errors == []

    other = tablet(browser_page, live_server)  # has only the server's reference to the photo
    open_checklist(other, base, inspection_id)
    other.fill("#f-interviews", "12")  # work of its own: the device list keeps it
    other.locator("#f-interviews").blur()
    wait_state(other, "synced")
    other.goto(f"{base}/inspect/device")
    with other.expect_download() as download:
        other.click(f".t-card[data-id='{inspection_id}'] button[data-export=html]")
    readable = Path(download.value.path()).read_text(encoding="utf-8")
    assert "<img" not in readable
    assert "此照片保存在服务器上，不在本设备中：请联网打开此检查查看。" in readable


def _plan_missing_with_a_photo(page, tmp_path) -> None:
    """`plan` failed with a note, pledges made public with a photo; waits until the draft is
    on the server (saved as the inspector works, debounced)."""
    choose(page, "plan", "no")
    page.click("#item-plan details summary")
    page.fill("#n-plan-text", "没有方案")
    choose(page, "pledges_public", "yes")
    page.set_input_files("#f-pledges_evidence", str(big_jpeg(tmp_path / "wall.jpg", 900, 1200)))
    page.wait_for_selector(".t-photos[data-for=a_pledges_evidence] img")
    wait_state(page, "synced")


def test_a_checklist_only_opened_is_not_said_to_be_kept_here(live_server, browser_page, world):  # noqa: F811
    """Opening a checklist changes nothing: it says there is nothing on this device, and the
    device page does not list it; a first answer makes it work kept here."""
    page = tablet(browser_page, live_server)
    open_checklist(page, live_server.url, world.inspection.id)
    wait_state(page, "none")
    assert page.inner_text("#t-state") == "本机无记录"
    page.goto(f"{live_server.url}/inspect")
    page.wait_for_selector(f"[data-sync-for='{world.inspection.id}'][data-state=none]")
    page.goto(f"{live_server.url}/inspect/device")
    page.wait_for_selector("#t-device-empty:not([hidden])")
    assert page.locator("#t-device-list li").count() == 0
    page.goto(f"{live_server.url}/inspect/{world.inspection.id}")
    page.wait_for_selector("body[data-client-ready=yes]")
    choose(page, "pledges_public", "yes")
    page.wait_for_selector("#t-state[data-state=device], #t-state[data-state=synced]")
    page.goto(f"{live_server.url}/inspect/device")
    page.wait_for_selector(f"#t-device-list li[data-id='{world.inspection.id}']")
    assert page.console_errors == []


def test_a_record_left_saving_by_a_closed_page_rests_again(live_server, browser_page, world):  # noqa: F811
    """A page closed mid-request left its record "saving"; offline nothing changed it. The
    next page to start puts it back at rest, here with changes the server does not have."""
    page = tablet(browser_page, live_server)
    open_checklist(page, live_server.url, world.inspection.id)
    page.context.set_offline(True)
    choose(page, "pledges_public", "yes")
    wait_state(page, "device")
    page.evaluate(
        """id => DudaoDB.update("work", id, r => Object.assign(r, { state: "saving" }))""",
        world.inspection.id,
    )
    page.reload()
    wait_state(page, "device")
    page.context.set_offline(False)
