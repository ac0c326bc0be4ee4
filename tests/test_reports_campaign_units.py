"""The campaign report's per-unit pages as a reader sees them: a subtree from which no
answer came is one row that says so (sections 二 and 三) while a hidden unit keeps its
reason, the history's period headers and unit codes stay whole, and a question's answers
are never split mid-answer."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from dudao.core.enums import UnitLevel
from dudao.core.errors import ValidationError
from dudao.org.models import Unit
from dudao.org.services import create_unit
from dudao.reports.campaign_data import load_campaign_report
from dudao.reports.campaign_pdf import render_campaign_pdf
from dudao.surveys import issuing
from dudao.surveys.aggregate import aggregate
from tests import survey_world
from tests.survey_world import responses


def _text(app, session, campaign_id: int, locale: str = "zh") -> str:
    """The report's text, each run of white space one space (cells wrap, figures are
    right-aligned): what a reader reads, in order."""
    data = load_campaign_report(session, campaign_id, locale)
    pdf = render_campaign_pdf(data, tz=app.extensions["dudao"].settings.tz)
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    return " ".join(text.split())


def _campaign(session, org, a1_1: int, a1_2: int):
    """Company A's campaign, closed: A1-1 and A1-2 answered so many times, and a unit A2
    (branches A2-1, A2-2) from which nothing came although four people of A2-1 were invited."""
    campaign = survey_world.campaign_for(session, org.company_a)
    a2 = create_unit(session, None, "A2", "甲二厂", UnitLevel.UNIT, org.company_a)
    a2_1 = create_unit(session, None, "A2-1", "甲二厂第一党支部", UnitLevel.BRANCH, a2)
    create_unit(session, None, "A2-2", "甲二厂第二党支部", UnitLevel.BRANCH, a2)
    survey_world.add_roster(session, a2_1, 4)
    issuing.generate_invitations(session, None, campaign)
    responses(session, campaign, org.branch_a1, a1_1)
    responses(session, campaign, org.branch_a2, a1_2)
    return survey_world.close(session, campaign)


def _section(text: str, start: str, end: str) -> str:
    return text.split(start, 1)[1].split(end, 1)[0]


def test_a_unit_without_answers_stands_for_the_units_below_it(app, session, org):
    campaign = _campaign(session, org, 12, 0)
    text = _text(app, session, campaign.id)
    units = _section(text, "二、各单位回收率与满意度", "满意度指数（0–100）")
    assert "甲二厂（A2） 本单位及下属 2 个单位均无答卷。应答人数 4。" in units
    assert "A2-1" not in text and "A2-2" not in text  # no row, no page, anywhere
    # A unit whose parent answered keeps its own row: that it did not is worth knowing.
    assert "甲一厂第二党支部（A1-2） 本单位无答卷。" in units
    assert "甲一厂第一党支部（A1-1） 12 — — 82.9" in units
    english = _text(app, session, campaign.id, "en")
    assert ("(A2) No answers from this unit or the 2 units below it. 4 people were expected "
            "to answer.") in english  # fmt: skip
    assert "(A1-2) No answers from this unit." in english and "A2-1" not in english


def test_hidden_units_keep_their_reason_beside_a_unit_without_answers(app, session, org):
    campaign = _campaign(session, org, 12, 3)
    hidden = {g.code: g.hidden for g in aggregate(session, campaign).groups if not g.shown}
    assert hidden == {"A1-1": "complementary", "A1-2": "small"}
    units = _section(
        _text(app, session, campaign.id), "二、各单位回收率与满意度", "满意度指数（0–100）"
    )
    assert "甲一厂（A1） 15 —" in units  # the parent's figure is aggregate's own
    assert "（A1-1） 为防止通过相减推算出未显示的单位，本单位一并不显示。" in units
    assert "（A1-2） 答卷少于 5 份，不单独显示；其答卷计入上级单位的数据。" in units
    assert units.count("无答卷") == 1 and "甲二厂（A2） 本单位及下属 2 个单位均无答卷" in units


def test_a_hidden_unit_is_never_said_to_have_no_answers(app, session, org):
    """Three answers in all: every unit is hidden, those without answers too (that they
    had none would tell where the three came from)."""
    campaign = _campaign(session, org, 3, 0)
    text = _text(app, session, campaign.id)
    assert "无答卷" not in text
    units = _section(text, "二、各单位回收率与满意度", "满意度指数（0–100）")
    # The scope has no unit above it for its answers to count in.
    assert "甲公司（A） 答卷少于 5 份，不显示。 甲一厂（A1）" in units
    # A1-1 is hidden for its own reason, so A1 keeps the rows below it; A2's branches are
    # hidden only because A2 is, and fold into its row.
    assert "（A1） 答卷少于 5 份，不单独显示；其答卷计入上级单位的数据。" in units
    assert "（A1-2） 上级单位未显示，本单位随之不显示。" in units
    assert "甲二厂（A2） 上级单位未显示，本单位随之不显示。下属 2 个单位也不显示。" in units
    assert "A2-1" not in text and "A2-2" not in text
    english = _text(app, session, campaign.id, "en")
    assert "(A) Fewer than 5 answers: not shown. " in english
    assert (
        "(A2) The unit above is not shown, so neither is this one. Nor are the 2 units "
        "below it." in english
    )


def test_the_scope_names_the_levels_asked_from_the_top_down(app, session, org):
    campaign = survey_world.campaign_for(session, org.company_a)
    campaign.levels = ["branch", "company"]  # as campaigns before 27 November 2026 stored them
    survey_world.close(session, campaign)
    assert "甲公司（A）及下属公司、党支部" in _text(app, session, campaign.id)
    again = survey_world.campaign_for(session, org.company_a, levels=["unit", "branch", "unit"])
    assert again.levels == ["unit", "branch"]
    with pytest.raises(ValidationError) as refused:
        survey_world.campaign_for(session, org.company_a, levels=["branch", "team"])
    assert [str(p) for p in refused.value.problems] == ["levels: No such level: team."]


def _earlier(session, org, label: str, quarters: int):
    """A finished campaign of the same questionnaire over company A, `quarters` back."""
    campaign = survey_world.campaign_for(session, org.company_a, title=label)
    campaign.opens_at -= timedelta(days=91 * quarters)
    campaign.closes_at -= timedelta(days=91 * quarters)
    campaign.period_label = label
    return survey_world.close(session, campaign)


def test_the_history_folds_units_that_never_answered_and_keeps_its_headers_whole(app, session, org):
    a3 = create_unit(session, None, "A3", "甲三厂", UnitLevel.UNIT, org.company_a)
    create_unit(session, None, "A3-1", "甲三厂第一党支部", UnitLevel.BRANCH, a3)
    # A name long enough to wrap: its code is never cut in two ("（A1-" / "3）").
    create_unit(
        session, None, "A1-3", "甲一厂综合办公室党群工作支部", UnitLevel.BRANCH, org.unit_a1
    )
    campaign = _campaign(session, org, 12, 0)
    campaign.period_label = "2026年第三季度"
    a2_1 = session.scalars(select(Unit).where(Unit.code == "A2-1")).one()
    for back, label in enumerate(["2025年第四季度", "2026年第一季度", "2026年第二季度"]):
        earlier = _earlier(session, org, label, 3 - back)
        responses(session, earlier, org.branch_a1, 10)
        if not back:  # A2-1 answered once, long ago: its row stays, with that figure
            responses(session, earlier, a2_1, 6)
    text = _text(app, session, campaign.id)
    history = _section(text, "三、历次测评满意度指数", "四、")
    assert "单位 2025年第四季度 2026年第一季度 2026年第二季度 2026年第三季度" in history
    assert "甲二厂第一党支部（A2-1） 82.9 — — —" in history
    assert "甲三厂（A3） 历次测评中本单位及下属 1 个单位均无答卷。" in history
    assert "A3-1" not in text
    assert "甲一厂综合办公室党群工作支部 （A1-3） 历次测评中本单位均无答卷。" in history
    units = _section(text, "二、各单位回收率与满意度", "满意度指数（0–100）")
    assert "甲二厂（A2） 本单位及下属 2 个单位均无答卷。" in units


def test_answers_are_never_split_and_an_unanswered_question_says_so(app, session, org):
    campaign = _campaign(session, org, 12, 0)
    data = load_campaign_report(session, campaign.id)
    pdf = render_campaign_pdf(data, tz=app.extensions["dudao"].settings.tz)
    lines = [" ".join(line.replace("\xa0", " ").split())
             for page in PdfReader(io.BytesIO(pdf)).pages
             for line in page.extract_text().splitlines()]  # fmt: skip
    for share in ("1 非常不满意：0", "2 不满意：0", "3 一般：0", "4 满意：12", "5 非常满意：0"):
        assert any(share in line for line in lines), share
    text = " ".join(lines)
    assert "本题无人作答。" in text and "政治理论学习：0" not in text


def test_the_results_page_folds_its_units_as_the_report_does(app, session, org, signed_in):
    campaign = _campaign(session, org, 12, 0)
    client = signed_in("office_a", ("office", org.company_a))
    page = " ".join(client.get(f"/surveys/{campaign.id}/results").text.split())
    quiet = 'class="wrap muted quiet-group">本单位及下属 2 个单位均无答卷。应答人数 4。</td>'
    assert f'甲二厂</td> <td colspan="4" {quiet}' in page
    assert "A2-1" not in page and "A1-2 甲一厂第二党支部" in page
    few = survey_world.campaign_for(session, org.company_a, title="再次测评")
    responses(session, few, org.branch_a1, 3)
    survey_world.close(session, few)
    page = " ".join(client.get(f"/surveys/{few.id}/results").text.split())
    assert ">答卷少于 5 份，不显示。</td>" in page  # the scope: no unit above it
    assert "下属 2 个单位也不显示。</td>" in page and "A2-1" not in page
