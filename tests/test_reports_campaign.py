"""Questionnaire campaign report PDFs: only what the aggregation releases, hidden groups
say why, comments literal, Chinese text that extracts, pages that rasterise."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from zoneinfo import ZoneInfo

import pytest
from pypdf import PdfReader
from rq import Queue, SimpleWorker
from sqlalchemy import select

from dudao.core.queue import connect
from dudao.reports.campaign_data import load_campaign_report
from dudao.reports.campaign_pdf import render_campaign_pdf
from dudao.surveys.aggregate import aggregate
from dudao.surveys.models import Campaign
from tests import survey_world
from tests.report_world import HOSTILE
from tests.survey_world import responses


def _pdf(app, session, campaign_id: int) -> bytes:
    settings = app.extensions["dudao"].settings
    return render_campaign_pdf(load_campaign_report(session, campaign_id), tz=settings.tz)


def _text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def _row(text: str, code: str) -> list[str]:
    """The cells of a unit's row in the units table: the lines after its name, up to the
    next unit or the chart (a hidden row has one cell, the reason)."""
    lines = (
        text.split("二、各单位回收率与满意度", 1)[1].split("满意度指数（0–100）")[0].splitlines()
    )
    start = next(i for i, line in enumerate(lines) if line.endswith(f"（{code}）"))
    cells = []
    for line in lines[start + 1 :]:
        if (line.endswith("）") and "（" in line) or line.startswith(("三、", "督导 Dudao")):
            break
        cells.append(line.strip())  # right-aligned figures extract with a space
    return cells[:5]


def _hidden_row(text: str, code: str) -> str:
    (reason,) = _row(text, code)[:1]
    assert "不单独显示" in reason or "一并不显示" in reason or "随之不显示" in reason, reason
    assert not _row(text, code)[1:2] or not re.search(r"\d", _row(text, code)[1])
    return reason


@pytest.fixture
def closed(session, org):
    return survey_world.close(session, survey_world.campaign_for(session, org.company_a))


def test_hidden_groups_print_their_reason_and_no_number(app, session, org, closed):
    responses(session, closed, org.branch_a1, 17, score=5)
    responses(session, closed, org.branch_a2, 3, score=2)
    text = _text(_pdf(app, session, closed.id))
    report = aggregate(session, closed)
    hidden = {g.code: g.hidden for g in report.groups if not g.shown}
    assert hidden == {"A1-1": "complementary", "A1-2": "small"}
    reason = _hidden_row(text, "A1-1")
    assert "为防止通过相减推算出未显示的单位" in reason and not re.search(r"\d", reason)
    small = _hidden_row(text, "A1-2")
    assert "答卷少于 5 份" in small and re.findall(r"\d+", small) == ["5"]
    table = text.split("二、各单位回收率与满意度")[1].split("满意度指数（0–100）")[0]
    assert "17" not in table.split("（A1-1）")[1]
    # The parent shows exactly what the aggregation says; no detail for the hidden groups.
    (a1,) = [g for g in report.groups if g.code == "A1"]
    sat = a1.satisfaction
    assert _row(text, "A1") == ["20", "—", "—", f"{sat.mean:.1f}", f"{sat.low:.1f}–{sat.high:.1f}"]
    assert "（A1-1） ·" not in text and "（A1-2） ·" not in text
    assert "甲一厂（A1） · 20 份答卷" in text


@pytest.mark.parametrize(
    "sizes",
    [(12, 12, 0), (12, 4, 0), (6, 5, 4), (0, 9, 0), (2, 2, 30), (17, 8, 3)],
    ids=["both", "one-small", "parent-direct", "one-empty", "tiny-pair", "direct-remainder"],
)
def test_pdf_and_json_hide_the_same_groups(app, session, org, closed, signed_in, sizes):
    a1, a2, direct = sizes
    responses(session, closed, org.branch_a1, a1, score=5)
    responses(session, closed, org.branch_a2, a2, score=1)
    responses(session, closed, org.unit_a1, direct, score=3)
    text = _text(_pdf(app, session, closed.id))
    client = signed_in("office_a", ("office", org.company_a))
    groups = client.get(f"/surveys/{closed.id}/results.json").get_json()["groups"]
    assert {g["unit_code"] for g in groups} == {"A", "A1", "A1-1", "A1-2"}
    for group in groups:
        if group["hidden"]:
            _hidden_row(text, group["unit_code"])
            assert f"（{group['unit_code']}） ·" not in text
        elif group["responses"]:
            cells = _row(text, group["unit_code"])
            assert cells[0] == str(group["responses"])
            assert cells[3] == f"{group['satisfaction']['mean']:.1f}"


def test_an_open_campaign_shows_counts_only(app, session, org):
    campaign = survey_world.campaign_for(session, org.company_a)
    responses(session, campaign, org.branch_a1, 12, comment="尚未公开的意见")
    text = _text(_pdf(app, session, campaign.id))
    assert "测评尚未结束" in text and "尚未公开的意见" not in text
    assert _row(text, "A1-1")[0] == "12" and _row(text, "A1-1")[3] == "—"
    assert "意见建议（随机排列）" not in text and "三、" not in text


def test_the_window_ends_on_its_last_day_at_24_00(app, session, org):
    """A campaign closing after 20 December printed "2026-12-21 00:00", read as a day more
    than the office had entered; the pages say "24:00" of the 20th."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    campaign = survey_world.campaign_for(session, org.company_a)
    zone = ZoneInfo("Asia/Shanghai")
    campaign.opens_at = datetime(2026, 12, 1, tzinfo=zone)
    campaign.closes_at = datetime(2026, 12, 21, tzinfo=zone)
    session.commit()
    text = _text(_pdf(app, session, campaign.id))
    assert "2026-12-01 00:00 至 2026-12-20 24:00" in text, text[:400]


