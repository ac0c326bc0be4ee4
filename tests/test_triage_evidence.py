"""A flag's sentence and figures say what its test measured, in the office's terms: the
window a cross-unit test pooled with its counts, shares in per cent as on the chart, what a
questionnaire flag was compared with, and the units by name in the reader's language."""

from __future__ import annotations

import html
import re

import pytest

from dudao.core.database import org_timezone
from dudao.scheduling.recurrence import local_today
from tests.conftest import sign_in
from tests.flag_world import make_flag

#: A cross-unit flag as the rule writes it (the demo's company flag, two periods shown).
CROSS = {
    "test": "conditional exact binomial (window vs baseline), one-sided, BH",
    "period": "2026-11", "window_periods": 2, "failures": 31, "inspections": 51,
    "rate": 0.6078, "baseline_rate": 0.0509, "baseline_failures": 25,
    "baseline_inspections": 500, "wilson_95": [0.4709, 0.7297], "p_value": 4.9e-18,
    "q_value": 1.9e-17, "fdr": 0.05, "periods": ["2026-10", "2026-11"],
    "failures_series": [31, 0], "inspections_series": [50, 1],
}  # fmt: skip
#: A questionnaire flag against the organisation's index (the demo's first).
BELOW_ORG = {
    "test": "one-sided z-test", "against": "organisation", "campaign_id": 4,
    "period_label": "2026年第三季度", "index": 41.1, "reference": 75.8, "drop": 34.7,
}  # fmt: skip


@pytest.fixture
def desk(client, session, org, user_factory):
    user_factory("desk", ("office", org.group)).locale = "en"
    org.company_a.name_en = "Company A"
    session.commit()
    sign_in(client, "desk")
    return client


def page_of(client, flag) -> str:
    response = client.get(f"/flags/{flag.id}")
    assert response.status_code == 200
    return html.unescape(response.get_data(as_text=True))


def part(page: str, marker: str) -> str:
    return page.split(marker)[1].split("</table>")[0]


def test_a_cross_unit_flag_names_its_window_and_counts(desk, session, org):
    units = [org.branch_a1.id, org.branch_a2.id]
    flag = make_flag(session, org.company_a, "cross_unit", evidence=CROSS, unit_ids=units,
                     last_detected="2026-11")  # fmt: skip
    session.commit()
    page = page_of(desk, flag)
    # The failures were in October; November had one inspection so far, which passed.
    assert ("failed unusually often in A Company A in 2026-10 – 2026-11: 31 of 51 "
            "inspections (60.8%) against 5.1% before; at 2 units.") in page  # fmt: skip
    figures = part(page, "data-evidence")
    assert ">60.8%<" in figures and ">5.1%<" in figures and ">47.1% – 73.0%<" in figures
    assert ">2 (2026-10 – 2026-11)<" in figures and "0.6078" not in figures
    series = part(page, "data-series")
    assert '<th scope="col">Failures</th><th scope="col">Number of inspections</th>' in series
    assert re.search(r'<th scope="row">2026-11( <span[^>]*>[^<]*</span>)?</th>'
                     "<td>0.0</td><td>0</td><td>1</td>", series)  # fmt: skip
    assert '<dd><a href="/units/' in page and "A Company A</a></dd>" in page
    queue = desk.get("/flags").get_data(as_text=True)
    assert '<td class="unit">A Company A</td>' in queue
    desk.post("/lang", data={"lang": "zh_CN", "next": "/"})
    page = page_of(desk, flag)
    assert ("2026-10 – 2026-11，A 甲公司 的《monthly》检查项“q1”不合格明显偏多：51 次检查中 "
            "31 次不合格（60.8%），此前为 5.1%；涉及 2 个单位。") in page  # fmt: skip


