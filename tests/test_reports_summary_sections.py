"""The period summary's registered sections: open flags by severity, questionnaire results
(anonymity thresholds in the page and the PDF, also when summaries of siblings and parents
are compared), the assessment's ranking and tier moves; and the built-in key figures,
overdue rectifications and spot-check draws."""

from __future__ import annotations

import dataclasses
import io
import re
import time
import uuid
from datetime import UTC, date, datetime, timedelta

from pypdf import PdfReader
from sqlalchemy import select

from dudao.inspections.submission_models import Rectification
from dudao.reports.models import ReportKind
from dudao.reports.services import describe, parse_quarter
from dudao.reports.summary import load_summary
from dudao.reports.summary_pdf import render_summary_pdf
from dudao.scheduling.recurrence import local_today
from dudao.surveys.models import Response
from tests import survey_world
from tests.assessment_world import inspection
from tests.draw_world import published_draw
from tests.flag_world import make_flag
from tests.report_world import report_world  # noqa: F401
from tests.survey_world import GOOD
from tests.trend_world import TZ, load

SAT = {k: int(v) if v.isdigit() else v for k, v in GOOD.items()}


def _summary(app, session, unit, quarter: str):
    return load_summary(session, unit, parse_quarter(quarter), app.extensions["dudao"].settings.tz)


def _section(summary, title: str):
    (found,) = [s for s in summary.sections if s.title == title]
    return found


def _pdf_text(summary) -> str:
    pdf = render_summary_pdf(summary)
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def test_open_flags_by_severity_in_the_subtree_only(app, session, org):
    make_flag(session, org.branch_a1, severity="high", tag="1")
    make_flag(session, org.unit_a1, severity="high", tag="2", state="acknowledged")
    make_flag(session, org.branch_a2, severity="low", tag="3")
    make_flag(session, org.branch_a2, severity="low", tag="4", state="dismissed")
    make_flag(session, org.branch_b1, severity="medium", tag="5")
    session.commit()
    section = _section(_summary(app, session, org.company_a, "2026Q4"), "未关闭的问题线索")
    assert section.rows == [["高", 2, 1], ["中", 0, 0], ["低", 1, 1]]
    text = _pdf_text(_summary(app, session, org.company_a, "2026Q4"))
    assert "未关闭的问题线索" in text and "其中待确认" in text


def test_the_open_flags_are_listed_most_severe_first(app, session, org, tmp_path):
    """The summary lists the subtree's open flags themselves — problem, unit, item, months,
    triage — high before medium, then the most recently detected; closed ones and others'
    are left out, and the note says how many there are."""
    load(session, tmp_path, [])  # the checklist whose item labels the list shows
    spot = {"definition_key": "campaign_spot_check", "item_key": "site_matches"}
    make_flag(session, org.branch_a1, "recurring_failure", tag="1", last_detected="2026-03",
              **spot)  # fmt: skip
    make_flag(session, org.branch_a2, tag="2", severity="high", last_detected="2026-01",
              first_detected="2026-01", detected=False)  # fmt: skip
    make_flag(session, org.unit_a1, tag="3", last_detected="2026-05", state="acknowledged")
    make_flag(session, org.branch_a2, tag="4", state="resolved")
    make_flag(session, org.branch_b1, tag="5", severity="high")
    make_flag(session, org.company_a, "cross_unit", tag="6", severity="low",
              unit_ids=[org.branch_a1.id, org.branch_a2.id])  # fmt: skip
    session.commit()
    rows = {}
    for locale, title in (("zh", "未关闭的问题线索（严重程度高者在前）"),
                          ("en", "Open trend flags, most severe first")):  # fmt: skip
        summary = load_summary(session, org.company_a, parse_quarter("2026Q4"), TZ, locale)
        section = _section(summary, title)
        rows[locale] = section.rows
    a2, a1, b1 = org.branch_a2, org.unit_a1, org.branch_a1
    assert rows["zh"] == [
        ["高", "得分下降", f"{a2.name}（{a2.code}）", "q1", "2026-01", "新发现（已不再发现）"],
        ["中", "得分下降", f"{a1.name}（{a1.code}）", "q1", "2026-02 – 2026-05", "已确认"],
        ["中", "反复不合格", f"{b1.name}（{b1.code}）", "现场情况与汇报材料一致",
         "2026-02 – 2026-03", "新发现"],
        ["低", "多单位共性问题", f"{org.company_a.name}（{org.company_a.code}）；涉及 2 个单位",
         "q1", "2026-02 – 2026-04", "新发现"],
    ]  # fmt: skip
    assert [row[:2] + row[3:4] for row in rows["en"]] == [
        ["High", "Deteriorating scores", "q1"], ["Medium", "Deteriorating scores", "q1"],
        ["Medium", "Recurring failure", "What is seen on site matches the reports"],
        ["Low", "Failure across units", "q1"],
    ]  # fmt: skip
    assert rows["en"][3][2].endswith("; units affected: 2")
    assert rows["en"][0][5].endswith("(no longer detected)")
    text = _pdf_text(load_summary(session, org.company_a, parse_quarter("2026Q4"), TZ))
    assert "列出 4 条未关闭问题线索中的 4 条" in text
    summary = load_summary(session, org.company_b, parse_quarter("2026Q4"), TZ, "en")
    note = _section(summary, "Open trend flags, most severe first").note
    assert note.startswith("1 of 1 open flag, the most severe")


