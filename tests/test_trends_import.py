"""History import (JSONL, CSV, XLSX): row-numbered errors, all or nothing, idempotent; export."""

from __future__ import annotations

import csv
import json
from datetime import datetime

import pytest
from click.testing import CliRunner
from openpyxl import Workbook
from sqlalchemy import func, select, text

from dudao.cli import cli
from dudao.config import PROJECT_ROOT
from dudao.core.errors import ValidationError
from dudao.definitions.models import DefinitionVersion, FormDefinition
from dudao.definitions.services import sync_forms
from dudao.inspections.models import Inspection
from dudao.inspections.submission_models import Finding, Submission
from tests.trend_world import PASSING, TODAY, TZ, load, row


def count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


def test_bad_rows_are_named_and_nothing_is_stored(session, org, tmp_path) -> None:
    rows = [
        row("A1-1", 0),
        row("NOPE", 1, leadership="bogus"),  # the answers are checked as well
        row("A1-1", 2, leadership="bogus"),
        {**row("A1-1", 3), "date": "2024-13-01"},
        row("A1-1", 4, unknown_item="yes"),
        {**row("A1-1", 5), "definition": "missing"},
    ]
    with pytest.raises(ValidationError) as caught:
        load(session, tmp_path, rows)
    text = "\n".join(caught.value.problems)
    assert "line 2: unit" in text and "line 3: leadership" in text and "line 4: date" in text
    assert "line 2: leadership" in text and "'2024-13-01' is not a valid date" in text
    assert "line 5: unknown_item" in text and "line 6: definition" in text
    assert "line 1" not in text
    session.rollback()
    assert count(session, Inspection) == 0


def test_reimport_is_idempotent_and_scores_are_stored(session, org, tmp_path) -> None:
    rows = [row("A1-1", 0), row("A1-1", 1, site_matches="no"), row("B1-1", 1)]
    assert load(session, tmp_path, rows).created == 3
    again = load(session, tmp_path, rows)
    assert (again.created, again.existing) == (0, 3)
    assert count(session, Inspection) == 3 and count(session, Submission) == 3
    failed = session.scalar(select(Finding).where(Finding.item_key == "site_matches"))
    assert failed.critical
    states = set(session.scalars(select(Inspection.state)))
    assert states == {"closed"}
    assert set(session.scalars(select(Inspection.origin))) == {"import"}
    # The origin says where it came from, in the reader's language; no English "reason".
    assert set(session.scalars(select(Inspection.reason))) == {None}
    # A row corrected since is named, not counted as "already there" in silence.
    session.commit()
    first = session.scalar(select(Submission.inspection_id).order_by(Submission.id))
    corrected = [row("A1-1", 0, plan="no"), *rows[1:]]
    with pytest.raises(ValidationError) as caught:
        load(session, tmp_path, corrected)
    assert caught.value.problems == [
        f"line 1: answers differ from inspection #{first}, imported earlier from the same unit, "
        "definition, date and inspector; a re-import does not change an imported inspection"
    ]


def test_csv_and_xlsx_with_one_column_per_item(session, org, tmp_path) -> None:
    """As offices keep them: the fixed columns may be named in Chinese, a yes/no cell may say
    是 or 否, and a CSV Excel saved on a Chinese Windows writes dates as 2024/1/15."""
    header = ["unit", "definition", "date", "inspector", *PASSING]
    values = {**PASSING, "activities": "pledges, model_posts"}
    path = tmp_path / "h.csv"
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(header)
        writer.writerow(["A1-1", "campaign_spot_check", "2024/1/15", "", *values.values()])
    book = Workbook()
    sheet = book.active
    sheet.append(["单位", "检查表", "日期", "检查人员", *PASSING])
    sheet.append(["A1-2", "campaign_spot_check", "2024-01-15", None,
                  *{**values, "plan": "否"}.values()])  # fmt: skip
    book.save(tmp_path / "h.xlsx")
    runner = CliRunner()
    load(session, tmp_path, [])  # syncs the forms
    result = runner.invoke(cli, ["import", "inspections", str(path)])
    assert result.exit_code == 0, result.output
    assert "h.csv：读取 1 行，导入 1 行，0 行此前已导入。" in result.output  # Chinese unless asked
    result = runner.invoke(cli, ["import", "inspections", str(tmp_path / "h.xlsx")])
    assert result.exit_code == 0, result.output
    result = runner.invoke(cli, ["import", "inspections", str(path), "--lang", "en"])
    assert "h.csv: 1 row read: 0 imported, 1 already there." in result.output  # not "1 rows"
    first, second = session.scalars(select(Submission).order_by(Submission.id))
    assert first.answers["activities"] == ["pledges", "model_posts"]
    assert first.submitted_at.date().isoformat() == "2024-01-15"
    assert (first.answers["plan"], second.answers["plan"]) == ("yes", "no")


