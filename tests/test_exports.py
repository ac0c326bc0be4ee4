"""CSV and XLSX exports: UTF-8 with BOM, formula cells neutralised, the viewer's scope only."""

from __future__ import annotations

import csv
import io
import re

import pytest
from openpyxl import load_workbook

from dudao.core.spreadsheet import FORMULA_STARTS, neutralise
from dudao.reports.export_files import to_csv, to_xlsx
from dudao.reports.exports import Dataset
from tests.conftest import sign_in
from tests.report_world import report_world  # noqa: F401


def _client(app, username: str):
    client = app.test_client()
    assert sign_in(client, username).status_code == 302
    return client


@pytest.mark.parametrize("start", FORMULA_STARTS)
def test_every_formula_start_is_neutralised_in_both_writers(start):
    value = f'{start}HYPERLINK("http://x")'
    assert neutralise(value) == "'" + value
    dataset = Dataset("d", ["a", "b", "c"], [[value, -3, "普通文字"]])
    rows = list(csv.reader(io.StringIO(to_csv(dataset).decode("utf-8-sig"), newline="")))
    assert rows[1] == ["'" + value, "-3", "普通文字"]
    sheet = load_workbook(io.BytesIO(to_xlsx([dataset])))["d"]
    cell = sheet["A2"]
    # (XML reads a stored carriage return back as a line feed)
    assert cell.value == "'" + value.replace("\r", "\n") and cell.data_type == "s"
    assert sheet["B2"].value == -3  # numbers stay numbers


def test_neutralise_leaves_harmless_values_alone():
    assert [neutralise(v) for v in ("a=b", "台账", "", None, 5, -1.5)] == [
        "a=b", "台账", "", None, 5, -1.5
    ]  # fmt: skip


def test_office_csv_is_utf8_with_bom_and_neutralised(app, report_world):  # noqa: F811
    office = _client(app, "office")
    response = office.get("/reports/export/answers?format=csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"  # named once
    assert response.headers["Content-Disposition"] == 'attachment; filename="dudao-answers.csv"'
    assert response.data.startswith("\ufeff".encode())
    rows = list(csv.DictReader(io.StringIO(response.data.decode("utf-8-sig"), newline="")))
    # People read the web's exports: the columns and the coded values in their words.
    problems = next(r for r in rows if r["检查项目编码"] == "problems")
    assert problems["检查结果"] == "'=1+2 台账不全，公开承诺未按期更新。"
    plan = next(r for r in rows if r["检查项目编码"] == "plan")
    assert plan["检查结果"] == "否" and plan["判定"] == "不合格"
    assert plan["备注"].startswith("没有实施方案")
    office.post("/lang", data={"lang": "en", "next": "/"})
    english = office.get("/reports/export/answers?format=csv").data.decode("utf-8-sig")
    plan = next(r for r in csv.DictReader(io.StringIO(english)) if r["Item key"] == "plan")
    assert plan["Verdict"] == "Fail" and plan["Item"] != "有实施方案"


def test_the_command_line_keeps_keys_and_codes_unless_asked(app, report_world):  # noqa: F811
    from click.testing import CliRunner

    from dudao.cli import cli

    runner = CliRunner()
    coded = runner.invoke(cli, ["export", "answers"]).stdout_bytes.decode("utf-8-sig")
    plan = next(r for r in csv.DictReader(io.StringIO(coded)) if r["item"] == "plan")
    assert plan["verdict"] == "fail"
    worded = runner.invoke(cli, ["export", "answers", "--locale", "zh"]).stdout_bytes
    plan = next(r for r in csv.DictReader(io.StringIO(worded.decode("utf-8-sig")))
                if r["检查项目编码"] == "plan")  # fmt: skip
    assert plan["判定"] == "不合格"


def test_xlsx_has_a_sheet_per_dataset(app, report_world):  # noqa: F811
    office = _client(app, "office")
    response = office.get("/reports/export/all?format=xlsx")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.data))
    assert book.sheetnames == [
        "inspections",
        "answers",
        "findings",
        "rectifications",
        "flags",
        "survey_results",
    ]
    inspections = list(book["inspections"].values)
    assert [row[1] for row in inspections[1:]] == ["A1-1", "B1-1"]
    findings = list(book["findings"].values)
    assert len(findings) == 1 + 3
    tasks = list(book["rectifications"].values)
    from dudao.workflow.registry import get_workflow

    workflow = get_workflow("rectification")
    assert len(tasks) == 2 and tasks[1][4] == workflow.state(workflow.initial).label.zh
    answers = {row[2]: row for row in book["answers"].values}
    assert answers["problems"][4] == "'=1+2 台账不全，公开承诺未按期更新。"
    # Typed cells: a date is a date, an empty cell empty; the header stays in view.
    sheet = book["inspections"]
    assert sheet.freeze_panes == "A2" and sheet["H2"].is_date and sheet["H1"].value == "截止日期"
    assert isinstance(sheet["J2"].value, float) and tasks[1][5].date().isoformat() == "2027-01-31"