def _answers(session, campaign, unit, count):
    for _n in range(count):
        session.add(Response(id=str(uuid.uuid4()), campaign_id=campaign.id, unit_id=unit.id,
                             period_label="2026-Q4", answers=dict(SAT)))  # fmt: skip
    session.commit()


def test_questionnaire_results_keep_the_thresholds_across_summaries(app, session, org, signed_in):
    campaign = survey_world.close(session, survey_world.campaign_for(session, org.company_a))
    _answers(session, campaign, org.branch_a1, 17)
    _answers(session, campaign, org.branch_a2, 3)
    rows = {}
    for unit in (org.company_a, org.unit_a1, org.branch_a1, org.branch_a2):
        summary = _summary(app, session, unit, "2026Q4")
        (row,) = _section(summary, "问卷测评结果").rows
        rows[unit.code] = row
        text = _pdf_text(summary).split("问卷测评结果", 1)[1]
        # Not the page footers: the time the PDF was made and its page numbers.
        text = re.sub(r"\d{4}-\d\d-\d\d \d\d:\d\d|第 \d+ 页 / 共 \d+ 页", "", text)
        if unit.code.startswith("A1-"):
            # Neither branch's count can be read, so A1 minus one branch reveals nothing.
            assert row[2].endswith("未显示") and row[3:] == ["", ""]
            assert "17" not in text and not re.search(r"\b3\b", text)
    assert rows["A"][2] == rows["A1"][2] == 20
    assert rows["A1-2"][2] == "答卷不足，未显示" and rows["A1-1"][2] == "防推算，未显示"
    assert rows["A1"][4] == "79.3（79.3–79.3）"  # the satisfaction index with its interval
    client = signed_in("office_a", ("office", org.company_a))
    page = client.get("/reports/summary?unit=A1-1&quarter=2026Q4").get_data(as_text=True)
    assert "问卷测评结果" in page and "防推算，未显示" in page and ">17<" not in page
    # A campaign of company B is not part of A's summaries; a quarter without one has none.
    assert not [s for s in _summary(app, session, org.company_b, "2026Q4").sections
                if s.title == "问卷测评结果"]  # fmt: skip
    assert not [s for s in _summary(app, session, org.company_a, "2026Q1").sections
                if s.title == "问卷测评结果"]  # fmt: skip


def test_questionnaire_results_take_the_quarter_by_the_organisation_s_calendar(app, session, org):
    """Shanghai is UTC+8: 23:30 on 31 December there is in Q4, 02:00 on 1 January is not."""
    december = survey_world.campaign_for(session, org.company_a, title="年末测评")
    january = survey_world.campaign_for(session, org.company_a, title="新年测评")
    december.closes_at = datetime(2026, 12, 31, 15, 30, tzinfo=UTC)
    january.closes_at = datetime(2026, 12, 31, 18, 0, tzinfo=UTC)
    session.commit()
    for quarter, title in (("2026Q4", "年末测评"), ("2027Q1", "新年测评")):
        rows = _section(_summary(app, session, org.company_a, quarter), "问卷测评结果").rows
        assert [row[0] for row in rows] == [title]


