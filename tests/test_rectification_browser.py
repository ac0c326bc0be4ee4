"""The rest of the loop in Chromium at tablet size (issue 5): a submitted inspection with a failed
item is returned by the office with a comment on one item; the inspector sees the comment
beside that item (offline too), fixes it and resubmits; the office approves and the finding
opens a rectification task; the unit lead answers with a photo; the inspector verifies."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from dudao.inspections.models import Inspection
from dudao.inspections.submission_models import Photo, Rectification, Submission
from tests.browser import TABLET, browser_sign_in, fits_sideways, read_in, save_screenshot
from tests.conftest import PASSWORD
from tests.inspection_world import World, build_world
from tests.rectification_route_world import rectifications_in_and_out
from tests.tablet_world import big_jpeg, choose, fill_everything, wait_state

pytestmark = pytest.mark.browser


@pytest.fixture
def world(session, org, user_factory) -> World:
    return build_world(session, org, user_factory)


def signed_in(browser_page, live_server, username: str) -> Any:
    page = browser_page(*TABLET)
    browser_sign_in(page, live_server.url, username, PASSWORD)
    return page


def latest(session, inspection_id: int) -> Submission:
    session.expire_all()
    return session.scalars(
        select(Submission)
        .where(Submission.inspection_id == inspection_id)
        .order_by(Submission.id.desc())
    ).first()


def test_return_fix_approve_rectify_verify(live_server, browser_page, world, session, tmp_path):
    base, inspection_id = live_server.url, world.inspection.id

    # The inspector submits from the tablet: `plan` fails (with the note it asks for).
    tablet = signed_in(browser_page, live_server, "insp")
    tablet.goto(f"{base}/inspect/{inspection_id}")
    tablet.wait_for_selector("body[data-client-ready=yes]")
    fill_everything(tablet)
    choose(tablet, "plan", "no")
    tablet.fill("#n-plan-text", "没有实施方案")
    tablet.fill("#f-interviews", "3")
    tablet.locator("#f-interviews").blur()
    tablet.click("form#dform button[type=submit]")
    wait_state(tablet, "submitted")
    assert set(latest(session, inspection_id).result["failed"]) == {"plan", "interviews"}

    # The office returns it with an overall comment and one beside `interviews`.
    office = signed_in(browser_page, live_server, "office")
    office.goto(f"{base}/inspections/{inspection_id}")
    office.fill("#c-interviews", "访谈人数偏少，请补充到10人以上")
    office.click("#review-form button[value=return]")  # no overall comment yet: refused
    office.wait_for_selector("#comment-error")
    assert office.input_value("#c-interviews") == "访谈人数偏少，请补充到10人以上"  # kept
    office.fill("#comment", "请补充访谈后重新提交")
    save_screenshot(office, "review-return-tablet")
    office.click("#review-form button[value=return]")
    office.wait_for_selector("dd[data-review=returned]")
    assert "访谈人数偏少" in office.inner_text("#ri-interviews .review-comment")
    session.expire_all()
    assert session.get(Inspection, inspection_id).state == "returned"

    # The inspector's list refreshes the stored pages; the returned checklist then opens
    # offline with the comment beside its item.
    tablet.goto(f"{base}/inspect")
    tablet.wait_for_selector("body[data-offline-ready=yes]")
    tablet.context.set_offline(True)
    tablet.goto(f"{base}/inspect/{inspection_id}")
    tablet.wait_for_selector("body[data-client-ready=yes]")
    assert tablet.inner_text("#t-review-text") == "请补充访谈后重新提交"
    assert "访谈人数偏少" in tablet.inner_text("#item-interviews .t-review-note")
    save_screenshot(tablet, "review-returned-offline-tablet")
    tablet.context.set_offline(False)
    tablet.reload()
    tablet.wait_for_selector("body[data-client-ready=yes]")
    tablet.fill("#f-interviews", "12")
    tablet.locator("#f-interviews").blur()
    tablet.click("form#dform button[type=submit]")
    wait_state(tablet, "submitted")
    second = latest(session, inspection_id)
    assert second.answers["interviews"] == 12 and second.review_state == "pending"

    # The office approves; the finding opens a rectification task for the unit above.
    office.goto(f"{base}/inspections/{inspection_id}")
    office.click("#review-form button[value=approve]")
    office.wait_for_selector("dd[data-review=approved]")
    [finding] = second.findings
    office.click(f"#finding-{finding.id} summary")
    office.select_option(f"#f{finding.id}-owner_unit", str(world.org.unit_a1.id))
    office.fill(f"#f{finding.id}-description", "制定并公示创先争优活动实施方案")
    save_screenshot(office, "review-finding-tablet")
    office.click(f"#finding-{finding.id} button.primary")
    office.wait_for_selector("[data-state=open]")
    task = session.scalar(select(Rectification).where(Rectification.finding_id == finding.id))
    assert task.unit_id == world.org.unit_a1.id and task.state == "open"

    # The unit lead finds it in the list and answers with a photo as evidence.
    lead = signed_in(browser_page, live_server, "lead")
    lead.goto(f"{base}/rectifications")
    lead.click(f"#open a[href='/rectifications/{task.id}']")
    lead.fill("#response", "已制定实施方案，经支委会讨论后在公示栏公示")
    # A photo beyond the limit is refused beside the field before anything is sent (a 413
    # page would lose the answer typed).
    huge = Path(tmp_path) / "IMG_0001.jpg"
    huge.write_bytes(bytes(11 * 1024 * 1024))
    lead.set_input_files("#photos", str(huge))
    assert "IMG_0001.jpg 超过 10 MB" in lead.inner_text("#photos-limit")
    lead.click("#answer-form button.primary")
    assert lead.input_value("#response") == "已制定实施方案，经支委会讨论后在公示栏公示"
    photo = big_jpeg(Path(tmp_path) / "notice.jpg")
    lead.set_input_files("#photos", str(photo))
    assert lead.locator("#photos-limit").is_hidden()
    lead.click("#answer-form button.primary")
    lead.wait_for_selector("[data-state=submitted]")
    lead.wait_for_function(
        "() => [...document.querySelectorAll('#unit-answer img')]"
        ".every(img => img.complete && img.naturalWidth > 0)"
    )
    save_screenshot(lead, "rectification-answered-tablet")
    session.expire_all()
    task = session.get(Rectification, task.id)
    [photo_id] = task.evidence_photo_ids
    assert session.get(Photo, photo_id).width == 1600  # re-encoded and shrunk on the server

    # The inspector who made the finding verifies it.
    tablet.goto(f"{base}/rectifications/{task.id}")
    tablet.click(".workflow-actions button:has-text('验收通过')")
    tablet.wait_for_selector("[data-state=verified]")
    save_screenshot(tablet, "rectification-verified-tablet")
    session.expire_all()
    assert session.get(Rectification, task.id).state == "verified"
    assert tablet.console_errors == [] and lead.console_errors == []
    # The office's one refused return answered 422 on purpose; nothing else went wrong.
    assert [e for e in office.console_errors if "422" not in e] == []


def test_the_task_list_fits_a_tablet(live_server, browser_page, world, session):
    """Long unit names and item labels, an overdue tag: the table still fits 820 px, without
    scrolling sideways (the inspection column waits for a desktop)."""
    tasks = rectifications_in_and_out(
        session, {"a": world.inspection.id, "b": world.inspection_b.id}
    )
    for unit in (world.org.branch_a1, world.org.branch_b1):
        unit.name = "华辰能源机关综合办公室第一党支部（机关第二联合党支部）"
    for key, state in (("a", "open"), ("b", "submitted")):
        task = session.get(Rectification, tasks[key])
        task.finding.item_key = "pledges_public"  # a long label in both languages
        task.state, task.deadline = state, date.today() - timedelta(days=3)
    session.commit()
    page = signed_in(browser_page, live_server, "office")
    for lang in ("en", "zh_CN"):
        read_in(page, lang)
        page.goto(f"{live_server.url}/rectifications")
        assert page.locator(".table-wrap").count() == 2
        save_screenshot(page, f"rectifications-tablet-{lang}")
        assert fits_sideways(page), lang