def test_analyze_and_export_formats_with_backfilled_first_detected(session, org, tmp_path) -> None:
    rows = [row("A1-1", i) for i in range(6)]
    rows[2] = row("A1-1", 2, site_matches="no")
    load(session, tmp_path, rows)
    runner = CliRunner()
    result = runner.invoke(cli, ["analyze"])
    assert result.exit_code == 0 and "critical_failure 1" in result.output, result.output
    data = json.loads(runner.invoke(cli, ["flags", "export", "--format", "json"]).output)
    (flag,) = data
    assert {"id", "rule", "severity", "state", "units", "item", "definition", "first_detected",
            "last_detected", "evidence"} <= set(flag)  # fmt: skip
    assert flag["units"] == ["A1-1"] and flag["first_detected"] == "2024-03"
    assert flag["item"] == "site_matches" and flag["definition"] == "campaign_spot_check"
    raw = runner.invoke(cli, ["flags", "export", "--format", "csv"]).stdout_bytes
    assert raw.startswith("\ufeff".encode())  # Excel reads the Chinese in the evidence right
    parsed = list(csv.DictReader(raw.decode("utf-8-sig").splitlines()))
    assert parsed[0]["rule"] == "critical_failure" and json.loads(parsed[0]["evidence"])
    assert parsed[0]["detected"] in ("true", "false") and parsed[0]["units"] == "A1-1"
    result = runner.invoke(cli, ["analyze", "--scope", "NOPE"])
    assert result.exit_code == 1 and "没有编码为 “NOPE” 的单位。" in result.output
    # An error no command catches is said in --lang's language too, not always in Chinese.
    result = runner.invoke(cli, ["analyze", "--scope", "NOPE", "--lang", "en"])
    assert result.exit_code == 1 and "No unit with the code 'NOPE'." in result.output
    assert TODAY and TZ


def test_every_problem_of_a_file_is_listed_in_the_readers_language(session, org, tmp_path) -> None:
    """A line that is not JSON does not hide the problems of the lines around it; the
    command speaks Chinese unless asked for English, and stores nothing."""
    load(session, tmp_path, [])  # syncs the forms
    good, bad = json.dumps(row("A1-1", 0)), json.dumps({**row("NOPE", 1), "date": "15/02/2024"})
    path = tmp_path / "mixed.jsonl"
    odd = json.dumps(row("A\u2028B", 2), ensure_ascii=False)  # a JSON line may hold U+2028
    wrong = json.dumps(row("A1-1", 3, plan="maybe"))  # an answer the item does not offer
    written = [good, "{oops", bad, "[1, 2]", good, odd, wrong]
    path.write_text("\n".join(written), encoding="utf-8")
    runner = CliRunner()
    english = runner.invoke(cli, ["import", "inspections", str(path), "--lang", "en"])
    assert english.exit_code == 1
    lines = english.output.splitlines()
    assert "line 2: not JSON (Expecting property name enclosed in double quotes)" in lines
    assert "line 3: unit: no unit with the code 'NOPE'" in lines
    assert "line 3: date: '15/02/2024' is not a valid date (YYYY-MM-DD)" in lines
    assert "line 4: not a JSON object" in lines
    assert "line 5: the same unit, definition, date and inspector as line 1" in lines
    assert "line 6: unit: no unit with the code 'A\\u2028B'" in lines  # repr's escape
    assert "line 7: plan: Choose one of the answers offered. (given: 'maybe')" in lines
    assert lines[-1] == "Error: mixed.jsonl: 7 problems; nothing was imported."
    chinese = runner.invoke(cli, ["import", "inspections", str(path)])
    assert "第 3 行：unit：没有编码为 “NOPE” 的单位" in chinese.output.splitlines()
    assert "第 3 行：date：“15/02/2024” 不是有效日期（格式为 YYYY-MM-DD）" in chinese.output
    assert "第 6 行：unit：没有编码为 “A\\u2028B” 的单位" in chinese.output.splitlines()
    assert "第 7 行：plan：请从给出的选项中选择一项。（所填：“maybe”）" in chinese.output
    assert "mixed.jsonl：发现 7 个问题，未导入任何数据。" in chinese.output
    assert count(session, Inspection) == 0