def test_an_open_campaign_shows_counts_only(app, session, org):
    campaign = survey_world.campaign_for(session, org.company_a)
    _answers(session, campaign, org.branch_a1, 12)
    (row,) = _section(_summary(app, session, org.company_a, "2026Q4"), "问卷测评结果").rows
    assert row[2] == 12 and row[4] == "进行中（仅计数）"


def test_assessment_ranking_and_tier_moves(app, session, org, monkeypatch):
    for unit, scores in ((org.branch_a1, (96, 98)), (org.branch_a2, (70, 74))):
        inspection(session, unit, "2025-01-10", scores[0])
        inspection(session, unit, "2025-02-10", scores[1])
        inspection(session, unit, "2025-04-10", 85)
        inspection(session, unit, "2025-05-10", 85)
    session.commit()
    first = _section(_summary(app, session, org.company_a, "2025Q1"), "考评排名与档次变动")
    assert [r[:4] for r in first.rows] == [
        [1, "甲一厂第一党支部（A1-1）", "97.0", "一档（先进）"],
        [2, "甲一厂第二党支部（A1-2）", "72.0", "四档（后进）"],
    ]
    second = _section(_summary(app, session, org.company_a, "2025Q2"), "考评排名与档次变动")
    assert {r[1]: r[4] for r in second.rows} == {
        "甲一厂第一党支部（A1-1）": "下降",
        "甲一厂第二党支部（A1-2）": "上升",
    }
    assert "上升 1 个" in second.note and "下降 1 个" in second.note
    assert "未参评" not in second.note
    # One inspection is too few: the unit is not in the table, and the note says so.
    for day in ("2025-07-10", "2025-08-10"):
        inspection(session, org.branch_a1, day, 90)
    inspection(session, org.branch_a2, "2025-07-10", 80)
    session.commit()
    third = _section(_summary(app, session, org.company_a, "2025Q3"), "考评排名与档次变动")
    assert [r[1] for r in third.rows] == ["甲一厂第一党支部（A1-1）"]
    assert "甲一厂第二党支部（A1-2）" in third.note and "未参评" in third.note, third.note
    from dudao.reports import summary_sections

    monkeypatch.setattr(summary_sections, "NAMED_UNASSESSED", 0)  # hundreds: a few named
    many = _section(_summary(app, session, org.company_a, "2025Q3"), "考评排名与档次变动")
    assert "A1-2" not in many.note and "另有 1 个（考评页面列出全部）" in many.note
    assert not [s for s in _summary(app, session, org.company_a, "2024Q4").sections
                if s.title == "考评排名与档次变动"]  # fmt: skip


def test_score_trends_chart_and_table(app, session, org, signed_in):
    for month, percent in enumerate([90, 91, 89, 90, 92, 90, 91, 89, 90, 88, 70, 60], start=1):
        inspection(session, org.branch_a1, f"2025-{month:02d}-10", percent)
    session.commit()
    summary = _summary(app, session, org.company_a, "2025Q4")
    section = _section(summary, "得分趋势（近十二个月）")
    assert len(section.charts) == 1 and len(section.rows) == 12
    december = section.rows[-1]
    assert december[1:4] == ["2025-12", 1, "60.0%"] and december[5] == "低于下限"
    text = _pdf_text(summary)
    assert "得分趋势（近十二个月）" in text and "低于下限" in text
    client = signed_in("office_a", ("office", org.company_a))
    page = client.get("/reports/summary?unit=A&quarter=2025Q4").get_data(as_text=True)
    assert "得分趋势（近十二个月）" in page and page.count("<svg") >= 4
    assert not [s for s in _summary(app, session, org.company_a, "2024Q2").sections
                if s.title.startswith("得分趋势")]  # fmt: skip


