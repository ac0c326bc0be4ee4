"""The offline-first tablet client in a real Chromium at tablet size (issue 5):
fill offline, reload offline, sync once; two tabs and a double tap make one submission;
a submit during a draft save stays queued; a cancelled inspection refuses the sync and
the answers stay on the device (drafts and problems beside the items: test_tablet_drafts)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from dudao.inspections.models import Inspection
from dudao.inspections.submission_models import Photo
from dudao.workflow.engine import apply
from tests.browser import ARTIFACTS, save_screenshot
from tests.inspection_world import world  # noqa: F401
from tests.tablet_world import (
    EXPECTED,
    big_jpeg,
    fill_everything,
    open_checklist,
    second_inspection,
    state,
    stored_submission_id,
    submissions,
    tablet,
    wait_state,
)

pytestmark = pytest.mark.browser


def test_fill_offline_reload_then_sync_once(live_server, browser_page, world, session, tmp_path):  # noqa: F811
    page = tablet(browser_page, live_server)
    base, inspection_id = live_server.url, world.inspection.id
    open_checklist(page, base, inspection_id)
    assert page.evaluate("navigator.serviceWorker.controller !== null")
    save_screenshot(page, "tablet-checklist-empty")

    fill_everything(page, big_jpeg(tmp_path / "site.jpg"))
    progress = (
        "[document.getElementById('t-progress').value, document.getElementById('t-progress').max]"
    )
    assert page.evaluate(progress) == [12, 12]
    page.context.set_offline(True)
    page.click("form#dform button[type=submit]")
    wait_state(page, "queued")
    save_screenshot(page, "tablet-checklist-queued-offline")

    page.reload()  # still offline: the service worker serves the page, IndexedDB the work
    page.wait_for_selector("body[data-client-ready=yes]")
    assert state(page) == "queued"
    assert page.input_value("#f-pledges_total") == "10"
    assert page.input_value("#n-plan-text") == "方案已印发"
    assert page.is_checked("#item-activities input[value=model_posts]")
    assert page.locator(".t-photos[data-for=a_pledges_evidence] img").count() == 1
    kept = "id => DudaoDB.photosOf(id).then(ps => ps.map(p => [p.width, p.height, p.blob.type]))"
    assert page.evaluate(kept, inspection_id) == [[1600, 1200, "image/jpeg"]]  # shrunk here
    assert submissions(session, inspection_id) == []
    page.screenshot(path=str(ARTIFACTS / "tablet-checklist-offline-viewport.png"))

    page.goto(f"{base}/inspect")  # the list opens offline too, with the state on the device
    page.wait_for_selector(f"[data-sync-for='{inspection_id}'][data-state=queued]")
    assert page.locator("#t-online.is-offline").is_visible()
    save_screenshot(page, "tablet-list-offline")
    page.click("#t-sync-now")  # the button says what it did, offline too
    assert "离线" in page.locator("#t-toast").inner_text()
    page.goto(f"{base}/inspect/{inspection_id}")
    page.wait_for_selector("body[data-client-ready=yes]")

    page.context.set_offline(False)
    wait_state(page, "submitted")
    save_screenshot(page, "tablet-checklist-submitted")
    rows = submissions(session, inspection_id)
    assert len(rows) == 1
    stored = rows[0]
    photo_ids = stored.answers.pop("pledges_evidence")
    assert stored.answers == EXPECTED
    assert stored.notes == {"plan": "方案已印发"}
    photo = session.get(Photo, photo_ids[0])
    assert len(photo_ids) == 1 and max(photo.width, photo.height) == 1600
    assert session.get(Inspection, inspection_id).state == "submitted"
    page.click("#t-sync-now")  # nothing left to send: it says so instead of nothing
    page.wait_for_selector("#t-toast:not([hidden])")
    assert page.inner_text("#t-toast") == "本平板上的内容都已保存到服务器。"
    assert page.console_errors == []


def test_two_tabs_and_a_double_tap_make_one_submission(live_server, browser_page, world, session):  # noqa: F811
    base, first_id = live_server.url, world.inspection.id
    second_id = second_inspection(session, world)
    page = tablet(browser_page, live_server)
    posts: list[str] = []
    page.context.on(
        "request",
        lambda r: r.method == "POST" and r.url.endswith("/submissions") and posts.append(r.url),
    )

    # Two tabs of the same inspection, both submitting at the same moment while offline.
    open_checklist(page, base, first_id)
    fill_everything(page)
    other = page.context.new_page()
    other.goto(f"{base}/inspect/{first_id}")
    other.wait_for_selector("body[data-client-ready=yes]")
    assert other.input_value("#f-pledges_total") == "10"  # the same work, from IndexedDB
    page.context.set_offline(True)
    submit = "document.getElementById('dform').requestSubmit()"
    page.evaluate(submit)
    other.evaluate(submit)
    wait_state(page, "queued")
    wait_state(other, "queued")
    assert stored_submission_id(page, first_id) == stored_submission_id(other, first_id)
    page.context.set_offline(False)
    wait_state(page, "submitted")
    wait_state(other, "submitted")
    assert len(submissions(session, first_id)) == 1
    other.close()

    # A double tap on submit, online.
    open_checklist(page, base, second_id)
    fill_everything(page)
    page.dblclick("form#dform button[type=submit]")
    wait_state(page, "submitted")
    page.evaluate(submit)  # and one more try once it went through
    page.wait_for_timeout(300)
    rows = submissions(session, second_id)
    assert len(rows) == 1 and rows[0].answers == EXPECTED
    assert rows[0].submission_id == stored_submission_id(page, second_id)
    assert len(posts) <= 3  # at most one POST per tab/tap reached the network
    assert page.console_errors == []


def test_a_submit_during_a_draft_save_stays_queued(live_server, browser_page, world, session):  # noqa: F811
    """The draft's PUT is held on the wire while the inspector submits, then the network
    goes: the record stays queued (it was once put back to "device" by the draft step)."""
    base, inspection_id = live_server.url, world.inspection.id
    page = tablet(browser_page, live_server)
    held: list[Any] = []
    page.context.route("**/draft", lambda route: held.append(route))
    open_checklist(page, base, inspection_id)
    fill_everything(page)
    for _ in range(100):  # the draft timer fires 2 s after the last change
        if held:
            break
        page.wait_for_timeout(100)
    assert held, "no draft was saved"
    page.evaluate("""() => { window.seen = [];
        new MutationObserver(() => window.seen.push(
          document.getElementById("t-state").dataset.state)
        ).observe(document.getElementById("t-state"), { attributes: true }); }""")
    page.evaluate("document.getElementById('dform').requestSubmit()")
    wait_state(page, "queued")
    page.context.set_offline(True)
    held[0].abort()
    page.wait_for_function("() => window.seen.length && !navigator.onLine")  # a function: CSP
    page.wait_for_timeout(1000)  # the draft step ends and the queued submit finds no network
    seen = page.evaluate("window.seen")
    assert state(page) == "queued" and "device" not in seen[seen.index("queued") :], seen
    page.context.unroute("**/draft")
    page.context.set_offline(False)
    wait_state(page, "submitted")
    assert len(submissions(session, inspection_id)) == 1


def test_cancelled_while_offline_refuses_and_keeps_the_answers(
    live_server,
    browser_page,
    world,  # noqa: F811
    session,
):
    base, inspection_id = live_server.url, world.inspection.id
    page = tablet(browser_page, live_server)
    open_checklist(page, base, inspection_id)
    page.context.set_offline(True)
    fill_everything(page)

    inspection = session.get(Inspection, inspection_id)
    apply(session, world.office, inspection, "cancel", fields={"reason": "单位撤并"})
    session.commit()

    page.click("form#dform button[type=submit]")
    wait_state(page, "queued")
    page.context.set_offline(False)
    wait_state(page, "refused")
    assert page.is_visible("#t-banner") and page.is_visible("#t-export-json")
    assert submissions(session, inspection_id) == []
    kept = page.evaluate("id => DudaoDB.get('work', id)", inspection_id)
    assert kept["answers"]["pledges_total"] == "10" and kept["problem"]["code"] == (
        "inspection_cancelled"
    )
    save_screenshot(page, "tablet-checklist-refused")

    with page.expect_download() as download:
        page.click("#t-export-json")
    exported = json.loads(Path(download.value.path()).read_text(encoding="utf-8"))
    assert exported["inspection"]["id"] == inspection_id
    assert exported["answers"]["leadership"] == "secretary_leads"
    assert exported["notes"] == {"plan": "方案已印发"}
    assert exported["submission"]["id"] and exported["problem"]["code"] == "inspection_cancelled"
    with page.expect_download() as download:
        page.click("#t-export-html")
    readable = Path(download.value.path()).read_text(encoding="utf-8")
    assert "方案已印发" in readable and "书记亲自抓" in readable

    # Reloaded online the page still shows the refusal; the device page lists the work.
    page.reload()
    page.wait_for_selector("body[data-client-ready=yes]")
    assert state(page) == "refused"
    page.goto(f"{base}/inspect/device")
    page.wait_for_selector(f".t-card[data-id='{inspection_id}'] [data-state=refused]")
    save_screenshot(page, "tablet-device-refused")
    # The only console errors are Chromium's notes of the refused (409) requests.
    assert [e for e in page.console_errors if "409" not in e] == []


def test_a_checklist_only_listed_opens_offline_with_its_client(
    live_server,
    browser_page,
    world,  # noqa: F811
    session,
):
    """The list made ready offline keeps its checklists and the files only a checklist loads
    (show_if, forms, score, photos, the client): a checklist never opened online works."""
    base, inspection_id = live_server.url, world.inspection.id
    page = tablet(browser_page, live_server)
    page.goto(f"{base}/inspect")
    page.wait_for_selector("body[data-offline-ready=yes]")
    page.context.set_offline(True)
    page.goto(f"{base}/inspect/{inspection_id}")
    page.wait_for_selector("body[data-client-ready=yes]")
    fill_everything(page)
    page.click("form#dform button[type=submit]")
    wait_state(page, "queued")
    page.context.set_offline(False)
    wait_state(page, "submitted")
    [submitted] = submissions(session, inspection_id)
    assert submitted.answers == EXPECTED
    assert page.console_errors == []


def test_edits_to_a_checklist_submitted_elsewhere_are_refused_not_retried(
    live_server,
    browser_page,
    world,  # noqa: F811
    session,
):
    """Another device (a co-inspector) submitted while this one was offline: its edits are
    "refused by the server", kept, with the exports, not "saved on this device" for ever."""
    import uuid

    from dudao.inspections.submissions import submit
    from tests.inspection_world import PASSING

    base, inspection_id = live_server.url, world.inspection.id
    page = tablet(browser_page, live_server)
    open_checklist(page, base, inspection_id)
    page.context.set_offline(True)
    page.fill("#f-highlights", "离线时写下的亮点")
    page.locator("#f-highlights").blur()
    wait_state(page, "device")
    inspection = session.get(Inspection, inspection_id)
    submit(session, world.inspector, inspection, str(uuid.uuid4()), {"answers": PASSING})
    session.commit()
    page.context.set_offline(False)
    page.evaluate("() => DudaoSync.syncAll()")
    wait_state(page, "refused")
    kept = page.evaluate("id => DudaoDB.get('work', id)", inspection_id)
    assert kept["problem"]["code"] == "inspection_not_open"
    assert kept["answers"]["highlights"] == "离线时写下的亮点"
    assert page.is_visible("#t-banner") and page.is_visible("#t-export-json")
    # The office returns it: opened again, the edits kept here go on to the server.
    from dudao.inspections.drafts import draft_of
    from dudao.inspections.reviews import review

    [taken] = submissions(session, inspection_id)
    review(session, world.office, session.get(Inspection, inspection_id), taken, "return",
           comment="请补充")  # fmt: skip
    session.commit()
    page.reload()
    wait_state(page, "synced")
    session.expire_all()
    assert draft_of(session, inspection_id).answers["highlights"] == "离线时写下的亮点"
