"""`dudao users create` and `dudao users grant`, as docs/access.md shows them."""

from __future__ import annotations

from sqlalchemy import select

from dudao.audit.models import AuditEvent
from dudao.auth.models import User
from dudao.cli import cli
from tests.conftest import PASSWORD, sign_in


def _run(app, *args: str, input: str | None = None):
    """Through the real `dudao` group, which turns a DudaoError into "Error: ..." and exit 1."""
    return app.test_cli_runner().invoke(cli, ["users", *args], input=input)


def test_create_grant_and_sign_in(app, client, session, org):
    created = _run(
        app,
        "create",
        "wangwei",
        "--name",
        "王伟",
        "--email",
        "w@example.com",
        "--password",
        PASSWORD,
    )
    assert created.exit_code == 0, created.output
    assert created.output == "已创建账号 wangwei。\n"  # the default language, zh_CN
    granted = _run(app, "grant", "wangwei", "unit_lead", "A1", "--lang", "en")
    assert granted.exit_code == 0, granted.output
    assert granted.output == "wangwei is now unit_lead on A1 and everything below it.\n"
    again = _run(app, "grant", "wangwei", "unit_lead", "A1")  # idempotent
    assert again.exit_code == 0
    user = session.scalar(select(User).where(User.username == "wangwei"))
    assert user.display_name == "王伟"
    assert [(g.role.value, g.unit.code) for g in user.grants] == [("unit_lead", "A1")]
    actions = session.scalars(
        select(AuditEvent.action).where(AuditEvent.entity_id == str(user.id))
    ).all()
    assert actions.count("grant.create") == 1 and "user.create" in actions
    assert sign_in(client, "wangwei").status_code == 302
    assert client.get(f"/units/{org.branch_a1.id}").status_code == 200
    assert client.get(f"/units/{org.branch_b1.id}").status_code == 404


def test_password_prompt(app):
    result = _run(app, "create", "li", input=f"{PASSWORD}\n{PASSWORD}\n")
    assert result.exit_code == 0, result.output


def test_errors_are_one_clear_sentence_and_change_nothing(app, session, org, user_factory):
    user_factory("taken")
    short = _run(app, "create", "newbie", "--password", "short")
    assert short.exit_code == 1
    # In the default language, zh_CN (docs/i18n.md); the problems name their field.
    assert "无法创建账号。password: 至少 8 个字符。" in short.output
    assert "Traceback" not in short.output
    duplicate = _run(app, "create", "taken", "--password", PASSWORD, "--lang", "en")
    assert duplicate.exit_code == 1
    assert "The account cannot be created. username: 'taken' is already taken." in (
        duplicate.output
    )
    chinese = _run(app, "create", "taken", "--password", PASSWORD)
    assert "无法创建账号。username: “taken” 已被占用。" in chinese.output
    # In other case too: TAKEN beside taken would read as one person in every list and log.
    shouting = _run(app, "create", "TAKEN", "--password", PASSWORD)
    assert shouting.exit_code == 1 and "“TAKEN” 已被占用" in shouting.output
    mail = _run(app, "create", "mail", "--password", PASSWORD, "--email", "nope")
    assert "无法创建账号。email: “nope” 不是电子邮件地址。" in mail.output
    unknown_unit = _run(app, "grant", "taken", "admin", "NOPE")
    assert unknown_unit.exit_code == 1 and "没有编码为 “NOPE” 的单位。" in unknown_unit.output
    unknown_user = _run(app, "grant", "ghost", "admin", "A")
    assert unknown_user.exit_code == 1 and "没有名为 “ghost” 的账号。" in unknown_user.output
    bad_role = _run(app, "grant", "taken", "emperor", "A")
    assert bad_role.exit_code == 2
    session.expire_all()
    assert session.scalar(select(User).where(User.username == "newbie")) is None
    assert session.scalar(select(User).where(User.username == "taken")).grants == []


def test_set_password_deactivate_and_activate(app, session, user_factory):
    user_factory("lead")
    short = _run(app, "set-password", "lead", "--password", "short")
    assert short.exit_code == 1 and "该密码不能使用。password: 至少 8 个字符。" in short.output
    changed = _run(app, "set-password", "lead", "--password", "a brand new secret")
    assert changed.output == "已为 lead 设置新密码。\n"
    assert sign_in(app.test_client(), "lead").status_code == 200  # old password refused
    assert sign_in(app.test_client(), "lead", "a brand new secret").status_code == 302
    assert _run(app, "deactivate", "lead", "--lang", "en").output == "lead is deactivated.\n"
    assert sign_in(app.test_client(), "lead", "a brand new secret").status_code == 200
    assert _run(app, "activate", "lead").output == "lead 已启用。\n"
    assert sign_in(app.test_client(), "lead", "a brand new secret").status_code == 302
    missing = _run(app, "deactivate", "ghost")
    assert missing.exit_code == 1 and "ghost" in missing.output
    session.expire_all()
    actions = session.scalars(select(AuditEvent.action).where(AuditEvent.actor_name == "system"))
    assert {"user.set_password", "user.update"} <= set(actions)


def test_every_users_command_says_what_it_does(app):
    listing = _run(app, "--help").output
    commands = listing.split("Commands:")[1].strip().splitlines()
    assert len(commands) == 5 and all(len(line.split()) > 1 for line in commands), listing
    for command in ("create", "set-password"):
        assert "--temporary" in _run(app, command, "--help").output


def test_weak_passwords_are_refused_with_every_rule_named(app, session, user_factory):
    user_factory("wangxiao")
    before = session.scalar(select(User.password_hash).where(User.username == "wangxiao"))
    for password, said in [
        ("12345678", "password: 不能是最常见的密码之一。"),
        ("WangXiao", "password: 不能与用户名相同。"),
        ("1111", "password: 至少 8 个字符；不能由同一个字符重复组成。"),
    ]:
        refused = _run(app, "set-password", "wangxiao", "--password", password)
        assert refused.exit_code == 1 and f"该密码不能使用。{said}" in refused.output
    english = _run(app, "create", "zhao", "--password", "iloveyou", "--lang", "en")
    assert english.exit_code == 1
    assert "The account cannot be created. password: not one of the most common" in english.output
    session.expire_all()
    assert session.scalar(select(User.password_hash).where(User.username == "wangxiao")) == before
    assert session.scalar(select(User).where(User.username == "zhao")) is None


def test_the_command_line_sets_a_temporary_password_only_when_asked(app, session, user_factory):
    """The first administrator, or one who lost their password, sets their own here."""
    assert _run(app, "create", "own", "--password", PASSWORD).exit_code == 0
    handed = _run(app, "create", "handed", "--password", PASSWORD, "--temporary")
    assert handed.exit_code == 0
    user_factory("lead")
    reset = _run(app, "set-password", "lead", "--password", "a brand new secret", "--temporary")
    assert reset.output == "已为 lead 设置新密码；其下次登录时须改为自己的密码。\n"
    session.expire_all()
    forced = dict(session.execute(select(User.username, User.must_change_password)).all())
    assert forced == {"own": False, "handed": True, "lead": True}
    client = app.test_client()
    assert sign_in(client, "lead", "a brand new secret").status_code == 302
    assert client.get("/").headers["Location"] == "/account"
