"""The questionnaire campaign report in English: the page asks in the reader's language and
`dudao report campaign --locale en` likewise; questions, options, the questionnaire's title
and unit names in English where they have it, the reasons for hidden groups too."""

from __future__ import annotations

import io

from pypdf import PdfReader

from dudao.definitions.spec import Item, ItemType, LocalText
from dudao.reports.campaign_data import load_campaign_report, value_label
from dudao.reports.campaign_pdf import render_campaign_pdf
from tests import survey_world
from tests.conftest import sign_in
from tests.survey_world import responses

FIXED_CHINESE = ("测评报告", "测评概况", "份答卷", "意见建议", "不单独显示", "第 1 页", "督导")


def _flat(pdf: bytes) -> str:
    """The text with its line breaks as spaces: table cells wrap."""
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    return " ".join(text.split())


def test_an_english_campaign_report(app, session, org, user_factory):
    org.branch_a1.name_en = "First Branch of A1"
    closed = survey_world.close(session, survey_world.campaign_for(session, org.company_a))
    responses(session, closed, org.branch_a1, 12, score=5)
    responses(session, closed, org.branch_a2, 3, score=2)
    data = load_campaign_report(session, closed.id, "en")
    assert data.questionnaire == "Member and public satisfaction survey"
    (unit,) = [g for g in data.report.groups if g.code == "A1"]
    results = {r.label: r.distribution for r in data.item_results(unit)}
    assert results["The branch committee works together and leads by example"][1:] == [
        ("2 Dissatisfied", 3), ("3 Neutral", 0), ("4 Satisfied", 0), ("5 Very satisfied", 12)
    ]  # fmt: skip
    assert results["You are"] == [("A party member", 15), ("Not a party member", 0)]
    text = _flat(render_campaign_pdf(data, tz=app.extensions["dudao"].settings.tz))
    for expected in ("满意度测评 Campaign report", "1. The campaign", "Campaign scope",
                     "and its branches", "Status Closed", "2. Response rates and satisfaction",
                     "Fewer than 5 answers: not shown on its own", "First Branch of A1 (A1-1)",
                     "Results per question and comments by unit", "Comments (in random order)",
                     "Member and public satisfaction survey (version 1)", "Page 1 of"):  # fmt: skip
        assert expected in text, expected
    assert not [word for word in FIXED_CHINESE if word in text]
    chinese = _flat(render_campaign_pdf(load_campaign_report(session, closed.id)))
    assert all(word in chinese for word in ("测评报告", "一、测评概况", "第 1 页"))
    # The office asks on an English page, and the CLI with --locale en.
    user_factory("office_en", ("office", org.group))
    client = app.test_client()
    sign_in(client, "office_en")
    client.post("/lang", data={"lang": "en"})
    started = client.post(f"/reports/campaign/{closed.id}")
    page = client.get(started.headers["Location"]).get_data(as_text=True)
    assert f"campaign-report-{closed.id}.pdf" in page
    out = app.instance_path + "/campaign.pdf"
    args = ["report", "campaign", str(closed.id), "--locale", "en", "-o", out]
    from dudao.cli import cli

    result = app.test_cli_runner().invoke(cli, args=args)
    assert result.exit_code == 0 and f"(campaign-report-{closed.id}.pdf)" in result.output


def test_a_rating_value_reads_as_points_in_each_language():
    rating = Item("r", ItemType.RATING, LocalText("r"))
    assert [value_label(rating, v, "en") for v in ("1", "2")] == ["1 point", "2 points"]
    assert value_label(rating, "1", "zh") == "1分"
