"""The nightly full run (RQ cron) re-derives what lost jobs missed; analysis is set-based (its
statements do not grow with the units analysed); its rules file is checked, located."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import event, func, select

from dudao.core.enums import UnitLevel
from dudao.core.jobs import periodic_jobs
from dudao.org.services import create_unit
from dudao.trends import jobs
from dudao.trends.config import DEFAULTS, TrendRulesError, load_rules
from dudao.trends.models import Flag
from dudao.trends.services import analyze
from tests.trend_world import TODAY, TZ, load, row


@contextmanager
def statements(engine) -> Iterator[list[str]]:
    """The SQL statements sent to `engine` inside the block."""
    sent: list[str] = []

    def seen(_conn, _cursor, statement, *_args) -> None:
        sent.append(statement)

    event.listen(engine, "before_cursor_execute", seen)
    try:
        yield sent
    finally:
        event.remove(engine, "before_cursor_execute", seen)


def test_the_nightly_run_finds_what_lost_jobs_missed(session, org, tmp_path) -> None:
    # Imported (or submitted while the worker was down): no job has analysed these.
    load(session, tmp_path, [row("A1-1", 0, site_matches="no"), row("B1-1", 0),
                             row("B1-1", 1, leadership="assigned"),
                             row("B1-1", 2, leadership="assigned")])  # fmt: skip
    assert session.scalar(select(func.count(Flag.id))) == 0
    assert (jobs.analyze_all, "40 1 * * *") in [(p.func, p.cron) for p in periodic_jobs()]
    assert jobs.analyze_all()["created"] == 2
    session.expire_all()
    found = {(f.rule, tuple(f.unit_codes)) for f in session.scalars(select(Flag))}
    assert found == {("critical_failure", ("A1-1",)), ("recurring_failure", ("B1-1",))}
    again = jobs.analyze_all()  # the next night: the same flags, none new
    assert (again["created"], again["reopened"], again["cleared"]) == (0, 0, 0)


def test_the_statements_of_an_analysis_do_not_grow_with_the_units(app, session, org, tmp_path):
    """Reading, aggregating and keeping flags up to date take the same statements for 2
    branches as for 8. (Writing a new flag is one INSERT each on SQLite, which gives no
    order for a batch's new ids; PostgreSQL batches them: measured on the nightly run's
    steady state, where the flags exist.)"""
    engine = app.extensions["dudao"].engine

    def statements_for_branches(count: int) -> int:
        codes = [f"N{count}-{n}" for n in range(count)]
        for code in codes:
            create_unit(session, None, code, code, UnitLevel.BRANCH, parent=org.unit_a1)
        # Each branch fails the critical item once and `leadership` twice running.
        rows = [row(code, i, site_matches="no" if i == 0 else "yes",
                    leadership="assigned" if i else "secretary_leads")
                for code in codes for i in range(3)]  # fmt: skip
        load(session, tmp_path, rows, name=f"h{count}.jsonl")
        assert analyze(session, TZ, today=TODAY).created == 2 * count
        session.commit()
        with statements(engine) as sent:
            analyze(session, TZ, today=TODAY)
        session.commit()
        return len(sent)

    few = statements_for_branches(2)
    assert few >= 5  # the listener sees the analysis's reads
    assert statements_for_branches(8) == few


def _refused(rules: Path, text: str) -> list[str]:
    """`line: rule.setting: message` for each problem of a trends.yaml holding `text`."""
    rules.write_text(text, encoding="utf-8")
    with pytest.raises(TrendRulesError) as caught:
        load_rules(rules)
    return [f"{p.line}: {p.path}: {p.message}" for p in caught.value.problems]


def test_a_bad_rules_file_names_every_problem_with_its_line(tmp_path) -> None:
    """workflows/trends.yaml is checked like the other workflows/ files: every problem at
    once, located, the rest of the file read; and unreadable YAML is one located problem."""
    rules = tmp_path / "trends.yaml"
    said = _refused(
        rules,
        "deterioration:\n"
        "  h: high\n"            # line 2: not a number
        "  kk: 0.5\n"            # line 3: a typo
        "outlier:\n"
        "  coverage: 99.8\n"     # line 5: a share, not a per cent
        "cross_unit:\n"
        "  levels: [group, firm]\n"  # line 7: not a unit level
        "  severity: urgent\n"   # line 8
        "burst: {enabled: true}\n",  # line 9: no such rule
    )  # fmt: skip
    assert said == [
        "2: deterioration.h: expected a number, got text",
        "3: deterioration.kk: unknown field 'kk'; did you mean 'k'?",
        "5: outlier.coverage: must be between 0 and 1, got 99.8",
        "7: cross_unit.levels[1]: unknown level 'firm' (one of: group, company, unit, branch)",
        "8: cross_unit.severity: unknown severity 'urgent' (one of: low, medium, high)",
        "9: burst: unknown field 'burst'",
    ]
    rules.write_text("deterioration:\n  h: [5\n", encoding="utf-8")
    with pytest.raises(TrendRulesError) as caught:
        load_rules(rules)
    (unreadable,) = caught.value.problems
    assert (unreadable.file, unreadable.line) == (str(rules), 3)
    assert unreadable.message.startswith("invalid YAML") and "at line 2" in unreadable.message
    empty = tmp_path / "empty.yaml"
    empty.write_text("", encoding="utf-8")
    assert load_rules(empty) == DEFAULTS  # nothing given: every default


def test_settings_that_would_flag_everything_or_nothing_are_refused(tmp_path) -> None:
    """A count of 0 or 1 where a rule needs two (a failure that recurs, a theme across
    units), an empty window, h = 0 or a false discovery rate of 0 or 1 changed no rule's
    code but flagged every failure, or nothing, without a word."""
    rules = tmp_path / "trends.yaml"
    said = _refused(
        rules,
        "recurring_failure: {consecutive: 1}\n"
        "cross_unit: {baseline_periods: 2, min_baseline_periods: 3, fdr: 0}\n"
        "deterioration: {h: 0, mk_periods: 2}\n"
        "outlier: {window_periods: 0, coverage: 1}\n"
        "feedback_theme: {min_units: 1}\n"
        "returned_inspection: {min_returns: 1}\n",
    )
    assert said == [
        "1: recurring_failure.consecutive: must be at least 2, got 1",
        "2: cross_unit.fdr: must be more than 0",
        "3: deterioration.h: must be more than 0",
        "3: deterioration.mk_periods: must be at least 3, got 2",
        "4: outlier.window_periods: must be at least 1, got 0",
        "4: outlier.coverage: must be less than 1",
        "5: feedback_theme.min_units: must be at least 2, got 1",
        "6: returned_inspection.min_returns: must be at least 2, got 1",
    ]
    assert _refused(rules, "cross_unit: {baseline_periods: 2, min_baseline_periods: 3}\n") == [
        "1: cross_unit.min_baseline_periods: at most baseline_periods (2)"
    ]


def test_dudao_analyze_lists_a_bad_rules_file_in_the_reader_s_language(app, monkeypatch, tmp_path):
    """The command stops before it analyses anything and prints every problem, located,
    in Chinese by default (it printed the first one, in English)."""
    from dudao.cli import cli
    from dudao.trends import services

    rules = tmp_path / "trends.yaml"
    rules.write_text("deterioration:\n  h: high\noutlier:\n  coverage: 99.8\n", encoding="utf-8")
    monkeypatch.setattr(services, "shipped_rules", lambda: load_rules(rules))
    result = app.test_cli_runner().invoke(cli, ["analyze"])
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"{rules}:2:6: deterioration.h: 应为数字，实为文本",
        f"{rules}:4:13: outlier.coverage: 应在 0 到 1 之间，实为 99.8",
        f"Error: {rules}:2:6: deterioration.h: 应为数字，实为文本（另有 1 个问题）",
    ]
    with pytest.raises(TrendRulesError) as caught:  # English counts its problems in the singular
        load_rules(rules)
    assert str(caught.value).endswith(": expected a number, got text (and 1 more problem)")
