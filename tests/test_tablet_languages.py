"""The tablet names things in its reader's language, offline too: units (`name`, `name_en`)
and definition texts ({zh, en}) reach the device in both languages, and the list, the
device page and the exports show the page's (the English one where there is one, else the
Chinese); work stored on the device before both were kept still shows. The service
worker's last resort, with no page to ask, speaks both."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.browser import TABLET, browser_sign_in, save_screenshot
from tests.conftest import PASSWORD, sign_in
from tests.inspection_world import World, build_world
from tests.tablet_world import big_jpeg, fill_everything, json_block

BRANCH_EN = "Jia Plant One First Branch"
BRANCH_ZH = "甲一厂第一党支部"
TITLE = {"zh": "创先争优活动专项抽查表", "en": "Strive-for-excellence campaign spot check"}


@pytest.fixture
def world(session, org, user_factory) -> World:
    """The campaign spot check of branch A1-1, which has an English name (B1-1 has none)."""
    built = build_world(session, org, user_factory)
    org.branch_a1.name_en = BRANCH_EN
    session.commit()
    return built


def test_the_feed_carries_both_names_and_the_list_shows_the_readers(app, world, org):
    client = app.test_client()
    sign_in(client, "insp")
    inspection_id = world.inspection.id
    (entry,) = client.get("/api/v1/assignments").get_json()["assignments"]
    both = {"id": org.branch_a1.id, "code": "A1-1", "name": BRANCH_ZH, "name_en": BRANCH_EN}
    assert entry["unit"] == both and entry["definition"]["title"] == TITLE
    assert client.get(f"/api/v1/inspections/{inspection_id}").get_json()["unit"] == both
    outsider = app.test_client()
    sign_in(outsider, "outsider")  # B1-1 has no English name: null, not left out
    (other,) = outsider.get("/api/v1/assignments").get_json()["assignments"]
    assert other["unit"]["name_en"] is None and other["unit"]["name"] == org.branch_b1.name

    for lang, shown, hidden in (("en", BRANCH_EN, BRANCH_ZH), ("zh_CN", BRANCH_ZH, BRANCH_EN)):
        client.post("/lang", data={"lang": lang})
        home = client.get("/inspect").get_data(as_text=True)
        assert f"A1-1 {shown}" in home and hidden not in home, lang


def test_the_checklist_hands_the_device_both_languages(app, world, org):
    client = app.test_client()
    sign_in(client, "insp")
    both = {"id": org.branch_a1.id, "code": "A1-1", "name": BRANCH_ZH, "name_en": BRANCH_EN}
    for lang in ("en", "zh_CN"):  # whatever the page's language
        client.post("/lang", data={"lang": lang})
        html = client.get(f"/inspect/{world.inspection.id}").get_data(as_text=True)
        # The form is the page's: a number's unit too (interviews: {zh: 人, en: people}).
        assert f'<span class="dunit">{"people" if lang == "en" else "人"}</span>' in html
        server, scoring = json_block(html, "t-server"), json_block(html, "t-scoring")
        assert server["unit"] == both and server["title"] == TITLE
        plan = next(i for i in scoring["items"] if i["key"] == "plan")
        assert plan["label"]["en"] == "An implementation plan with clear targets exists"
        assert plan["label"]["zh"].startswith("制定创先争优活动实施方案")
        section = scoring["sections"][0]
        assert section["title"] == {"zh": "活动组织", "en": "Organising the campaign"}
        assert scoring["grades"][0]["label"] == {"zh": "优秀", "en": "Excellent"}
        leadership = next(i for i in scoring["items"] if i["key"] == "leadership")
        assert leadership["options"]["nobody"] == {"zh": "无人负责", "en": "Nobody in charge"}


def _switch(page: Any, lang: str) -> None:
    """The page's own language link (a form posting to /lang, back to the same page)."""
    with page.expect_navigation():
        page.click(f".topbar-end button[name=lang][value={lang}]")


def _card(page: Any, inspection_id: int) -> str:
    return page.locator(f".t-card[data-id='{inspection_id}']").inner_text()


def _readable(page: Any, inspection_id: int) -> str:
    with page.expect_download() as download:
        page.click(f".t-card[data-id='{inspection_id}'] button[data-export=html]")
    return Path(download.value.path()).read_text(encoding="utf-8")


# Work as a device kept it before both languages were: names as one string each.
OLD_RECORD = """([id, user, title, unit]) => DudaoDB.put("work", {
  id: id, user: user, title: title, unit: unit, due: "2026-12-31", definitionVersionId: 1,
  spec: {sections: [{key: "s", title: "旧分组"}],
         items: [{key: "q", section: "s", type: "yes_no", label: "旧检查项", options: {}}]},
  answers: {q: "yes"}, notes: {}, photos: {}, photoAnswers: {}, changedAt: 0, savedAt: 0,
  state: "synced", submission: null, problem: null})"""


