"""The ranking, a unit's page and the publication page in Chromium: long headings, unit
names, tiers and moves wrap and the previous tier waits for 1000 px, so no page scrolls
sideways on a tablet or a desktop in either language (in English the ranking was 1,036 px
wide at 820 and 1,024 px, a unit's page 1,128 px: its component names did not wrap, and the
publication's results 849 px at 820 px: their number headings did not wrap)."""

from __future__ import annotations

import pytest

from dudao.assessment import config as config_module
from tests.assessment_world import CONFIG, config_file, first_quarter, inspection
from tests.browser import (
    DESKTOP,
    TABLET,
    browser_sign_in,
    each_language_and_size,
    fits_sideways,
    save_screenshot,
)
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("configured")]
#: The bands of tests.assessment_world with the tier labels workflows/assessment.yaml ships.
SHIPPED_LABELS = {"Tier 1": "Tier 1 (advanced)", "Tier 2": "Tier 2 (good)",
                  "Tier 3": "Tier 3 (average)", "Tier 4": "Tier 4 (lagging)"}  # fmt: skip


@pytest.fixture
def configured(tmp_path, monkeypatch) -> None:
    text = CONFIG
    for short, shipped in SHIPPED_LABELS.items():
        text = text.replace(f"en: {short}}}", f"en: {shipped}}}")
    monkeypatch.setattr(config_module, "ASSESSMENT_FILE", config_file(tmp_path, text))


def test_the_ranking_and_a_unit_page_fit_a_tablet_and_a_desktop(
    live_server, browser_page, session, org, user_factory
):
    first_quarter(session, org)
    for day in ("2025-04-10", "2025-05-10"):  # Q2: A1-1 moves up, B1-1 down
        inspection(session, org.branch_a1, day, 91)
        inspection(session, org.branch_b1, day, 60)
    org.branch_a1.name = "华辰能源机关综合办公室第一党支部（机关第二联合党支部）"
    org.branch_a1.name_en = "Energy Headquarters General Office First Joint Party Branch"
    org.branch_b1.name = "平川工程处第一项目部桥隧施工队党支部"
    org.branch_b1.name_en = "Pingchuan Engineering Division Bridge and Tunnel Crew Party Branch"
    org.company_a.name = "华辰建设工程有限公司第一工程局"
    org.company_a.name_en = "Huachen Construction and Engineering Co., Ltd. First Bureau"
    session.commit()
    user_factory("office_g", ("office", org.group))
    page = browser_page(*TABLET)
    browser_sign_in(page, live_server.url, "office_g", PASSWORD)
    unit_page = f"{live_server.url}/assessment/units/{org.branch_a1.id}?period=2025Q2"
    for lang, width in each_language_and_size(page):
        page.goto(f"{live_server.url}/assessment?period=2025Q2")
        assert page.locator("table[data-ranking] tbody tr").count() == 2
        assert page.locator("table[data-ranking] tr.move-up").count() == 1
        assert fits_sideways(page), ("ranking", lang, width)
        # A badge in the ranking is as tall as the summary's one-line badges above it.
        taller = page.evaluate(
            """() => {
                const line = document.querySelector('.tier-summary .tier').offsetHeight;
                const badges = [...document.querySelectorAll('table[data-ranking] td .tier')];
                return badges.filter(b => b.offsetHeight > line).map(b => b.textContent);
            }"""
        )
        assert taller == [], ("a tier badge wraps", lang, width)
        if width == TABLET[0]:
            save_screenshot(page, f"assessment-ranking-{lang}-tablet")
        page.goto(unit_page)
        assert page.locator("table[data-parts] tbody tr").count() == 3
        assert fits_sideways(page), ("unit", lang, width)
        page.goto(f"{live_server.url}/public?period=2025Q1")
        assert page.locator("[data-section=results] tbody tr").count() == 2
        assert fits_sideways(page), ("public", lang, width)
        if width == DESKTOP[0]:
            save_screenshot(page, f"assessment-unit-{lang}-desktop")
    assert page.console_errors == []
