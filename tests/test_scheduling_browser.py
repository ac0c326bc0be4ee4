"""The schedules list in Chromium: a schedule's key, file and checklist key break where they
must and the row's buttons stay in their cell, so the list fits a tablet and a desktop in
both languages (it was 1,075 px wide in English at 820 px and 1,099 px at 1,024 px: the whole
page scrolled sideways). A schedule's edit page fits a phone: the file it was loaded from
breaks too (it was 472 px wide at 390 px)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from dudao.scheduling.models import Schedule
from tests.browser import (
    DESKTOP,
    PHONE,
    TABLET,
    browser_sign_in,
    each_language_and_size,
    fits_sideways,
    save_screenshot,
)
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


def test_the_list_fits_a_tablet_and_a_desktop(
    live_server, browser_page, session, org, user_factory
):
    org.company_a.name = "华辰建设工程有限公司第一工程局机关党委"
    org.company_a.name_en = "Huachen Construction and Engineering Co., Ltd. First Bureau"
    keys = {"branch_standardisation_quarterly": "branch_standardisation",
            "hc02_campaign_spot_check_monthly": "campaign_spot_check"}  # fmt: skip
    for key, definition in keys.items():
        session.add(Schedule(
            key=key, name="华辰建设工程公司党支部标准化建设季度检查", definition_key=definition,
            scope_unit=org.company_a, levels=["branch", "unit"],
            rrule="FREQ=MONTHLY;INTERVAL=3;BYMONTHDAY=1", dtstart=date(2026, 1, 1),
            window_days=30, assignment={"policy": "unit_lead"},
            source_file=f"workflows/schedules/{key}.yaml",
        ))  # fmt: skip
    session.commit()
    user_factory("office_g", ("office", org.group))
    page = browser_page(*TABLET)
    browser_sign_in(page, live_server.url, "office_g", PASSWORD)
    for lang, width in each_language_and_size(page):
        page.goto(f"{live_server.url}/schedules")
        assert page.locator("main table tbody tr").count() == 2
        assert fits_sideways(page), (lang, width)
        # A date and the state stay on one line each ("2027-01-" / "01", "正" / "常").
        lines = page.eval_on_selector_all(
            "main tbody td:nth-child(4) span, main tbody td:nth-child(6)",
            "cells => cells.map(c => { const r = document.createRange(); r.selectNodeContents(c);"
            " return r.getClientRects().length; })",
        )
        assert lines and set(lines) == {1}, (lang, width, lines)
        if width == DESKTOP[0]:
            save_screenshot(page, f"schedules-{lang}")
    ids = session.scalars(select(Schedule.id).order_by(Schedule.id)).all()
    for lang, width in each_language_and_size(page, (PHONE,)):
        for schedule_id in ids:
            page.goto(f"{live_server.url}/schedules/{schedule_id}/edit")
            assert "workflows/schedules/" in page.inner_text("main"), schedule_id
            assert fits_sideways(page), (schedule_id, lang, width)
        save_screenshot(page, f"schedule-edit-phone-{lang}")
    assert page.console_errors == []