@pytest.mark.browser
def test_an_english_reader_sees_english_names_in_the_list_and_offline(
    live_server, browser_page, world
):
    base, inspection_id = live_server.url, world.inspection.id
    page = browser_page(*TABLET)
    browser_sign_in(page, base, "insp", PASSWORD)
    page.goto(f"{base}/inspect")
    if page.locator(".topbar-end button[value=zh_CN]").count():
        _switch(page, "zh_CN")
    # Opened while reading Chinese: the device keeps the work with both names.
    page.goto(f"{base}/inspect/{inspection_id}")
    page.wait_for_selector("body[data-offline-ready=yes]")
    page.click("#item-plan label.dtile:has(input[value='yes'])")
    # Saved on the server too before the language changes, so this test reads names, not
    # timing. A save and another write at the same moment (here the switch's) once met
    # SQLite's lock with a 500; test_submissions.py holds that case, step by step.
    page.wait_for_function(
        "id => DudaoDB.get('work', id).then(r => r.answers.plan === 'yes' && r.state === 'synced')",
        arg=inspection_id,
    )

    _switch(page, "en")
    assert page.inner_text("h1") == TITLE["en"] and BRANCH_EN in page.inner_text(".page-head")
    page.goto(f"{base}/inspect")
    page.wait_for_selector("body[data-offline-ready=yes]")
    card = _card(page, inspection_id)
    assert f"A1-1 {BRANCH_EN}" in card and BRANCH_ZH not in card and TITLE["en"] in card
    save_screenshot(page, "tablet-languages-list-en")

    page.goto(f"{base}/inspect/device")
    page.wait_for_selector("body[data-offline-ready=yes]")
    page.context.set_offline(True)
    page.reload()  # offline: the stored page, the work from IndexedDB
    page.wait_for_selector(f".t-card[data-id='{inspection_id}'] [data-state]")
    card = _card(page, inspection_id)
    assert f"{TITLE['en']} · #{inspection_id}" in card and f"A1-1 {BRANCH_EN}" in card, card
    save_screenshot(page, "tablet-languages-device-en-offline")
    readable = _readable(page, inspection_id)
    assert TITLE["en"] in readable and f"A1-1 {BRANCH_EN}" in readable
    assert "Organising the campaign" in readable and "clear targets exists" in readable
    assert "活动组织" not in readable and BRANCH_ZH not in readable
    with page.expect_download() as download:
        page.click(f".t-card[data-id='{inspection_id}'] button[data-export=json]")
    exported = json.loads(Path(download.value.path()).read_text(encoding="utf-8"))
    assert exported["inspection"]["unit"] == f"A1-1 {BRANCH_EN}"
    page.context.set_offline(False)

    _switch(page, "zh_CN")  # the same record, read in Chinese
    page.wait_for_selector(f".t-card[data-id='{inspection_id}'] [data-state]")
    card = _card(page, inspection_id)
    assert f"{TITLE['zh']} · #{inspection_id}" in card and f"A1-1 {BRANCH_ZH}" in card, card
    assert "活动组织" in _readable(page, inspection_id)

    # Records stored before both names were kept: shown as stored, and those still listed
    # take both names from the list once the page reads it online.
    user = world.inspector.id
    page.evaluate(OLD_RECORD, [999999, user, "旧检查表", "Z9 旧单位"])
    page.evaluate(OLD_RECORD, [inspection_id, user, TITLE["zh"], f"A1-1 {BRANCH_ZH}"])
    _switch(page, "en")
    page.wait_for_selector("body[data-offline-ready=yes]")
    page.wait_for_function(
        "text => document.getElementById('t-device-list').textContent.includes(text)",
        arg=f"A1-1 {BRANCH_EN}",
    )
    card = _card(page, inspection_id)
    assert TITLE["en"] in card and BRANCH_ZH not in card, card
    old = _card(page, 999999)
    assert "旧检查表 · #999999" in old and "Z9 旧单位" in old
    assert "旧检查项" in _readable(page, 999999)
    save_screenshot(page, "tablet-languages-device-en-old-records")
    assert page.console_errors == []


@pytest.mark.browser
def test_the_servers_grade_shows_in_the_readers_language(
    live_server, browser_page, world, tmp_path
):
    """After submit the bottom bar shows the server's score; its grade was the Chinese label
    (the submission's `grade`) on English pages too."""
    base, inspection_id = live_server.url, world.inspection.id
    page = browser_page(*TABLET)
    browser_sign_in(page, base, "insp", PASSWORD)
    page.goto(f"{base}/inspect/{inspection_id}")
    if page.locator(".topbar-end button[value=en]").count():
        _switch(page, "en")
    page.wait_for_selector("body[data-client-ready=yes]")
    fill_everything(page, big_jpeg(tmp_path / "site.jpg", 800, 600))
    assert page.inner_text("#t-score").endswith("· Excellent")  # the preview, as before
    page.click("form#dform button[type=submit]")
    page.wait_for_selector("#t-state[data-state=submitted]")
    assert page.inner_text("#t-score") == "Score (server): 100.0% · Excellent"
    _switch(page, "zh_CN")
    page.wait_for_selector("body[data-client-ready=yes]")
    assert page.inner_text("#t-score") == "得分（服务器）：100.0% · 优秀"
    assert page.inner_text("#t-state") == "已提交"  # reloaded, still the submitted work
    assert page.console_errors == []


@pytest.mark.browser
def test_the_workers_last_resort_speaks_both_languages(live_server, browser_page, world):
    """Offline, a page neither stored nor reachable (here: after the stored pages were
    dropped, as at a sign-out) was the word "Offline" in plain text."""
    base = live_server.url
    page = browser_page(*TABLET)
    browser_sign_in(page, base, "insp", PASSWORD)
    page.goto(f"{base}/inspect")
    page.wait_for_selector("body[data-offline-ready=yes]")
    assert page.evaluate("() => caches.delete('dudao-tablet-v1')")
    page.context.set_offline(True)
    response = page.goto(f"{base}/inspect/{world.inspection.id}")
    assert response.status == 503
    assert page.locator("section[lang=zh-CN] h1").inner_text() == "离线"
    assert "本机没有保存这个页面" in page.inner_text("section[lang=zh-CN]")
    assert page.locator("section[lang=en] h1").inner_text() == "Offline"
    assert "not kept on this device" in page.inner_text("section[lang=en]")
    assert page.title() == "离线 · Offline"
    save_screenshot(page, "tablet-offline-last-resort")
    # Its own style passes its own CSP; the 503 itself is logged as a failed load.
    assert [e for e in page.console_errors if "status of 503" not in e] == []
