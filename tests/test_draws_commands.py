"""`dudao draw create/publish/list/verify` through the real CLI; verify's exit codes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select, update

from dudao.audit.models import AuditEvent
from dudao.cli import cli
from dudao.config import PROJECT_ROOT
from dudao.definitions.services import sync_forms
from dudao.scheduling.models import SpotCheckDraw

CREATE = [
    "draw", "create", "--as", "office", "--title", "第四季度抽查", "--definition",
    "branch_standardisation", "--scope", "G", "--count", "2", "--due", "2099-12-31",
    "--seed", "cli-seed", "--pool", "insp1,insp2、insp3",
]  # fmt: skip


@pytest.fixture
def run(app, session, org, user_factory):
    sync_forms(session, None, PROJECT_ROOT / "forms")
    session.commit()
    user_factory("office", ("office", org.group))
    for name in ("insp1", "insp2", "insp3"):
        user_factory(name, ("inspector", org.group))

    def invoke(*args: str):
        return app.test_cli_runner().invoke(cli, list(args))

    return invoke


def test_create_list_publish_and_verify(run, session):
    made = run(*CREATE)  # in the default language, zh_CN (docs/i18n.md)
    assert made.exit_code == 0, made.output
    assert made.output.startswith("抽查 1：2 次检查；种子 cli-seed；结果 SHA-256 ")
    listed = run("draw", "list")
    assert "\tG\t2 个单位\t未公开\t第四季度抽查" in listed.output
    assert run("draw", "publish", "1", "--as", "office").output == "抽查 1 已公开。\n"
    assert "抽查 1 此前已公开。" in run("draw", "publish", "1", "--as", "office").output
    verified = run("draw", "verify", "1")
    assert verified.exit_code == 0 and verified.output.startswith("一致：抽查 1（dudao-draw-1")
    english = run("draw", "verify", "1", "--lang", "en")
    assert english.output.startswith("OK: draw 1 (dudao-draw-1"), english.output
    assert "\tG\t2 units\tpublished\t" in run("draw", "list", "--lang", "en").output


def test_one_drawn_unit_reads_in_the_singular(run):
    made = run(*[a if a != "2" else "1" for a in CREATE], "--lang", "en")
    assert made.output.startswith("Draw 1: 1 inspection; seed cli-seed;"), made.output
    assert "\tG\t1 unit\tnot published\t" in run("draw", "list", "--lang", "en").output
    assert run("draw", "publish", "1", "--as", "office", "--lang", "en").output == (
        "Draw 1 published.\n"
    )


def test_verify_exits_1_on_a_tampered_draw(run, session):
    assert run(*CREATE).exit_code == 0
    draw = session.get(SpotCheckDraw, 1)
    result = {**draw.result, "eligible": draw.result["eligible"] + 1}
    session.execute(update(SpotCheckDraw).where(SpotCheckDraw.id == 1).values(result=result))
    session.commit()
    verified = run("draw", "verify", "1")
    assert verified.exit_code == 1
    assert verified.output.startswith("不一致：抽查 1")
    assert "重新计算的结果与保存的结果不同" in verified.output
    english = run("draw", "verify", "1", "--lang", "en")
    assert english.exit_code == 1 and english.output.startswith("MISMATCH: draw 1")
    assert "recomputed result differs" in english.output


def test_errors_are_one_sentence(run):
    # A command speaks the default language, zh_CN (docs/i18n.md), its own errors too.
    missing = run("draw", "verify", "99")
    assert missing.exit_code == 1 and "没有编号为 99 的抽查。" in missing.output
    unpublished = run("draw", "publish", "99", "--as", "office")
    assert unpublished.exit_code == 1 and "没有编号为 99 的抽查。" in unpublished.output
    unknown = run(*[a if a != "office" else "ghost" for a in CREATE])
    assert unknown.exit_code == 1 and "没有名为 “ghost” 的账号。" in unknown.output
    nowhere = run(*[a if a != "G" else "NOPE" for a in CREATE])
    assert nowhere.exit_code == 1 and "没有编码为 “NOPE” 的单位。" in nowhere.output
    outside = run(*[a if a != "office" else "insp1" for a in CREATE])
    assert outside.exit_code == 1 and "您无权为 G 进行抽查。" in outside.output
    untitled = run(*[a if a != "第四季度抽查" else " " for a in CREATE])
    assert "抽查需要 1 至 200 个字符的标题。" in untitled.output
    assert "No draw" not in missing.output + unpublished.output
    short = run(*CREATE, "--inspectors", "4")
    # A command has no request: the draw's reason comes in the default language.
    assert short.exit_code == 1 and "没有足够的符合条件的检查人员" in short.output
    assert "尚无抽查。" in run("draw", "list").output


def test_an_empty_database_is_one_sentence(tmp_path):
    instance = tmp_path / "empty"
    result = subprocess.run(
        [str(Path(sys.executable).parent / "dudao"), "draw", "verify", "1"],
        env={**os.environ, "DUDAO_INSTANCE_PATH": str(instance), "DUDAO_DATABASE_URL": "",
             "DUDAO_SECRET_KEY": "x"},
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 1
    assert result.stderr.strip().endswith("请先运行 `dudao init`。"), result.stderr
    assert "Traceback" not in result.stderr


def test_a_refused_draw_is_recorded_in_the_audit_log(run, session):
    short = run(*CREATE, "--inspectors", "4")
    assert short.exit_code == 1 and "没有足够的符合条件的检查人员" in short.output
    assert "随机种子 cli-seed 的抽取未成功；本次尝试已记入审计日志。" in short.output
    event = session.scalars(select(AuditEvent).where(AuditEvent.action == "draw.refused")).one()
    assert event.actor_name == "office" and event.entity_type == "draw_attempt"
    assert event.after["seed"] == "cli-seed" and event.after["reason"] == "too_few_inspectors"
    assert session.scalars(select(SpotCheckDraw)).all() == []
    # A mistake in the inputs draws nothing, so there is no attempt to record.
    assert run(*CREATE, "--count", "0").exit_code == 1
    refused = select(func.count()).where(AuditEvent.action == "draw.refused")
    assert session.scalar(refused) == 1