def test_the_month_under_way_is_marked_as_not_over(desk, session, org):
    """Its rate is what came in so far: one passed inspection is not a problem gone."""
    today = local_today(org_timezone(session))
    month = today.strftime("%Y-%m")
    months = [today.year * 12 + today.month - 1 - n for n in (1, 2)]
    earlier = [f"{m // 12:04d}-{m % 12 + 1:02d}" for m in months]
    under_way = make_flag(session, org.company_a, "cross_unit", last_detected=month,
                          evidence={**CROSS, "periods": [earlier[0], month]})  # fmt: skip
    past = make_flag(session, org.company_b, "cross_unit", last_detected=earlier[0],
                     evidence={**CROSS, "periods": [earlier[1], earlier[0]]})  # fmt: skip
    session.commit()
    page = page_of(desk, under_way)
    series = part(page, "data-series")
    assert f'<th scope="row">{earlier[0]}</th>' in series
    assert f'<th scope="row">{month} <span class="muted">(month not over)</span></th>' in series
    chart = page.split("data-chart")[1].split("</figure>")[0]
    assert f">{month}*<" in chart and f">{earlier[0]}<" in chart
    assert f"* {month} is not over: its figures are what has come in so far." in chart
    # its rate so far (0 of 1) is an open point apart, not the line diving to 0 %
    (x,) = re.findall(r'<circle cx="([\d.]+)"[^>]*fill="rgb\(100%,100%,100%\)"', chart)
    line = re.findall(r'<polyline points="([^"]*)" stroke="rgb\(12%,37%,60%\)"', chart)
    assert line and all(f"{float(x):g} " not in points for points in line)
    assert "not over" not in page_of(desk, past)
    desk.post("/lang", data={"lang": "zh_CN", "next": "/"})
    assert f'{month} <span class="muted">（本月尚未结束）</span>' in page_of(desk, under_way)


def test_a_cross_unit_flag_names_the_months_of_its_baseline(desk, session, org):
    """A problem that goes on keeps its months out of the baseline, so the baseline can be
    long past: the page says which months it was measured on and which were left out."""
    left_out = ["2026-03", "2026-04", "2026-05", "2026-07", "2026-08", "2026-09"]
    evidence = {**CROSS, "baseline_months": ["2025-03", "2026-06"], "baseline_left_out": left_out}
    flag = make_flag(session, org.company_a, "cross_unit", evidence=evidence,
                     last_detected="2026-11")  # fmt: skip
    quiet = make_flag(session, org.company_b, "cross_unit", tag="quiet", last_detected="2026-11",
                      evidence={**CROSS, "baseline_months": ["2026-06", "2026-06"],
                                "baseline_left_out": []})  # fmt: skip
    session.commit()
    for lang, words in (
        ("en", ("Baseline months", "Months left out of the baseline (flagged then)", "None",
                "Baseline rate")),
        ("zh_CN", ("基线月份", "未计入基线的月份（当月已被标记）", "无", "基线比率")),
    ):  # fmt: skip
        desk.post("/lang", data={"lang": lang, "next": "/"})
        months, left, none, rate = words
        figures = part(page_of(desk, flag), "data-evidence")
        assert f'<th scope="row">{months}</th><td class="wrap">2025-03 – 2026-06</td>' in figures
        assert (f'<th scope="row">{left}</th><td class="wrap">2026-03 – 2026-05, '
                "2026-07 – 2026-09</td>") in figures  # fmt: skip
        series = part(page_of(desk, flag), "data-series")
        assert "2025-03 – 2026-06" in series.split(rate)[1].split("</th>")[0]
        figures = part(page_of(desk, quiet), "data-evidence")
        assert f'<th scope="row">{months}</th><td class="wrap">2026-06</td>' in figures
        assert f'<th scope="row">{left}</th><td class="wrap">{none}</td>' in figures


def test_a_questionnaire_flag_says_what_it_was_compared_with(desk, session, org):
    below = make_flag(session, org.branch_a1, "questionnaire_decline", tag="org",
                      evidence=BELOW_ORG, definition_key="member_satisfaction")  # fmt: skip
    fell = make_flag(session, org.branch_a2, "questionnaire_decline", tag="fell",
                     evidence={**BELOW_ORG, "against": "earlier campaigns", "index": 46.8,
                               "reference": 81.35, "drop": 34.55})  # fmt: skip
    run = [{"campaign_id": i, "period_label": f"Q{i}", "index": 60.0, "responses": 30}
           for i in (2, 3, 4)]  # fmt: skip
    stayed = make_flag(session, org.branch_b1, "questionnaire_decline", tag="run",
                       evidence={**BELOW_ORG, "against": "earlier campaigns", "run": run,
                                 "reference": 72.0, "drop": 12.0})  # fmt: skip
    session.commit()
    page = page_of(desk, below)
    # the campaign's period, typed as the periods are named, in the reader's language
    assert ("In 2026 Q3 satisfaction in member_satisfaction at A1-1 was 41.1, 34.7 "
            "points below the organisation's 75.8.") in page  # fmt: skip
    assert "dropped by" not in page and "<dt>Questionnaire</dt>" in page
    assert '<a href="/surveys/4/results">#4 2026 Q3</a>' in page and "季度" not in page
    # The sentence rounds as the results page does; the figures keep the stored values.
    assert "fell to 46.8, 34.5 points below its earlier campaigns (81.3)." in page_of(desk, fell)
    assert '<td class="wrap">81.35</td>' in part(page_of(desk, fell), "data-evidence")
    assert (
        "has stayed lower over its last 3 campaigns (to 2026 Q3): on average 12.0 "
        "points below its campaigns before them (72.0)."
    ) in page_of(desk, stayed)
    desk.post("/lang", data={"lang": "zh_CN", "next": "/"})
    assert "满意度为 41.1，比整体水平 75.8 低 34.7 分" in page_of(desk, below)
    assert "满意度为 46.8，比本单位此前各期的 81.3 下降了 34.5 分" in page_of(desk, fell)
    assert "满意度最近 3 期持续偏低（截至2026年第三季度）" in page_of(desk, stayed)