def test_key_figures_overdue_rectifications_and_draws(app, session, report_world):  # noqa: F811
    world, tz = report_world.world, app.extensions["dudao"].settings.tz
    world.inspection.draw_id = published_draw(session, world.org.company_a,
                                              world.org.branch_a1).id  # fmt: skip
    world.inspection_b.draw_id = published_draw(session, world.org.company_b,
                                                world.org.branch_b1).id  # fmt: skip
    task = session.scalars(select(Rectification)).one()
    today = datetime.now(tz).date()
    task.deadline = today - timedelta(days=1)
    session.commit()
    summary = _summary(app, session, world.org.company_a, "2026Q4")
    assert (summary.planned, summary.done, summary.cancelled, summary.average) == (1, 1, 0, 61.9)
    assert summary.overdue_count == 1
    assert summary.overdue == [("甲一厂第一党支部", "制定并公布实施方案 <b>未闭合 <i>标签",
                                task.deadline.isoformat(), "待整改")]  # fmt: skip
    assert summary.draws == [("Draw over A", today.isoformat(), 1, True)]
    text = _pdf_text(summary)
    for expected in ("一、主要数据", "逾期整改（项）", "100%", "61.9%", "四、未按期完成的整改",
                     "本季度到期的整改任务 1 项，其中 1 项未按期完成",
                     "制定并公布实施方案 <b>未闭合 <i>标签", "五、随机抽查", "Draw over A",
                     "已公开"):  # fmt: skip
        assert expected in text, expected
    assert "Draw over B" not in text
    # Not yet overdue: the key figure is 0.
    task.deadline = today
    session.commit()
    summary = _summary(app, session, world.org.company_a, "2026Q4")
    assert (summary.overdue_count, summary.rectifications_due) == (0, 1)
    assert "其中 0 项未按期完成" in _pdf_text(summary)


def test_late_rectifications_are_those_of_the_quarter(app, session, report_world):  # noqa: F811
    """Verified after its deadline counts as late, in time does not, and a task belongs to
    the quarter of its deadline: a summary of the third quarter listed today's overdue work."""
    world, tz = report_world.world, app.extensions["dudao"].settings.tz
    task = session.scalars(select(Rectification)).one()
    task.deadline, task.state = date(2026, 11, 2), "verified"
    task.state_changed_at = datetime(2026, 11, 4, 3, 0, tzinfo=tz)
    session.commit()
    summary = _summary(app, session, world.org.company_a, "2026Q4")
    assert (summary.overdue_count, summary.rectifications_due) == (1, 1)
    assert summary.overdue[0][2:] == ("2026-11-02", "已验收 2026-11-04")
    task.state_changed_at = datetime(2026, 11, 2, 23, 0, tzinfo=tz)  # that day, locally
    session.commit()
    assert _summary(app, session, world.org.company_a, "2026Q4").overdue_count == 0

    task.deadline, task.state = date(2026, 8, 31), "open"
    session.commit()
    q3 = _summary(app, session, world.org.company_a, "2026Q3")
    q4 = _summary(app, session, world.org.company_a, "2026Q4")
    assert (q3.overdue_count, q3.rectifications_due) == (1, 1)
    assert (q4.overdue_count, q4.rectifications_due, q4.overdue) == (0, 0, [])
    task.state = "cancelled"
    session.commit()
    q3 = _summary(app, session, world.org.company_a, "2026Q3")
    assert (q3.overdue_count, q3.rectifications_due) == (0, 0)


def test_a_summary_is_dated_by_the_organisation_s_calendar(session, org, monkeypatch):
    """A summary's overdue work changes with the organisation's date, so the stored report is
    reused for that day only, whatever the server's own clock zone (here 26 hours apart)."""
    org_zone = "Pacific/Kiritimati"  # UTC+14
    session.info["settings"] = dataclasses.replace(session.info["settings"], timezone=org_zone)
    monkeypatch.setenv("TZ", "Etc/GMT+12")  # UTC-12
    time.tzset()
    try:
        _unit, _params, dated, _name = describe(
            session, ReportKind.SUMMARY, {"unit": org.company_a.code, "quarter": "2026Q4"}
        )
    finally:
        monkeypatch.undo()
        time.tzset()
    assert dated == [local_today(org_zone).isoformat()]
