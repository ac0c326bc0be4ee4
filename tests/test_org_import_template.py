"""The org chart import's template: headed as the import reads it, in the reader's language,
as CSV and XLSX, from the upload page and the command line; sent back unchanged, it is
refused at its example row rather than imported."""

from __future__ import annotations

from dudao.cli import cli
from dudao.org.import_files import read_table
from dudao.org.import_rows import parse_rows
from tests.org_import_world import rejected

ZH = ["编码", "名称", "上级编码", "层级", "英文名称", "标签", "人数", "启用"]
EN = ["code", "name", "parent", "level", "name_en", "tags", "headcount", "active"]


def read_back(data: bytes, filename: str):
    """The template as the import reads it: every column known, the example row correct."""
    table = read_table(data, filename)
    rows, problems = parse_rows(table)
    assert problems == [] and len(rows) == 1
    assert rows[0].present == frozenset(EN)
    return table


def test_the_upload_page_offers_templates_headed_in_its_language(client, org, signed_in):
    signed_in("root", ("admin", org.group))
    page = client.get("/units/import").get_data(as_text=True)
    assert '<a href="/units/import/template.xlsx" download>XLSX 模板</a>' in page
    assert '<a href="/units/import/template.csv" download>CSV 模板</a>' in page
    csv = client.get("/units/import/template.csv")
    assert csv.mimetype == "text/csv"
    assert "filename*=UTF-8''%E7%BB%84%E7%BB%87" in csv.headers["Content-Disposition"]
    assert csv.data.startswith("\ufeff编码,名称,上级编码,层级".encode())
    table = read_back(csv.data, "template.csv")
    assert table.header == ZH
    assert table.rows[0][1][:4] == ["HX-01-03-1", "第三发电厂机关党支部", "HX-01-03", "党支部"]

    client.post("/lang", data={"lang": "en", "next": "/"})
    xlsx = client.get("/units/import/template.xlsx")
    assert xlsx.headers["Content-Disposition"] == 'attachment; filename="org-chart-template.xlsx"'
    table = read_back(xlsx.data, "org-chart-template.xlsx")
    assert table.header == EN
    assert table.rows[0][1][3:] == ["branch", "Power Plant No. 3 Office Party Branch",
                                    "office;model", "42", "yes"]  # fmt: skip
    assert client.get("/units/import/template.xls").status_code == 404


def test_only_those_who_import_get_the_template(client, org, signed_in):
    signed_in("lead", ("unit_lead", org.group))
    assert client.get("/units/import/template.csv").status_code == 403


def test_a_template_sent_back_unchanged_is_refused_at_its_example(client, org, signed_in, session):
    signed_in("root", ("admin", org.group))
    data = client.get("/units/import/template.xlsx").data
    problems = rejected(session, data, "组织架构导入模板.xlsx")
    assert [(row, column) for row, column, _ in problems] == [(2, "上级编码")]


def test_the_command_line_writes_the_template(app, tmp_path):
    runner = app.test_cli_runner()
    path = tmp_path / "模板.xlsx"
    result = runner.invoke(cli, ["org", "template", str(path)])
    assert result.exit_code == 0, result.output
    assert read_back(path.read_bytes(), path.name).header == ZH
    english = tmp_path / "org.csv"
    assert runner.invoke(cli, ["org", "template", str(english), "--lang", "en"]).exit_code == 0
    assert read_back(english.read_bytes(), english.name).header == EN
    wrong = runner.invoke(cli, ["org", "template", str(tmp_path / "org.txt")])
    assert wrong.exit_code == 2 and "name a .csv or .xlsx file" in wrong.output
    assert not (tmp_path / "org.txt").exists()
