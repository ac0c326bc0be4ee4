"""Schedule files: located errors, sync by key, removed files deactivate, the CLI commands."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from dudao.audit.models import AuditEvent
from dudao.cli import cli
from dudao.config import PROJECT_ROOT
from dudao.definitions.services import sync_forms
from dudao.inspections.models import Inspection
from dudao.scheduling.loader import ScheduleFileError, load_schedule_text
from dudao.scheduling.models import Schedule
from dudao.scheduling.services import SCHEDULES_DIR, sync_schedules

GOOD = """\
key: monthly
name: 月度检查
definition: branch_standardisation
scope:
  unit: A
  levels: [branch]
  exclude: [A1-2]
rrule: FREQ=MONTHLY;BYMONTHDAY=-1
dtstart: "2026-01-01"
window_days: 10
assignment:
  policy: pool
  pool: [ia, ib]
"""


@pytest.fixture
def forms(session):
    sync_forms(session, None, PROJECT_ROOT / "forms")
    session.commit()


def problems(text: str) -> list[str]:
    with pytest.raises(ScheduleFileError) as caught:
        load_schedule_text(text, "s.yaml")
    return [str(p) for p in caught.value.problems]


def test_a_good_file_loads_with_defaults():
    spec = load_schedule_text(GOOD, "s.yaml")
    assert spec.workflow == "inspection" and spec.window_days == 10 and spec.active
    assert spec.assignment == {"policy": "pool", "pool": ["ia", "ib"], "count": 2}
    assert spec.dtstart == date(2026, 1, 1) and spec.exclude_codes == ["A1-2"]


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            ("FREQ=MONTHLY;BYMONTHDAY=-1", "FREQ=MONTHY"),
            "s.yaml:8:8: rrule: FREQ=MONTHY is not valid: FREQ is DAILY, WEEKLY, MONTHLY or YEARLY",
        ),
        (("FREQ=MONTHLY;BYMONTHDAY=-1", "FREQ;MONTHLY"), "s.yaml:8:8: rrule: not a valid RRULE"),
        (("FREQ=MONTHLY;BYMONTHDAY=-1", "FREQ=MINUTELY"), "s.yaml:8:8: rrule: schedules repeat"),
        (('"2026-01-01"', '"2026-13-01"'), "s.yaml:9:10: dtstart: expected a date as YYYY-MM-DD"),
        # A number was taken without a word and stored as no date at all.
        (('"2026-01-01"', "20260101"), "s.yaml:9:10: dtstart: expected a date as YYYY-MM-DD"),
        (("levels: [branch]", "levels: [brunch]"), "s.yaml:6:12: scope.levels[0]: unknown level"),
        (("policy: pool", "policy: lottery"), "s.yaml:12:11: assignment.policy: unknown"),
        (("window_days: 10", "window_days: 0"), "s.yaml:10:14: window_days: must be between"),
        (("window_days: 10", "windows: 10"), "s.yaml:10:1: windows: unknown field 'windows'"),
        (("  unit: A\n", ""), "scope.unit: missing required field 'unit'"),
        (
            ("pool: [ia, ib]", "pool: [ia, ib]\n  count: 3"),
            "s.yaml:14:10: assignment.count: The pool names 2 people: at most 2 per inspection.",
        ),
    ],
)
def test_mistakes_are_located(change, expected):
    found = problems(GOOD.replace(*change))
    assert any(p.startswith(expected) or expected in p for p in found), found


def test_sync_is_idempotent_and_a_removed_file_deactivates(
    tmp_path, session, org, forms, user_factory
):
    user_factory("ia", ("inspector", org.group))
    user_factory("ib", ("inspector", org.group))
    folder = tmp_path / "schedules"
    folder.mkdir()
    (folder / "monthly.yaml").write_text(GOOD)
    report = sync_schedules(session, None, folder)
    assert report.created == ["monthly"]
    assert sync_schedules(session, None, folder).unchanged == ["monthly"]
    (folder / "monthly.yaml").write_text(GOOD.replace("window_days: 10", "window_days: 15"))
    assert sync_schedules(session, None, folder).updated == ["monthly"]
    schedule = session.scalars(select(Schedule)).one()
    assert schedule.window_days == 15 and schedule.scope_unit.code == "A" and schedule.version == 2
    (folder / "monthly.yaml").unlink()
    assert sync_schedules(session, None, folder).deactivated == ["monthly"]
    assert schedule.active is False
    session.commit()
    actions = session.scalars(select(AuditEvent.action).where(AuditEvent.entity_type == "schedule"))
    assert list(actions) == ["schedule.create", "schedule.update", "schedule.deactivate"]


def test_unknown_units_and_accounts_are_located_and_nothing_changes(tmp_path, session, org, forms):
    folder = tmp_path / "schedules"
    folder.mkdir()
    (folder / "a.yaml").write_text(GOOD.replace("unit: A", "unit: Z9"))
    with pytest.raises(ScheduleFileError) as caught:
        sync_schedules(session, None, folder)
    found = [str(p) for p in caught.value.problems]
    assert "schedules/a.yaml:4:9: scope.unit: no unit with the code 'Z9'" in found[-1] or any(
        "scope.unit: no unit with the code 'Z9'" in p for p in found
    )
    not_one = "is not an inspector in this scope (or inactive, or unknown)"
    assert any(f"assignment.pool[0]: 'ia' {not_one}" in p for p in found)
    assert session.scalars(select(Schedule)).all() == []
    report = sync_schedules(session, None, folder, skip_unresolved=True)
    assert report.created == [] and len(report.skipped) == 3 and report.skipped_keys == ["monthly"]


def test_a_pool_of_accounts_that_do_not_inspect_in_the_scope_is_located(
    tmp_path, session, org, forms, user_factory
):
    user_factory("ia", ("office", org.group))  # exists, but inspects nowhere
    user_factory("ib", ("inspector", org.company_b))  # inspects, but not in A
    folder = tmp_path / "schedules"
    folder.mkdir()
    (folder / "a.yaml").write_text(GOOD)
    with pytest.raises(ScheduleFileError) as caught:
        sync_schedules(session, None, folder)
    found = [str(p) for p in caught.value.problems]
    not_one = "is not an inspector in this scope (or inactive, or unknown)"
    assert any(f"a.yaml:13:10: assignment.pool[0]: 'ia' {not_one}" in p for p in found), found
    assert any(f"a.yaml:13:14: assignment.pool[1]: 'ib' {not_one}" in p for p in found), found
    assert session.scalars(select(Schedule)).all() == []


def test_a_pool_member_who_may_inspect_no_unit_of_the_schedule_is_located(
    tmp_path, session, org, forms, user_factory
):
    """The schedule's only unit (A1-1) is in ia's own part of the tree (回避): every
    inspection it made would have nobody on it, and nothing said so."""
    user_factory("ia", ("inspector", org.group), ("unit_lead", org.unit_a1))
    user_factory("ib", ("inspector", org.group))
    user_factory("ic", ("inspector", org.company_a))
    folder = tmp_path / "schedules"
    folder.mkdir()
    (folder / "a.yaml").write_text(GOOD)
    with pytest.raises(ScheduleFileError) as caught:
        sync_schedules(session, None, folder)
    [problem] = [str(p) for p in caught.value.problems]
    assert "a.yaml:13:10: assignment.pool[0]: 'ia' cannot inspect any unit" in problem
    assert session.scalars(select(Schedule)).all() == []
    (folder / "a.yaml").write_text(GOOD.replace("pool: [ia, ib]", "pool: [ic, ib]"))
    assert sync_schedules(session, None, folder).created == ["monthly"]


def test_a_questionnaire_schedule_is_located_and_nothing_changes(tmp_path, session, org, forms):
    folder = tmp_path / "schedules"
    folder.mkdir()
    text = GOOD.replace("branch_standardisation", "member_satisfaction")
    (folder / "a.yaml").write_text(text)
    with pytest.raises(ScheduleFileError) as caught:
        sync_schedules(session, None, folder)
    found = [str(p) for p in caught.value.problems]
    assert any(
        "a.yaml:3:13: definition: 'member_satisfaction' is a questionnaire" in p for p in found
    ), found
    assert session.scalars(select(Schedule)).all() == []


def test_shipped_schedules_load(session, forms):
    for path in sorted(Path(SCHEDULES_DIR).glob("*.yaml")):
        load_schedule_text(path.read_text(), path.name)
    assert len(list(Path(SCHEDULES_DIR).glob("*.yaml"))) == 2


def test_cli_sync_names_the_problem_then_skips_with_the_flag(app, org, forms):
    runner = app.test_cli_runner()
    result = runner.invoke(cli, ["schedules", "sync"])
    assert result.exit_code == 1
    assert "scope.unit: 没有编码为 “HC” 的单位" in result.output
    assert "检查计划中有 7 个问题，未同步任何内容。" in result.output  # zh_CN, docs/i18n.md
    assert "no unit" not in result.output  # the problems too, not only the count
    result = runner.invoke(cli, ["schedules", "sync", "--lang", "en"])
    assert "scope.unit: no unit with the code 'HC'" in result.output
    assert "7 problems in the schedules; nothing was synced." in result.output
    result = runner.invoke(cli, ["schedules", "sync", "--skip-unresolved"])
    assert result.exit_code == 0, result.output
    assert "（已跳过该检查计划）" in result.output
    assert "检查计划：新建 0 个；更新 0 个；未变 0 个；停用 0 个；跳过 2 个。" in result.output
    result = runner.invoke(cli, ["schedules", "sync", "--skip-unresolved", "--lang", "en"])
    assert "(schedule skipped)" in result.output
    assert "Schedules: 0 created; 0 updated; 0 unchanged; 0 deactivated; 2 skipped." in (
        result.output
    )


def test_cli_run_and_list(app, session, org, forms):
    session.add(
        Schedule(
            key="m",
            name="月度",
            definition_key="branch_standardisation",
            scope_unit=org.group,
            levels=["branch"],
            rrule="FREQ=MONTHLY;BYMONTHDAY=1",
            dtstart=date(2026, 1, 1),
        )
    )
    session.commit()
    runner = app.test_cli_runner()
    result = runner.invoke(cli, ["schedules", "run", "--until", "2026-03-15"])
    assert result.exit_code == 0, result.output
    assert "检查计划 1 个；有新检查的周期 3 个；新建检查 9 次，已指派检查人员 0 次。" in (
        result.output
    )
    again = runner.invoke(cli, ["schedules", "run", "--until", "2026-03-15", "--lang", "en"])
    assert again.output == (
        "Schedules: 1; periods with new inspections: 0; inspections created: 0, "
        "with inspectors: 0.\n"
    )
    listed = runner.invoke(cli, ["schedules", "list"]).output
    assert listed.startswith("m [正常] G 下次：")
    listed = runner.invoke(cli, ["schedules", "list", "--lang", "en"]).output
    assert listed.startswith("m [active] G next:")


def test_cli_ad_hoc_for_a_subtree_and_one_unit(app, session, org, forms, user_factory):
    inspector = user_factory("ia", ("inspector", org.group))
    second = user_factory("ib", ("inspector", org.group))  # named in one --inspector, a list
    runner = app.test_cli_runner()
    result = runner.invoke(
        cli, [
            "inspections", "create", "--unit", "G", "--subtree", "--level", "branch",
            "--definition", "branch_standardisation", "--due", "2026-12-31",
            "--reason", "专项整治", "--inspector", "ia,ib",
        ]
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "已创建 3 项动态检查（3 项已指派检查人员）：#" in result.output
    result = runner.invoke(
        cli, ["inspections", "create", "--unit", "B1", "--definition", "branch_standardisation",
              "--due", "2026-12-31", "--reason", "群众来信", "--lang", "en"]
    )  # fmt: skip
    assert "Created 1 ad hoc inspection (0 with inspectors): #4" in result.output
    session.expire_all()
    made = session.scalars(select(Inspection).order_by(Inspection.id)).all()
    assert [i.unit.code for i in made] == ["A1-1", "A1-2", "B1-1", "B1"]
    assert made[0].assignee_ids == {inspector.id, second.id} and made[0].state == "assigned"
    assert made[3].state == "planned" and made[3].reason == "群众来信"


def test_cli_ad_hoc_bad_input_changes_nothing(app, session, org, forms):
    runner = app.test_cli_runner()
    base = ["inspections", "create", "--definition", "branch_standardisation",
            "--due", "2026-12-31", "--reason", "x"]  # fmt: skip
    result = runner.invoke(cli, [*base, "--unit", "NOPE"])
    assert result.exit_code == 1 and "没有编码为 “NOPE” 的单位。" in result.output
    result = runner.invoke(cli, [*base[:3], "member_satisfaction", *base[4:], "--unit", "A"])
    assert result.exit_code == 1 and "member_satisfaction" in result.output  # a questionnaire
    result = runner.invoke(cli, [*base, "--unit", "A", "--inspector", "ghost"])
    # A command speaks the default language (docs/i18n.md).
    assert result.exit_code == 1 and "没有名为 ghost 的在用账号" in result.output
    # An unknown level is refused as the service refuses the rest: in zh_CN, or --lang.
    twig = [*base, "--unit", "A", "--subtree", "--level", "twig"]
    result = runner.invoke(cli, twig)
    assert result.exit_code == 1 and result.output == (
        "Error: 无法创建检查：levels: 单位层级 twig 中有未知的层级；可选：group、company、unit、"
        "branch。\n"
    )
    result = runner.invoke(cli, [*twig, "--lang", "en"])
    assert result.exit_code == 1 and "levels: Unknown unit level in twig; use group, " in (
        result.output
    )
    result = runner.invoke(cli, [*base, "--unit", "NOPE", "--lang", "en"])
    assert result.exit_code == 1 and "No unit with the code 'NOPE'." in result.output
    # A level without --subtree would be ignored (one inspection of the unit itself): refused.
    alone = runner.invoke(cli, [*base, "--unit", "A", "--level", "branch", "--lang", "en"])
    assert alone.exit_code == 1 and "levels: Levels choose among the units below" in alone.output
    assert session.scalars(select(Inspection)).all() == []
