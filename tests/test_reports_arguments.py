"""A report URL's or command's bad argument is named, in the reader's language: not the
generic 400 page ("reload and try again") nor an English sentence on a Chinese page."""

from __future__ import annotations

from tests.conftest import sign_in
from tests.report_world import report_world  # noqa: F401


def _office(app):
    client = app.test_client()
    assert sign_in(client, "office").status_code == 302
    return client


def test_an_export_names_a_bad_quarter_or_format(app, report_world):  # noqa: F811
    office = _office(app)
    response = office.get("/reports/export/inspections?format=xlsx&quarter=2026Q9")
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "“2026Q9”不是季度，请按 2026Q3 的格式填写。" in page and "重新加载" not in page
    pdf = office.get("/reports/export/inspections?format=pdf")
    assert pdf.status_code == 400
    assert "“pdf”不是导出格式，请用 csv 或 xlsx。" in pdf.get_data(as_text=True)
    every = office.get("/reports/export/all?format=csv")
    assert every.status_code == 400 and "只能用 xlsx" in every.get_data(as_text=True)
    office.post("/lang", data={"lang": "en", "next": "/"})
    english = office.get("/reports/export/inspections?quarter=2026Q9").get_data(as_text=True)
    assert "“2026Q9” is not a quarter; write it like 2026Q3." in english
    assert office.get("/reports/export/inspections?quarter=2026q4").status_code == 200


def test_the_summary_and_the_quarterly_reports_name_a_bad_quarter(app, report_world):  # noqa: F811
    office = _office(app)
    page = office.get("/reports/summary?unit=G&quarter=Q9").get_data(as_text=True)
    assert "“Q9”不是季度，请按 2026Q3 的格式填写。" in page and "is not like" not in page
    for kind in ("batch", "summary"):
        asked = office.post(f"/reports/{kind}", data={"unit": "A", "quarter": "2026-4"})
        assert asked.status_code == 422
        assert "“2026-4”不是季度，请按 2026Q3 的格式填写。" in asked.text
        assert 'name="unit" value="A"' in asked.text and 'value="2026-4"' in asked.text
        empty = office.post(f"/reports/{kind}", data={"unit": "A", "quarter": ""})
        assert empty.status_code == 422 and "请填写季度" in empty.text
        unknown = office.post(f"/reports/{kind}", data={"unit": "ZZ99", "quarter": "2026Q3"})
        assert unknown.status_code == 404  # as for a unit outside one's part: nothing to tell
        assert 'id="unit-error">您督导的范围内没有编码为 “ZZ99” 的单位' in unknown.text
        assert 'value="ZZ99"' in unknown.text and 'value="2026Q3"' in unknown.text
    typo = office.get("/reports/summary?unit=ZZ99&quarter=2026Q3")
    assert typo.status_code == 404 and "您督导的范围内没有编码为 “ZZ99” 的单位" in typo.text


def test_commands_name_a_bad_quarter_in_the_default_language(app, report_world, tmp_path):  # noqa: F811
    from dudao.cli import cli

    runner = app.test_cli_runner()
    args = ["report", "batch", "--unit", "A", "--quarter", "2026Q9", "-o", str(tmp_path / "a.zip")]
    result = runner.invoke(cli, args=args)
    assert result.exit_code == 1 and "“2026Q9”不是季度，请按 2026Q3 的格式填写。" in result.output
    result = runner.invoke(cli, args=["export", "inspections", "--quarter", "26Q1"])
    assert result.exit_code == 1 and "“26Q1”不是季度" in result.output
    args = [
        "report",
        "summary",
        "--unit",
        "A",
        "--quarter",
        "0000Q1",
        "-o",
        str(tmp_path / "s.pdf"),
    ]
    result = runner.invoke(cli, args=args)  # no year 0: a sentence, not a traceback
    assert result.exit_code == 1 and "“0000Q1”不是季度" in result.output
    result = runner.invoke(
        cli, args=["report", "inspection", "9" * 25, "-o", str(tmp_path / "i.pdf")]
    )
    assert result.exit_code == 2 and "Traceback" not in result.output


def test_report_commands_speak_the_default_language(app, report_world, tmp_path):  # noqa: F811
    from dudao.cli import cli

    runner = app.test_cli_runner()
    out = str(tmp_path / "r.pdf")
    missing = runner.invoke(cli, args=["report", "inspection", "999999", "-o", out])
    assert missing.exit_code == 1 and "检查 999999 不存在。" in missing.output
    nowhere = runner.invoke(cli, args=["report", "batch", "--unit", "NOPE", "--quarter", "2026Q4",
                                       "-o", out])  # fmt: skip
    assert nowhere.exit_code == 1 and "没有编码为 “NOPE” 的单位。" in nowhere.output
    campaign = runner.invoke(cli, args=["report", "campaign", "999999", "-o", out])
    assert campaign.exit_code == 1 and "测评活动 999999 不存在。" in campaign.output
    every = runner.invoke(cli, args=["export", "all"])
    assert every.exit_code == 1 and "“all” 需要 --format xlsx" in every.output
    unit = runner.invoke(cli, args=["export", "inspections", "--unit", "NOPE"])
    assert unit.exit_code == 1 and "没有编码为 “NOPE” 的单位。" in unit.output


def test_the_quarterly_forms_start_at_the_viewers_unit_and_this_quarter(app, report_world, session):  # noqa: F811
    from dudao.scheduling.recurrence import org_today

    today = org_today(session)
    this_quarter = f"{today.year}Q{(today.month - 1) // 3 + 1}"
    office = _office(app)  # the office of the group G, its whole part of the tree
    page = office.get("/reports").text
    form, exports = page.split('id="exports"')
    assert 'name="unit" value="G"' in form and f'name="quarter" value="{this_quarter}"' in form
    assert 'name="unit" value=""' in exports and 'name="quarter" value=""' in exports  # all
    summary = office.get("/reports/summary")
    assert summary.status_code == 200 and f"示例集团 {this_quarter}" in summary.text
    chosen = office.get("/reports/summary?unit=A&quarter=2026Q1").text
    assert "甲公司 2026Q1" in chosen and 'value="G"' not in chosen


def test_a_refused_quarter_or_dataset_reads_in_the_reader_s_language_beside_its_field(
    app,
    report_world,  # noqa: F811
):
    """The problems a refusal places beside its fields say what its message says, in the
    reader's language, not an English line with Python's repr of the value."""
    from dudao.cli import cli
    from dudao.core.errors import ValidationError, by_field
    from dudao.core.language import translations
    from dudao.reports.services import parse_quarter

    try:
        parse_quarter("2026Q9")
    except ValidationError as exc:
        refused = exc
    assert by_field(refused.problems, translations("zh_CN")) == (
        {"quarter": ["“2026Q9”不是季度，请按 2026Q3 的格式填写。"]},
        [],
    )
    runner = app.test_cli_runner()
    unknown = runner.invoke(cli, args=["export", "nope"])
    assert unknown.exit_code == 1
    assert "未知的数据集 “nope”；可选：inspections、answers、" in unknown.output
    assert "、survey_results、all。" in unknown.output
    english = runner.invoke(cli, args=["export", "nope", "--lang", "en"])
    assert "Unknown dataset 'nope'; choose from inspections, answers, " in english.output
