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
    """Overdue as the task list counts it: a task the lead started after the timer had
    marked it overdue is still past its deadline (it dropped out of the flag)."""
    rows = [row("A1-1", 0, leadership="assigned", site_matches="no", plan="no"),
            row("A1-1", 1, known_rate="few")]  # fmt: skip
    load(session, tmp_path, rows)
    findings = list(session.scalars(select(Finding).order_by(Finding.id)))
    states = ("overdue", "in_progress", "open", "submitted")
    deadlines = (date(2024, 2, 1), date(2024, 2, 5), TODAY, date(2024, 2, 3))
    tasks = [
        Rectification(finding_id=f.id, unit_id=f.unit_id, state=state, deadline=deadline,
                      description="fix")
        for f, state, deadline in zip(findings, states, deadlines, strict=True)
    ]  # fmt: skip
    session.add_all(tasks)
    session.commit()
    analyze(session, TZ, today=TODAY, rules=("overdue_rectification",))
    session.commit()
    (flag,) = flags(session, "overdue_rectification")
    assert flag.unit_codes == ["A1-1"] and flag.evidence["overdue"] == 2
    assert flag.evidence["rectification_ids"] == [tasks[0].id, tasks[1].id] and flag.detected
    assert flag.first_detected == "2024-02"
    tasks[0].state, tasks[1].state = "verified", "submitted"
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


def _flags_now(session) -> dict[str, tuple]:
    session.expire_all()
    return {f.fingerprint: (f.id, f.state, f.detected, f.last_detected, f.evidence, f.unit_ids)
            for f in session.scalars(select(Flag))}  # fmt: skip


def test_scope_and_since_runs_agree_with_the_full_run(session, org, tmp_path):
    """A run over a subtree or from a date rewrites only what a full run would write: the
    rules still read every unit (a company problem, the funnel's spread and the
    organisation's flags need them), a flag about a unit above the subtree is left alone
    (it had crashed on the open flag's unique key) and a flag last seen before --since is
    not marked "no longer detected" (35 of the demo's flags were)."""
    from dudao.core.enums import UnitLevel
    from dudao.org.services import create_unit

    codes = []
    for parent, prefix in ((org.unit_a1, "A1"), (org.unit_b1, "B1")):
        for j in range(10):
            codes.append(create_unit(session, None, f"{prefix}-x{j}", f"{prefix}-x{j}",
                                     UnitLevel.BRANCH, parent).code)  # fmt: skip
    session.commit()
    rows = [row("A1-1", i, site_matches="no" if i == 3 else "yes") for i in range(4)]
    for j, code in enumerate(codes):
        for i in range(12):
            fails = (i * 7 + j) % 20 == 0 or (code.startswith("A1") and i >= 10 and j % 3 != 0)
            bad = {"known_rate": "few", "plan": "no"} if code == "B1-x2" else {}
            rows.append(row(code, i, leadership="assigned" if fails else "secretary_leads",
                            **bad))  # fmt: skip
    load(session, tmp_path, rows)
    analyze(session, TZ, today=TODAY)
    session.commit()
    full = _flags_now(session)
    rules = {fingerprint.split(":")[0] for fingerprint in full}
    assert {"cross_unit", "outlier", "critical_failure"} <= rules
    assert any(f.unit.code == "G" for f in flags(session, "cross_unit"))
    assert full[next(p for p in full if p.startswith("critical_failure"))][2]  # still detected
    runner = CliRunner()
    said = runner.invoke(cli, ["analyze"]).output  # says what is found and what still holds
    assert "历史数据中检出（截至最近一个月仍存在）：" in said
    assert "critical_failure 1 个（仍存在 1 个）" in said and "预警：新增 0 条，更新 0 条" in said
    said = runner.invoke(cli, ["analyze", "--lang", "en"]).output
    assert "Detected in the history (still at the latest month): " in said
    assert "critical_failure 1 (1 still)" in said and "Flags: 0 new, 0 updated" in said
    for args in (["--scope", "A"], ["--scope", "B1-x2"], ["--since", "2024-12-01"],
                 ["--scope", "A1", "--since", "2024-11-01"]):  # fmt: skip
        result = runner.invoke(cli, ["analyze", *args])
        assert result.exit_code == 0, (args, result.output)
        assert _flags_now(session) == full, args