def test_exports_respect_the_viewers_scope(app, user_factory, report_world):  # noqa: F811
    user_factory("office_b", ("office", report_world.world.org.company_b))
    office_b = _client(app, "office_b")
    rows = office_b.get("/reports/export/inspections?format=csv").data.decode("utf-8-sig")
    assert "B1-1" in rows and "A1-1" not in rows
    assert "A1-1" not in office_b.get("/reports/export/findings").data.decode("utf-8-sig")
    assert office_b.get("/reports/export/inspections?unit=A").status_code == 404
    assert _client(app, "insp").get("/reports/export/inspections").status_code == 403
    office = _client(app, "office")
    assert office.get("/reports/export/nothing").status_code == 404
    assert office.get("/reports/export/all?format=csv").status_code == 400  # xlsx only
    narrowed = office.get("/reports/export/inspections?unit=B&quarter=2026Q4").data
    assert b"B1-1" in narrowed and b"A1-1" not in narrowed
    empty = office.get("/reports/export/inspections?quarter=2026Q1").data.decode("utf-8-sig")
    assert empty.strip().count("\n") == 0  # the header only


def test_flags_export_in_scope_by_the_day_raised(app, session, user_factory, report_world):  # noqa: F811
    from datetime import UTC, datetime

    from tests.flag_world import make_flag

    org = report_world.world.org
    # 2026-09-30 17:00 UTC is already 1 October in the organisation's time zone (Q4).
    make_flag(session, org.branch_a1, severity="high", tag="1", item_key="=cmd",
              created_at=datetime(2026, 9, 30, 17, tzinfo=UTC))  # fmt: skip
    make_flag(session, org.branch_b1, severity="low", tag="2", state="dismissed",
              created_at=datetime(2026, 9, 30, 15, tzinfo=UTC))  # fmt: skip
    session.commit()

    def rows(client, query: str) -> list[tuple[str, ...]]:
        data = client.get(f"/reports/export/flags?format=csv{query}").data.decode("utf-8-sig")
        found = csv.DictReader(io.StringIO(data, newline=""))
        return [(r["单位编码"], r["严重程度"], r["状态"], r["检查项目编码"]) for r in found]

    office = _client(app, "office")
    a_flag, b_flag = ("A1-1", "高", "新发现", "'=cmd"), ("B1-1", "低", "已排除", "q1")
    assert rows(office, "") == [a_flag, b_flag]
    assert rows(office, "&quarter=2026Q4") == [a_flag]
    assert rows(office, "&quarter=2026Q3") == [b_flag]
    user_factory("office_b", ("office", report_world.world.org.company_b))
    assert rows(_client(app, "office_b"), "") == [b_flag]


def test_cli_export(app, report_world, tmp_path):  # noqa: F811
    from dudao.cli import cli

    runner = app.test_cli_runner()
    out = tmp_path / "all.xlsx"
    result = runner.invoke(cli, args=["export", "all", "--format", "xlsx", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert f"已写入 {out}（" in result.output and "行）。" in result.output
    result = runner.invoke(cli, args=["export", "all", "--format", "xlsx", "-o", str(out),
                                      "--lang", "en"])  # fmt: skip
    assert re.search(rf"^Wrote {re.escape(str(out))} \(\d+ rows\)\.$", result.output, re.M)
    assert load_workbook(out).sheetnames[0] == "inspections"
    result = runner.invoke(cli, args=["export", "findings", "--unit", "B"])
    assert result.exit_code == 0 and "finding_id" in result.output and "A1-1" not in result.output
    result = runner.invoke(cli, args=["export", "all", "--format", "csv"])
    assert result.exit_code != 0 and "xlsx" in result.output


def test_the_reports_page_exports_what_its_form_names(app, report_world):  # noqa: F811
    """The page listed bare file names (inspections.csv) and ignored the unit and quarter
    typed above them; its form now names the data in words and carries both."""
    office = _client(app, "office")
    page = office.get("/reports").get_data(as_text=True)
    assert ">发现的问题</option>" in page and ">问卷结果</option>" in page
    chosen = office.get("/reports/export?dataset=findings&format=csv&unit=A1&quarter=")
    assert chosen.status_code == 302
    assert chosen.headers["Location"] == "/reports/export/findings?format=csv&unit=A1"
    narrowed = office.get(chosen.headers["Location"])
    assert narrowed.status_code == 200 and narrowed.mimetype == "text/csv"
    named = office.get("/reports/export/findings?format=csv&unit=A1&quarter=2026Q4")
    assert 'filename="dudao-findings-A1-2026Q4.csv"' in named.headers["Content-Disposition"]
    every = office.get("/reports/export?dataset=all&format=csv")  # a workbook holds them all
    assert every.headers["Location"] == "/reports/export/all?format=xlsx"
    # The checklist by its title, an answer in the reader's language.
    office.post("/lang", data={"lang": "en", "next": "/"})
    text = office.get("/reports/export/answers?format=csv").data.decode("utf-8-sig")
    assert "是" not in {r["Answer"] for r in csv.DictReader(io.StringIO(text))}
    listed = office.get("/reports/export/inspections?format=csv").data.decode("utf-8-sig")
    assert {r["Checklist"] for r in csv.DictReader(io.StringIO(listed))} == {
        "Strive-for-excellence campaign spot check"
    }
