"""Org chart import: re-imports update by code; CSV in UTF-8 (with/without BOM) and GB18030,
and XLSX; the command line. Errors: test_org_import_errors; the upload page:
test_org_import_web."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook
from sqlalchemy import select

from dudao.audit.chain import verify_chain
from dudao.audit.models import AuditEvent
from dudao.cli import cli
from dudao.org.queries import by_code
from tests.org_import_world import HEADER, counts, csv_bytes, rejected, run

# --- a good first import, parents after children, aliases and encodings -----------------

GOOD = [
    "code,name,parent,level,name_en,tags,headcount,active",
    "X-A1,一厂,X-A,unit,Plant 1,安全；生产,120,是",  # the parent comes later in the file
    "X,新集团,,group,New Group,,,",
    "X-A,甲公司,X,company,,,,",
    "X-A1-1,第一党支部,X-A1,党支部,,a;b,30,1",
    "X-A1-2,第二党支部,X-A1,支部,,,,否",
]


def test_first_import_creates_every_unit_top_down(session):
    before_units, before_events = counts(session)
    report = run(session, csv_bytes(*GOOD))
    assert report.ok, report.lines()
    assert (report.created, report.updated, report.moved, report.unchanged) == (5, 0, 0, 0)
    plant = by_code(session, "X-A1")
    assert plant.parent.code == "X-A" and plant.name_en == "Plant 1"
    assert plant.tags == ["安全", "生产"] and plant.headcount == 120 and plant.active
    assert by_code(session, "X-A1-1").path == f"{plant.path}{by_code(session, 'X-A1-1').id}/"
    assert by_code(session, "X-A1-1").tags == ["a", "b"]
    assert by_code(session, "X-A1-2").active is False
    assert by_code(session, "X").parent is None and by_code(session, "X").depth == 0
    units, events = counts(session)
    assert units == before_units + 5
    assert events == before_events + 6  # five creations and one deactivation
    assert verify_chain(session) == []


def test_reimporting_the_same_file_changes_nothing_and_writes_no_audit(session):
    assert run(session, csv_bytes(*GOOD)).ok
    before = counts(session)
    report = run(session, csv_bytes(*GOOD))
    assert report.ok and (report.created, report.updated, report.moved) == (0, 0, 0)
    assert report.unchanged == 5
    assert counts(session) == before


def test_reimport_updates_and_moves_by_code(session, org):
    data = csv_bytes(
        "code,name,parent,level,tags,headcount",
        "A1,甲一厂（新）,B,unit,x,5",  # renamed and moved from A to B with its branches
        "A1-1,甲一厂第一党支部,A1,branch,,",  # unchanged: empty tags/headcount as before
        "B,乙公司,G,company,,",
    )
    report = run(session, data)
    assert report.ok, report.lines()
    assert (report.created, report.moved, report.unchanged) == (0, 1, 2)
    assert report.updated == 1
    session.expire_all()
    a1 = by_code(session, "A1")
    assert a1.name == "甲一厂（新）" and a1.tags == ["x"] and a1.headcount == 5
    assert a1.parent.code == "B" and a1.path.startswith(by_code(session, "B").path)
    assert by_code(session, "A1-2").path.startswith(a1.path)  # moved with its parent
    assert by_code(session, "A1-2").depth == 3
    actions = session.scalars(select(AuditEvent.action).order_by(AuditEvent.seq.desc()).limit(2))
    assert sorted(actions) == ["unit.move", "unit.update"]
    assert by_code(session, "A").active  # units missing from the file are left alone


def test_moves_are_applied_parents_first(session, org):
    # Swap the nesting and the levels: A1 leaves A for G as a company, then A moves under
    # A1 as a unit. Legal in the final tree, though not step by step (A1 a company under A).
    data = csv_bytes(HEADER, "A,甲公司,A1,unit", "A1,甲一厂,G,company")
    report = run(session, data)
    assert report.ok, [str(p) for p in report.errors]
    assert report.moved == 2 and report.updated == 2
    session.expire_all()
    assert by_code(session, "A").parent.code == "A1"
    assert by_code(session, "A1").parent.code == "G"
    assert by_code(session, "A").path == f"{org.group.path}{org.unit_a1.id}/{org.company_a.id}/"


def test_an_empty_parent_makes_an_existing_unit_a_root(session, org):
    report = run(session, csv_bytes(HEADER, "B,乙公司,,company"))
    assert report.ok and report.moved == 1
    session.expire_all()
    assert by_code(session, "B").path == f"/{org.company_b.id}/"
    assert by_code(session, "B1-1").depth == 2


def test_dry_run_reports_and_writes_nothing(session, org):
    before = counts(session)
    report = run(session, csv_bytes(*GOOD), dry_run=True)
    assert report.ok and report.created == 5 and report.dry_run
    assert counts(session) == before


def test_chinese_headers_and_levels_in_gb18030(session):
    text = [
        "编码,名称,上级编码,层级,标签,人数,启用",
        "Z,某集团,,集团,甲,1,是",
        "Z1,某公司,Z,公司,,,",
    ]
    data = csv_bytes(*text, encoding="gb18030")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    report = run(session, data)
    assert report.ok, report.lines()
    assert (
        by_code(session, "Z").name == "某集团" and by_code(session, "Z1").level.value == "company"
    )


def test_problems_name_columns_as_the_file_heads_them(session):
    """An administrator whose file says 上级编码 and 层级 met "parent" and "level"."""
    data = csv_bytes(
        "编码,名称,上级编码,层级", "Z,某集团,,集团", "Z1,某公司,NOPE,公司", "Z2,某厂,Z,工厂"
    )
    report = run(session, data)
    assert {(p.row, p.column) for p in report.errors} == {(3, "上级编码"), (4, "层级")}
    english = run(session, csv_bytes("Code,Name,Parent,Level", "Y,x,NOPE,group"))
    assert [(p.row, p.column) for p in english.errors] == [(2, "Parent")]


def test_gbk_file_with_header_aliases(session):
    data = csv_bytes("代码,名称,上级,级别", "K,测试单位,,单位", encoding="gbk")
    assert run(session, data).ok
    assert by_code(session, "K").name == "测试单位"


def test_utf8_with_bom_and_case_insensitive_headers(session):
    data = b"\xef\xbb\xbf" + csv_bytes("Code,NAME,Parent,Level", "M,带签名的文件,,GROUP")
    report = run(session, data)
    assert report.ok, report.lines()
    assert by_code(session, "M").name == "带签名的文件"


def test_semicolon_csv_and_utf16_tab_separated_text(session):
    assert run(session, csv_bytes("code;name;parent;level;tags", "S1;分号;;group;a,b")).ok
    assert by_code(session, "S1").tags == ["a", "b"]
    data = "code\tname\tparent\tlevel\nS2\t制表符\tS1\tcompany\n".encode("utf-16")
    assert run(session, data, "org.txt").ok
    assert by_code(session, "S2").parent.code == "S1"


def test_xlsx_import_with_numeric_codes(session):
    book = Workbook()
    sheet = book.active
    sheet.append(["编码", "名称", "上级编码", "层级", "人数"])
    sheet.append([100, "表格集团", None, "集团", 10])
    sheet.append([101, "表格公司", 100, "公司", 7.0])
    buffer = io.BytesIO()
    book.save(buffer)
    report = run(session, buffer.getvalue(), "org.xlsx")
    assert report.ok, report.lines()
    assert by_code(session, "101").parent.code == "100"
    assert by_code(session, "101").headcount == 7


def test_xlsx_errors_use_spreadsheet_row_numbers(session):
    book = Workbook()
    sheet = book.active
    sheet.append(["code", "name", "parent", "level"])
    sheet.append(["Q", "Q", None, "group"])
    sheet.append([None, None, None, None])  # a blank row still counts as row 3
    sheet.append(["Q1", "Q1", "nope", "unit"])
    buffer = io.BytesIO()
    book.save(buffer)
    problems = rejected(session, buffer.getvalue(), "org.xlsx")
    assert [(row, column) for row, column, _ in problems] == [(4, "parent")]


# --- the command line ------------------------------------------------------------------


def test_cli_import_and_dry_run(app, session, tmp_path):
    path = tmp_path / "org.csv"
    path.write_bytes(csv_bytes(*GOOD))
    runner = app.test_cli_runner()
    dry = runner.invoke(cli, ["org", "import", str(path), "--dry-run", "--lang", "en"])
    assert dry.exit_code == 0, dry.output
    assert "org.csv is correct (5 rows checked, nothing written). Importing it, units " \
        "created: 5, updated: 0" in dry.output  # fmt: skip
    assert counts(session)[0] == 0
    result = runner.invoke(cli, ["org", "import", str(path)])
    assert result.exit_code == 0, result.output
    assert "org.csv：已导入 5 行。新建单位 5 个" in result.output  # Chinese unless asked
    assert counts(session)[0] == 5


def test_cli_reports_every_problem_and_exits_1(app, session, org, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_bytes(csv_bytes(HEADER, "N,n,NOPE,unit", "A,甲公司,A1,company"))
    before = counts(session)
    result = app.test_cli_runner().invoke(cli, ["org", "import", str(path), "--lang", "en"])
    assert result.exit_code == 1
    assert "row 2, column parent: unknown parent 'NOPE'" in result.output
    assert "row 3, column parent: parent 'A1' would make a cycle" in result.output
    assert "bad.csv: 2 problems; nothing was imported." in result.output
    result = app.test_cli_runner().invoke(cli, ["org", "import", str(path)])
    assert "第 2 行，parent 列：未知的上级单位“NOPE”" in result.output
    assert counts(session) == before


def test_checking_a_large_file_takes_a_fixed_number_of_queries(app, session, org):
    """Lookups are set-based: the statements for checking do not grow with the rows."""
    from sqlalchemy import event

    lines = [HEADER] + [f"N{i},n{i},{'A' if i % 2 else 'B1'},branch" for i in range(600)]
    lines += ["A1,甲一厂,B,unit", "B1-1,乙一厂第一党支部,B1,branch"]
    statements: list[str] = []
    engine = app.extensions["dudao"].engine

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        report = run(session, csv_bytes(*lines), dry_run=True)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert report.ok and (report.created, report.moved, report.unchanged) == (600, 1, 1)
    assert len(statements) <= 5, statements