def test_spreadsheets_as_excel_writes_them(session, org, tmp_path) -> None:
    """GBK CSV from Chinese Excel, real date cells in XLSX; a missing column or an old
    .xls file is one clear sentence."""
    load(session, tmp_path, [])
    header = ["unit", "definition", "date", "inspector", *PASSING]
    cells = [", ".join(v) if isinstance(v, list) else v for v in PASSING.values()]
    gbk = tmp_path / "gbk.csv"
    with gbk.open("w", newline="", encoding="gb18030") as out:
        csv.writer(out).writerows(
            [header, ["A1-1", "campaign_spot_check", "2024-01-15", "", *cells]]
        )
    book = Workbook()
    book.active.append(header)
    book.active.append(["A1-2", "campaign_spot_check", datetime(2024, 1, 15), None, *cells])
    book.save(tmp_path / "dates.xlsx")
    runner = CliRunner()
    for path in (gbk, tmp_path / "dates.xlsx"):
        result = runner.invoke(cli, ["import", "inspections", str(path)])
        assert result.exit_code == 0 and "导入 1 行" in result.output, result.output
    days = {str(d) for d in session.scalars(select(Inspection.period_start))}
    assert days == {"2024-01-15"}
    no_date = tmp_path / "no_date.csv"
    no_date.write_text("unit,definition,plan\nA1-1,campaign_spot_check,yes\n", encoding="utf-8")
    old = tmp_path / "old.xls"
    old.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100))
    with (tmp_path / "gbk_bad.csv").open("w", newline="", encoding="gb18030") as out:
        csv.writer(out).writerows([header, ["一支部", "campaign_spot_check", "2024-02-15", "",
                                            *cells]])  # fmt: skip
    result = runner.invoke(cli, ["import", "inspections", str(tmp_path / "gbk_bad.csv")])
    assert "第 2 行：unit：没有编码为 “一支部” 的单位" in result.output.splitlines()
    # A value beyond the named columns (a shifted row, say) was dropped without a word.
    shifted = tmp_path / "shifted.csv"
    with shifted.open("w", newline="", encoding="utf-8") as out:
        csv.writer(out).writerows([header, ["A1-1", "campaign_spot_check", "2024-03-15", "",
                                            *cells, "yes"]])  # fmt: skip
    result = runner.invoke(cli, ["import", "inspections", str(shifted), "--lang", "en"])
    assert result.exit_code == 1, result.output
    assert f"column {len(header) + 1} holds a value, but row 1" in result.output
    for path, says in ((no_date, "missing: date."), (old, "Excel 97-2003 (.xls)")):
        result = runner.invoke(cli, ["import", "inspections", str(path), "--lang", "en"])
        assert result.exit_code == 1 and says in result.output, result.output
        assert len(result.output.splitlines()) == 1, result.output
    no_unit = tmp_path / "no_unit.csv"
    no_unit.write_text("definition,plan\ncampaign_spot_check,yes\n", encoding="utf-8")
    result = runner.invoke(cli, ["import", "inspections", str(no_unit)])
    assert result.exit_code == 1 and "unit、date" in result.output, result.output
    assert count(session, Inspection) == 2