def test_a_campaign_period_in_free_text_is_kept_and_marked_as_chinese(desk, session, org):
    """A period that names no period key stays as the office typed it; on an English page
    it is marked as Chinese wherever it is shown."""
    typed = {**BELOW_ORG, "period_label": "2026年秋季测评",
             "baseline": [{"campaign_id": 3, "period_label": "2026年第二季度", "index": 80.0,
                           "responses": 12, "weight": 1.0}]}  # fmt: skip
    flag = make_flag(session, org.branch_a1, "questionnaire_decline", evidence=typed,
                     definition_key="member_satisfaction")  # fmt: skip
    session.commit()
    page = page_of(desk, flag)
    autumn = '<span lang="zh">2026年秋季测评</span>'
    assert f"In {autumn} satisfaction in member_satisfaction at A1-1 was 41.1" in page
    assert f'<a href="/surveys/4/results">#4 {autumn}</a>' in page
    assert f'<td class="wrap">{autumn}</td>' in part(page, "data-evidence")
    assert ">2026 Q2: 80.0 from 12 answers, weight 1.0<" in part(page, "data-evidence")
    assert f"In {autumn} satisfaction" in html.unescape(desk.get("/flags").get_data(as_text=True))
    desk.post("/lang", data={"lang": "zh_CN", "next": "/"})
    page = page_of(desk, flag)
    assert "2026年秋季测评" in page and 'lang="zh"' not in page


def test_a_flag_of_one_month_names_it_once(desk, session, org):
    flag = make_flag(session, org.group, "feedback_theme", item_key=None, definition_key=None,
                     first_detected="2026-11", last_detected="2026-11",
                     evidence={"keyword": "浪费", "units": 3, "representatives": 3,
                               "feedback_ids": [25], "test": "same keyword from at least 3 "
                               "units and as many representatives within 90 days"})  # fmt: skip
    session.commit()
    page = page_of(desk, flag)
    assert "raised the same concern, “浪费” (2026-11)." in page and "2026-11 to" not in page
    assert 'Units concerned</th><td class="wrap">3<' in page
    assert 'Representatives concerned</th><td class="wrap">3<' in page
    assert "The same keyword from at least 3 units and as many representatives within 90" in page


def test_deterioration_and_outlier_sentences_give_their_figures(desk, session, org):
    falling = make_flag(session, org.branch_a1, "deterioration", tag="fall", evidence={
        "baseline_score": 100.0, "decline_from": "2026-08", "mean_score_since": 88.9,
        "sen_slope": -1.47, "periods": ["2026-08", "2026-09"],
        "scores": [88.8889, 90.4762]})  # fmt: skip
    outlier = make_flag(session, org.branch_a2, "outlier", tag="out", first_detected="2026-09",
                        evidence={"period": "2026-11", "window_periods": 3, "failed_items": 8,
                                  "scored_items": 18, "proportion": 0.4444,
                                  "upper_limit": 0.2778, "organisation_proportion": 0.0813,
                                  "overdispersion": 1.274,
                                  "limit_method": "exact binomial quantile"})  # fmt: skip
    session.commit()
    page = page_of(desk, falling)
    assert ("have been below the unit's own baseline since 2026-08: 88.9 on average since "
            "then, against 100.0 before.") in page  # fmt: skip
    assert 'Sen\'s slope (score points per month)</th><td class="wrap">-1.47<' in page
    table = page.split("data-series")[1].split("</table>")[0]  # scores to 0.1, like the mean
    assert "<td>88.9</td>" in table and "<td>90.5</td>" in table and "90.47" not in table
    assert ("A1-2 failed 8 of 18 scored items in 2026-09 – 2026-11 (44.4%), above the funnel "
            "limit of 27.8% (since 2026-09).") in page_of(desk, outlier)  # fmt: skip
    # what the limit is made of, so it can be checked: p0, φ and which limit
    figures = part(page_of(desk, outlier), "data-evidence")
    for label, value in (("The organisation's proportion failed (p0)", "8.1%"),
                         ("Overdispersion (φ)", "1.274"),
                         ("Limit computed as", "the exact binomial quantile")):  # fmt: skip
        assert f'<th scope="row">{label}</th><td class="wrap">{value}</td>' in figures
    desk.post("/lang", data={"lang": "zh_CN", "next": "/"})
    assert "此后平均 88.9 分，此前为 100.0 分" in page_of(desk, falling)
    assert "持续下降" not in page_of(desk, falling).split("data-sentence>")[1].split("</p>")[0]
    said = "A1-2 的计分项中 8 项不合格（共 18 项，44.4%），超出漏斗图上限 27.8%"
    assert said in page_of(desk, outlier)
    figures = part(page_of(desk, outlier), "data-evidence")
    assert '全组织不合格比例（p0）</th><td class="wrap">8.1%<' in figures
    assert '上限算法</th><td class="wrap">精确二项分布分位数<' in figures


