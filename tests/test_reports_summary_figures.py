"""The period summary's figures read at a glance: count axes with round steps and the counts
on the bars, grades best first, chart titles and report states in the reader's language."""

from __future__ import annotations

import io
import re

from pypdf import PdfReader

from dudao.reports.charts import failure_chart, grade_chart, to_svg
from dudao.reports.fonts import register_font
from dudao.reports.services import parse_quarter
from dudao.reports.summary import load_summary
from dudao.reports.summary_pdf import render_summary_pdf
from tests.conftest import repeated_ids
from tests.report_world import as_user, drain, report_world  # noqa: F401
from tests.trend_world import TZ, load, row


def test_count_charts_have_round_steps_and_the_counts_on_the_bars():
    font = register_font()
    grades = grade_chart([("优秀", 92), ("良好", 3), ("不合格", 4)], font, "等级分布")
    items = failure_chart([("知晓情况", 31), ("总体评价", 4)], font, "不合格次数")
    for chart in (grades, items):
        axis = chart.contents[0].valueAxis
        top = max(chart.contents[0].data[0])
        assert axis.valueStep in (10, 20) and top <= axis.valueMax < top + axis.valueStep
        texts = re.findall(r">([^<>]+)</text>", to_svg(chart))
        assert str(top) in texts and "4" in texts  # the counts, not only ticks such as 19, 38


def test_charts_on_one_page_repeat_no_id():
    """Pages show several charts inline (analytics, the summary page): each keeps ids of its
    own, so the clip path a chart refers to is its own."""
    font = register_font()
    page = "".join(to_svg(grade_chart([("优秀", n), ("良好", 1)], font, "")) for n in (3, 5))
    assert page.count("<svg") == 2 and "clip-path=" in page
    assert repeated_ids(page) == []


def test_axis_labels_are_cut_by_their_width_not_their_length():
    """English words are half as wide as Chinese characters: "Satisfactory" fits where six
    characters did, a long label of either kind ends in an ellipsis."""
    font = register_font()
    english = grade_chart([("Excellent", 5), ("Satisfactory", 3), ("Fail", 1)], font, "")
    assert english.contents[0].categoryAxis.categoryNames == ["Excellent", "Satisfactory", "Fail"]
    long_zh = "党员群众对本单位开展创先争优活动的知晓情况、参与程度和总体评价"  # 30 characters
    long_en = "How many interviewees know the campaign"
    names = failure_chart([(long_zh, 3), (long_en, 2)], font, "").contents[0].categoryAxis
    cut_en, cut_zh = names.categoryNames  # drawn bottom up
    assert cut_zh.endswith("…") and long_zh.startswith(cut_zh[:-1]) and 16 < len(cut_zh) < 30
    assert cut_en == long_en  # 185 points hold it


def test_grades_are_counted_best_first(session, org, tmp_path):
    """Three failed and one excellent inspection: 优秀 comes first although it is rarer."""
    rows = [row("A1-1", 0), row("A1-2", 0, site_matches="no"), row("B1-1", 0, site_matches="no"),
            row("A1-1", 1, site_matches="no")]  # fmt: skip
    load(session, tmp_path, rows)
    summary = load_summary(session, org.group, parse_quarter("2024Q1"), TZ)
    assert summary.grades == [("优秀", 1), ("不合格", 3)]


def test_units_with_the_same_average_share_their_place(session, org, tmp_path):
    """Ranked as the assessment ranks (1, 1, 3), by the average as shown: two branches with
    every item right share the first place, in the data, on the page and in the PDF."""
    rows = [row("A1-1", 0), row("A1-2", 0), row("B1-1", 0, site_matches="no")]
    load(session, tmp_path, rows)
    summary = load_summary(session, org.group, parse_quarter("2024Q1"), TZ)
    assert [(place, code) for place, code, *_rest in summary.units] == [
        (1, "A1-1"), (1, "A1-2"), (3, "B1-1"),
    ]  # fmt: skip
    text = "\n".join(page.extract_text() for page in PdfReader(
        io.BytesIO(render_summary_pdf(summary))).pages)  # fmt: skip
    for place, code in (("1", "A1-1"), ("1", "A1-2"), ("3", "B1-1")):  # a cell a line
        assert re.search(rf"^{place}\n[^\n]+\n{code}$", text, re.M), code


def test_summary_page_titles_its_charts_and_the_reports_page_names_states(app, report_world):  # noqa: F811
    office = as_user(app, "office")
    page = office.get("/reports/summary?unit=G&quarter=2026Q4").get_data(as_text=True)
    titles = re.findall(r"<title>([^<]*)</title>", page)
    assert {"等级分布", "月度平均得分率（%）", "问题较多的检查项（前十）"} <= set(titles)
    assert not {"grades", "monthly", "items"} & set(titles)
    assert "<dd data-completion>50%</dd>" in page  # as the PDF prints it (1 of 2 inspections)
    office.post("/reports/summary", data={"unit": "G", "quarter": "2026Q4"})
    drain(app)
    listed = office.get("/reports").get_data(as_text=True).split("最近的报告")[1]
    assert '<td data-state="done">可下载</td>' in listed and "done (" not in listed


def test_a_returned_inspection_is_not_done_and_adds_no_score(session, org):
    """Sent back to its inspector, an inspection has no result yet (as on the analytics
    pages): the summary neither counts it done nor lets its 0 % pull its unit down."""
    from tests import analytics_world

    analytics_world.results(session, org)
    summary = load_summary(session, org.group, parse_quarter("2026Q1"), TZ)
    assert summary.planned == 6 and summary.done == 5
    averages = {code: average for _place, code, _name, average, *_n in summary.units}
    assert averages["A1-1"] == 80.0  # January 80, February 100, March 60; not the returned 0
    assert sum(count for _month, _average, count in summary.monthly) == 5
