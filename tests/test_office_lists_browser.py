"""The audit log, a draw (the office's page and the public one) and a questionnaire
campaign's page in Chromium: names, times and object ids wrap, so their tables fit a tablet
and a desktop in both languages; in English at 820 px they were 100-235 px wider than their
box and hid their last columns (the changes, the result, the open link)."""

from __future__ import annotations

import pytest

from dudao.audit.services import record
from tests.browser import (
    TABLET,
    assert_pages_fit,
    browser_sign_in,
)
from tests.conftest import PASSWORD
from tests.draw_world import published_draw
from tests.survey_world import add_roster, campaign_for

pytestmark = pytest.mark.browser


def test_the_tables_fit_a_tablet_and_a_desktop(live_server, browser_page, session, org,
                                               user_factory):  # fmt: skip
    org.company_a.name = "华辰建设工程有限公司第一工程局机关党委"
    org.company_a.name_en = "Huachen Construction and Engineering Co., Ltd. First Bureau"
    for branch in (org.branch_a1, org.branch_a2):
        branch.name = "平川工程处第一项目部桥隧施工队党支部"
        branch.name_en = "Pingchuan Engineering Division Bridge and Tunnel Crew Party Branch"
        add_roster(session, branch, 3)
    draw = published_draw(session, org.group, org.branch_a1)
    inspectors = [user_factory(f"insp_{n}", ("inspector", org.group)) for n in range(3)]
    for person in inspectors:
        person.display_name = "欧阳建国（华辰能源纪委第二监督检查室）"
    selected = [
        {**row, "inspector_ids": [p.id for p in inspectors]} for row in draw.result["selected"]
    ]
    draw.result = {**draw.result, "selected": selected}
    campaign = campaign_for(session, org.company_a, title="2026年第四季度党员群众满意度测评")
    for n in range(3):
        record(session, None, "inspection.assignment_changed", "rectification_evidence", 10**9 + n,
               {"assignees": "王建国"}, {"assignees": "王建国、李明、赵明辉、周文静"})  # fmt: skip
    session.commit()
    user_factory("office_g", ("office", org.group))
    page = browser_page(*TABLET)
    browser_sign_in(page, live_server.url, "office_g", PASSWORD)
    pages = ("/audit", f"/draws/{draw.id}", f"/public/draws/{draw.id}", f"/surveys/{campaign.id}")
    assert_pages_fit(page, live_server.url, pages, "office-lists", rows="main .table-wrap tbody tr")
    assert page.console_errors == []