def test_a_deterioration_flag_says_whether_mann_kendall_backs_the_cusum(desk, session, org):
    """The CUSUM finds a level below the unit's own; only Mann-Kendall says the scores are
    still falling. Scores 90, 90, 100, 100, 100, 86, 86, 100, 100, 90, 90 (p = 0.34, Sen's
    slope 0) are a shift, not a continuing decline."""
    base = {"baseline_score": 96.0, "decline_from": "2026-05", "mean_score_since": 90.0,
            "cusum_signal": True}  # fmt: skip
    shift = make_flag(session, org.branch_a1, "deterioration", tag="shift",
                      evidence={**base, "mann_kendall_p": 0.34, "sen_slope": 0.0})  # fmt: skip
    slide = make_flag(session, org.branch_a2, "deterioration", tag="slide",
                      evidence={**base, "mann_kendall_p": 0.004, "sen_slope": -2.5})  # fmt: skip
    gap = make_flag(session, org.branch_b1, "deterioration", tag="gap",
                    evidence={**base, "mann_kendall_p": None, "sen_slope": None})  # fmt: skip
    session.commit()
    said = lambda flag: page_of(desk, flag).split("data-sentence>")[1].split("</p>")[0]  # noqa: E731
    assert said(shift) == (
        "The scores of monthly at A1-1 have been below the unit's own baseline since 2026-05: "
        "90.0 on average since then, against 96.0 before. A shift, not a continuing decline: "
        "Mann-Kendall finds no downward trend (p = 0.34).")  # fmt: skip
    assert said(slide).endswith("before. Mann-Kendall finds a continuing downward trend: -2.5 "
                                "points per month (Sen's slope; p = 0.004).")  # fmt: skip
    assert said(gap).endswith("Mann-Kendall was not run (a month of its window had no score).")
    desk.post("/lang", data={"lang": "zh_CN", "next": "/"})
    assert said(shift) == (
        "自 2026-05 起，A1-1 的《monthly》得分低于本单位自身基线：此后平均 90.0 分，"
        "此前为 96.0 分。属于水平下移，并非持续下降：Mann-Kendall 检验未发现下降趋势"
        "（p = 0.34）。")  # fmt: skip
    assert said(slide).endswith("Mann-Kendall 检验显示持续下降趋势：每月 -2.5 分（Sen 斜率；p = "
                                "0.004）。")  # fmt: skip


def test_an_overdue_rectification_flag_links_its_tasks(desk, session, org):
    flag = make_flag(session, org.branch_a1, "overdue_rectification", item_key=None,
                     definition_key=None, evidence={
                         "test": "count of overdue rectifications", "overdue": 2,
                         "oldest_deadline": "2026-10-01", "rectification_ids": [7, 9]})  # fmt: skip
    session.commit()
    page = page_of(desk, flag)
    assert "A1-1 has 2 overdue rectifications." in page
    flag.evidence = {**flag.evidence, "overdue": 1, "rectification_ids": [7]}
    session.commit()
    assert "A1-1 has 1 overdue rectification." in page_of(desk, flag)  # not "rectifications"
    links = page.split("data-links")[1].split("</ul>")[0]
    assert '<a href="/rectifications/7">#7</a>' in links and "/rectifications/9" in links
