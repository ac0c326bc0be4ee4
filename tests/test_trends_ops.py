"""Overdue rectifications and repeatedly returned inspections; analyze --scope and --since."""

from __future__ import annotations

import uuid
from datetime import date

from click.testing import CliRunner
from sqlalchemy import select

from dudao.cli import cli
from dudao.inspections.submission_models import Finding, Rectification, ReviewState, Submission
from dudao.trends.models import Flag
from dudao.trends.services import analyze
from tests.trend_world import TODAY, TZ, load, row


def flags(session, rule):
    return list(session.scalars(select(Flag).where(Flag.rule == rule).order_by(Flag.id)))


def test_overdue_rectifications_flag_the_unit_until_none_is_overdue(session, org, tmp_path):
    load(session, tmp_path, [row("A1-1", 0, leadership="assigned", site_matches="no")])
    findings = list(session.scalars(select(Finding).order_by(Finding.id)))
    tasks = [
        Rectification(finding_id=f.id, unit_id=f.unit_id, state=state, deadline=date(2024, 2, d),
                      description="fix")
        for f, state, d in zip(findings, ("overdue", "open"), (1, 9), strict=True)
    ]  # fmt: skip
    session.add_all(tasks)
    session.commit()
    analyze(session, TZ, today=TODAY, rules=("overdue_rectification",))
    session.commit()
    (flag,) = flags(session, "overdue_rectification")
    assert flag.unit_codes == ["A1-1"] and flag.evidence["overdue"] == 1
    assert flag.evidence["rectification_ids"] == [tasks[0].id] and flag.detected
    assert flag.first_detected == "2024-02"
    tasks[0].state = "verified"
    session.commit()
    summary = analyze(session, TZ, today=TODAY, rules=("overdue_rectification",))
    session.commit()
    assert summary.cleared == 1 and flags(session, "overdue_rectification")[0].detected is False


def test_inspection_returned_twice_is_flagged_once(session, org, tmp_path):
    load(session, tmp_path, [row("A1-1", 0), row("B1-1", 0)])
    first = session.scalar(select(Submission).order_by(Submission.id))
    for _ in range(2):
        session.add(Submission(
            submission_id=str(uuid.uuid4()), inspection_id=first.inspection_id,
            definition_version_id=first.definition_version_id, content_hash="x",
            answers={}, notes={}, photos={}, result={}, percent=50.0, passed=True,
            review_state=ReviewState.RETURNED, item_comments={},
        ))  # fmt: skip
    session.commit()
    for _ in range(2):
        analyze(session, TZ, today=TODAY, rules=("returned_inspection",))
        session.commit()
    (flag,) = flags(session, "returned_inspection")
    assert flag.evidence["returns"] == 2 and flag.evidence["inspection_ids"] == [
        first.inspection_id
    ]


def test_scope_and_since(session, org, tmp_path):
    rows = [row("A1-1", 0, site_matches="no"), row("B1-1", 0, site_matches="no"),
            row("A1-2", 6, site_matches="no")]  # fmt: skip
    load(session, tmp_path, rows)
    runner = CliRunner()
    result = runner.invoke(cli, ["analyze", "--scope", "A", "--since", "2024-05-01"])
    assert result.exit_code == 0, result.output
    assert [f.unit_codes for f in flags(session, "critical_failure")] == [["A1-2"]]
    result = runner.invoke(cli, ["analyze"])
    assert sorted(f.unit_codes[0] for f in flags(session, "critical_failure")) == [
        "A1-1", "A1-2", "B1-1"
    ]  # fmt: skip