def test_an_import_leaves_the_planner_statistics_of_what_it_loaded(session, org, tmp_path) -> None:
    """PostgreSQL plans on a bulk-loaded table as if empty until it is analysed: a
    re-import of 25,000 rows took 17 s instead of 2.5 s (bench/trend_scale.py)."""
    if session.get_bind().dialect.name != "postgresql":
        pytest.skip("planner statistics are PostgreSQL's")
    load(session, tmp_path, [row(unit, i) for unit in ("A1-1", "B1-1") for i in range(7)])
    estimates = dict(session.execute(text(
        "SELECT relname, reltuples FROM pg_class WHERE relname IN "
        "('inspection', 'inspection_submission')"
    )).all())  # fmt: skip
    assert estimates == {"inspection": 14, "inspection_submission": 14}


def test_a_spreadsheet_may_name_the_version_its_rows_were_filled_in(session, org, tmp_path):
    """Years-old sheets follow the checklist of their day: an optional `version` column
    pins that version; an empty cell, the current one; an unknown number is that row's
    problem."""
    load(session, tmp_path, [])  # version 1
    changed = tmp_path / "forms"
    changed.mkdir()
    source = (PROJECT_ROOT / "forms" / "campaign_spot_check.yaml").read_text(encoding="utf-8")
    (changed / "campaign_spot_check.yaml").write_text(
        source.replace(
            "  en: Strive-for-excellence campaign spot check", "  en: Campaign spot check", 1
        ),
        encoding="utf-8",
    )
    sync_forms(session, None, changed)
    session.commit()
    ids = dict(session.execute(
        select(DefinitionVersion.number, DefinitionVersion.id).join(FormDefinition)
        .where(FormDefinition.key == "campaign_spot_check")
    ).all())  # fmt: skip
    assert set(ids) == {1, 2}
    header = ["unit", "definition", "version", "date", "inspector", *PASSING]
    cells = [", ".join(v) if isinstance(v, list) else v for v in PASSING.values()]
    sheet = tmp_path / "eras.csv"
    with sheet.open("w", newline="", encoding="utf-8") as out:
        csv.writer(out).writerows([
            header,
            ["A1-1", "campaign_spot_check", "1", "2023-03-15", "", *cells],
            ["A1-2", "campaign_spot_check", "", "2026-03-15", "", *cells],
        ])  # fmt: skip
    result = CliRunner().invoke(cli, ["import", "inspections", str(sheet)])
    assert result.exit_code == 0 and "读取 2 行，导入 2 行" in result.output, result.output
    pinned = session.execute(select(Inspection.period_start, Inspection.definition_version_id))
    assert {str(day): v for day, v in pinned} == {"2023-03-15": ids[1], "2026-03-15": ids[2]}
    with sheet.open("a", newline="", encoding="utf-8") as out:
        csv.writer(out).writerow(["A1-1", "campaign_spot_check", "9", "2023-04-15", "", *cells])
    result = CliRunner().invoke(cli, ["import", "inspections", str(sheet), "--lang", "en"])
    assert "row 4: definition: no definition 'campaign_spot_check' (or no such version)" in (
        result.output
    )


def test_an_imported_inspection_names_who_inspected_it(
    client, session, org, tmp_path, signed_in, user_factory
) -> None:
    """The inspector column is the submitter: the page said "Nobody yet" was assigned and
    named no one, as an imported inspection has no assignee."""
    inspector = user_factory("lisi", ("inspector", org.group))
    load(session, tmp_path, [row("A1-1", 0, inspector="lisi")])
    signed_in("office", ("office", org.group))
    inspection = session.scalar(select(Inspection))
    page = client.get(f"/inspections/{inspection.id}").get_data(as_text=True)
    submitted = page[page.index('<section id="submission">') :]
    assert f"· {inspector.display_name}</dd>" in submitted
    assert "尚未分派" not in page and '<span class="muted">无人</span>' in page