def test_comments_are_literal_and_only_for_big_enough_groups(app, session, org, closed):
    hostile = HOSTILE * 2 + ["正常意见：希望多开展活动", "再来一条"]
    responses(session, closed, org.branch_a1, 12, comment=hostile)
    responses(session, closed, org.branch_a2, 6, comment="小组意见")
    pdf = _pdf(app, session, closed.id)
    text = _text(pdf)
    for value in HOSTILE[:4]:
        assert value in text, value
    assert "&amp; & </para> <br/>" in text
    assert b"/Subtype /Image" not in pdf and b"/Annots" not in pdf and b"/URI" not in pdf
    # A1-2 (6 answers) is shown with figures but under the comment threshold (10): its own
    # comments appear nowhere on their own, only pooled into A1 (18 = 12 + 6).
    report = aggregate(session, closed)
    by_code = {g.code: g for g in report.groups}
    assert by_code["A1-2"].comments is None and by_code["A1-1"].comments is not None
    assert "A1-2" in text and "甲一厂第二党支部（A1-2） · 6 份答卷" in text
    section = text.split("甲一厂第二党支部（A1-2） · 6 份答卷", 1)[1]
    assert "小组意见" not in section.split("（A1-1）")[0] or "意见建议：答卷达到 10 份" in section


def test_office_asks_from_the_campaign_page_and_downloads(app, session, org, closed, signed_in):
    responses(session, closed, org.branch_a1, 10)
    responses(session, closed, org.branch_a2, 10)
    client = signed_in("office_a", ("office", org.company_a))
    detail = client.get(f"/surveys/{closed.id}").get_data(as_text=True)
    assert f"/reports/campaign/{closed.id}" in detail
    response = client.post(f"/reports/campaign/{closed.id}")
    assert response.status_code == 302
    connection = connect(app.extensions["dudao"].settings)
    SimpleWorker([Queue("reports", connection=connection)], connection=connection).work(
        burst=True, with_scheduler=False
    )
    status = client.get(response.headers["Location"] + "/status").get_json()
    assert status["state"] == "done" and status["total"] == status["done"] == 6
    download = client.get(status["download"])
    assert download.status_code == 200
    # The campaign's title, then what the document is, on a line of its own.
    assert [line.strip() for line in _text(download.data).splitlines()[:2]] == [
        "满意度测评",
        "测评报告",
    ]
    again = client.post(f"/reports/campaign/{closed.id}")
    assert again.headers["Location"] == response.headers["Location"]  # the same report
    client.post("/logout")
    office_b = signed_in("office_b", ("office", org.company_b))
    assert office_b.post(f"/reports/campaign/{closed.id}").status_code == 404
    assert office_b.get(response.headers["Location"]).status_code == 404


def test_cli_makes_a_campaign_report(app, session, org, closed, tmp_path):
    from dudao.cli import cli

    responses(session, closed, org.branch_a1, 10)
    out = tmp_path / "c.pdf"
    result = app.test_cli_runner().invoke(
        cli, args=["report", "campaign", str(closed.id), "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert f"已写入 {out}（" in result.output and "党员群众满意度测评" in _text(out.read_bytes())
    missing = app.test_cli_runner().invoke(cli, args=["report", "campaign", "999", "-o", str(out)])
    assert missing.exit_code != 0 and "999" in missing.output


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="pdftoppm (poppler-utils) absent")
def test_pages_rasterise(app, session, org, closed, tmp_path):
    responses(session, closed, org.branch_a1, 12, score=5)
    responses(session, closed, org.branch_a2, 3, score=2)
    path = tmp_path / "c.pdf"
    path.write_bytes(_pdf(app, session, closed.id))
    subprocess.run(["pdftoppm", "-r", "40", "-png", str(path), str(tmp_path / "page")],
                   check=True)  # fmt: skip
    pages = sorted(tmp_path.glob("page*.png"))
    assert pages and all(p.stat().st_size > 2000 for p in pages)


def test_the_demo_campaign_shows_suppression_and_loads_once(app, session):
    from dudao.config import PROJECT_ROOT
    from dudao.definitions.services import sync_forms
    from dudao.demo.data import build_demo
    from dudao.demo.loader import load_accounts, load_org, steps
    from dudao.surveys.demo import load_demo_campaign

    assert load_demo_campaign in [step for _name, step in steps()]
    plan = build_demo()
    load_org(session, plan)
    load_accounts(session, plan)
    assert load_demo_campaign(session, plan) == 0  # no questionnaire yet
    sync_forms(session, None, PROJECT_ROOT / "forms")
    assert load_demo_campaign(session, plan) > 100
    session.commit()
    assert load_demo_campaign(session, plan) == 0
    (campaign_id,) = session.scalars(select(Campaign.id)).all()
    campaign = session.get(Campaign, campaign_id)
    # Named like the assessment's periods, for the quarter it closed in (not a fixed 2026Q4).
    closed_on = campaign.closes_at.astimezone(ZoneInfo("Asia/Shanghai")).date()
    quarter = "一二三四"[(closed_on.month - 1) // 3]
    assert campaign.period_label == f"{closed_on.year}年第{quarter}季度"
    campaign.title = "2026年第四季度" + campaign.title  # an older demo's title
    session.commit()
    assert load_demo_campaign(session, plan) == 0
    report = aggregate(session, campaign)
    reasons = {g.hidden for g in report.groups}
    assert report.final and {"small", "complementary", None} <= reasons
    assert any(g.comments for g in report.groups)
    text = _text(_pdf(app, session, campaign_id))
    assert "答卷少于 5 份" in text and "意见建议（随机排列）" in text


def test_earlier_campaigns_give_the_satisfaction_index_by_period(app, session, org, closed):
    from datetime import timedelta

    earlier = survey_world.campaign_for(session, org.company_a, title="上一期")
    earlier.opens_at -= timedelta(days=120)
    earlier.closes_at -= timedelta(days=90)
    earlier.period_label = "2026-Q3"
    survey_world.close(session, earlier)
    responses(session, earlier, org.branch_a1, 10, score=2)
    responses(session, earlier, org.branch_a2, 3, score=2)
    responses(session, closed, org.branch_a1, 10, score=5)
    responses(session, closed, org.branch_a2, 10, score=5)
    data = load_campaign_report(session, closed.id)
    assert [label for label, _cells in data.history] == ["2026-Q3", "2026-Q4"]
    past, now = (cells for _label, cells in data.history)
    assert past[org.branch_a2.id] == past[org.branch_a1.id] == "未显示"  # small, complementary
    assert now[org.branch_a1.id] == "90.0"
    text = _text(_pdf(app, session, closed.id))
    assert "三、历次测评满意度指数" in text and "四、各单位分题结果与意见建议" in text
    # Without an earlier campaign there is no such section.
    assert load_campaign_report(session, earlier.id).history == []


def test_a_campaign_over_many_units_fits_its_chart_on_a_page(app, session, org):
    from dudao.core.enums import UnitLevel
    from dudao.org.services import create_unit
    from dudao.reports.campaign_pdf import MAX_BARS

    branches = [  # without the cap, a chart taller than a page
        create_unit(session, None, f"A1-{n + 10}", f"第{n + 10}支部", UnitLevel.BRANCH, org.unit_a1)
        for n in range(MAX_BARS + 20)
    ]
    closed = survey_world.close(session, survey_world.campaign_for(session, org.company_a))
    for branch in branches:
        responses(session, closed, branch, 5)
    text = _text(_pdf(app, session, closed.id))
    assert "满意度指数（0–100）及 95% 置信区间（测评范围及其直属单位）" in text
    assert "第59支部（A1-59） · 5 份答卷" in text  # every unit still has its details
