"""Migrations and models agree, on SQLite and (in CI) PostgreSQL, and migrate both ways."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

import dudao.models  # noqa: F401  (the whole schema)
from dudao.audit.chain import GENESIS_HASH, chain_head, event_hash, verify_chain
from dudao.audit.models import AuditEvent
from dudao.core import migrate
from dudao.core.commands import db_check
from dudao.core.database import Base, make_engine
from tests.conftest import TEST_DATABASE_URL


@pytest.fixture
def scratch(tmp_path, worker_id: str) -> Iterator[Engine]:
    """An empty database of the backend under test, separate from the shared template."""
    if TEST_DATABASE_URL:
        base = make_url(TEST_DATABASE_URL).set(drivername="postgresql+psycopg")
        name = f"{base.database}_dudao_{worker_id}_migrations"
        admin = create_engine(base, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        engine = make_engine(base.set(database=name).render_as_string(hide_password=False))
        yield engine
        engine.dispose()
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
    else:
        engine = make_engine(f"sqlite:///{tmp_path / 'scratch.sqlite'}")
        yield engine
        engine.dispose()


def _head() -> str:
    heads = ScriptDirectory(str(migrate.MIGRATIONS_DIR)).get_heads()
    assert len(heads) == 1, f"migrations have several heads {heads}: merge them"
    return heads[0]


def _version(engine: Engine) -> str | None:
    with engine.connect() as connection:
        if not inspect(connection).has_table("alembic_version"):
            return None
        return connection.scalar(text("SELECT version_num FROM alembic_version"))


def _old_units(session: Session) -> int:
    """Company A and its branch A1-1 as revisions before 0023 hold them, in SQL: the model
    has columns they lack. The branch's id."""
    insert = text(
        "INSERT INTO unit (id, code, name, level, parent_id, path, depth, tags, active,"
        " created_at, updated_at) VALUES (:id, :code, :name, :level, :parent, :path, :depth,"
        " '[]', :yes, '2026-11-01 08:00:00', '2026-11-01 08:00:00')"
    )
    for values in [
        {"id": 1, "code": "A", "name": "甲公司", "level": "group", "parent": None, "depth": 0},
        {"id": 2, "code": "A1-1", "name": "甲一支部", "level": "branch", "parent": 1, "depth": 1},
    ]:
        path = "/1/" if values["parent"] is None else "/1/2/"
        session.execute(insert, values | {"path": path, "yes": True})
    return 2


def _old_account(session: Session) -> int:
    """An account as revisions before 0021 hold it, in SQL: the model has columns they lack."""
    session.execute(
        text(
            "INSERT INTO user_account (username, display_name, password_hash, active, created_at)"
            " VALUES ('ada', 'Ada', 'no hash', :yes, '2026-11-01 08:00:00')"
        ),
        {"yes": True},
    )
    return session.scalar(text("SELECT id FROM user_account WHERE username = 'ada'"))


def test_the_migrated_template_matches_the_models(database_template):
    engine = make_engine(database_template)
    try:
        assert migrate.drift(engine) == []
        assert _version(engine) == _head()
    finally:
        engine.dispose()


def test_downgrade_to_base_and_upgrade_again(scratch):
    migrate.upgrade(scratch)
    assert migrate.drift(scratch) == []
    migrate.downgrade(scratch, "base")
    assert set(inspect(scratch).get_table_names()) <= {"alembic_version"}
    assert _version(scratch) is None
    migrate.upgrade(scratch)
    assert migrate.drift(scratch) == []
    assert set(inspect(scratch).get_table_names()) == set(Base.metadata.tables) | {
        "alembic_version"
    }
    assert _version(scratch) == _head()


def test_drift_is_reported_when_schema_and_models_differ(scratch):
    migrate.upgrade(scratch)
    with scratch.begin() as connection:
        connection.execute(text("DROP INDEX ix_audit_event_entity"))
    differences = migrate.drift(scratch)
    assert len(differences) == 1 and "ix_audit_event_entity" in str(differences[0])


def test_db_check_command(app):
    runner = app.test_cli_runner()
    result = runner.invoke(db_check)
    assert result.exit_code == 0 and "matches the models" in result.output
    runtime = app.extensions["dudao"]
    with runtime.engine.begin() as connection:
        connection.execute(text("DROP INDEX ix_audit_event_actor_id"))
    try:
        result = runner.invoke(db_check)
        assert result.exit_code == 1 and "ix_audit_event_actor_id" in result.output
    finally:
        with runtime.engine.begin() as connection:
            connection.execute(
                text("CREATE INDEX ix_audit_event_actor_id ON audit_event (actor_id)")
            )


def test_a_database_behind_or_ahead_of_the_code_is_one_sentence(scratch):
    """A worker on a database not yet migrated would fail every job on a missing column; a
    release rolled back over a database a newer one upgraded would fail in Alembic: both
    stop at the start with what to do."""
    from dudao.core.errors import ConfigError

    migrate.upgrade(scratch, "0024_open_link_removed")
    with pytest.raises(ConfigError, match=r"is at migration 0024_open_link_removed, and "
                       r"this Dudao needs 00\d\d_\w+: run `dudao db upgrade`"):  # fmt: skip
        migrate.check_schema(scratch)
    migrate.check_schema(scratch, behind_ok=True)  # what `db upgrade` and `init` ask
    migrate.upgrade(scratch)
    migrate.check_schema(scratch)
    with scratch.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '0099_future'"))
    with pytest.raises(ConfigError, match=r"which this Dudao does not know .* a newer release"):
        migrate.check_schema(scratch, behind_ok=True)


def test_seal_migration_seals_an_existing_chain(scratch):
    """0002 adds the seal; a log written before it must verify afterwards."""
    migrate.upgrade(scratch, "0001_foundation")
    prev = GENESIS_HASH
    with scratch.begin() as connection:
        for seq in (1, 2, 3):
            event = AuditEvent(
                seq=seq,
                occurred_at=datetime(2026, 1, seq, 8, 0, tzinfo=UTC),
                actor_id=None,
                actor_name="system",
                action="unit.create",
                entity_type="unit",
                entity_id=str(seq),
                before=None,
                after={"code": f"U{seq}"},
                prev_hash=prev,
            )
            event.hash = prev = event_hash(event)
            columns = {
                c.name: getattr(event, c.key) for c in AuditEvent.__table__.c if c.name != "id"
            }
            connection.execute(AuditEvent.__table__.insert().values(**columns))
    migrate.upgrade(scratch)
    with Session(scratch) as session:
        assert chain_head(session) == (3, prev)
        assert verify_chain(session) == []
    migrate.downgrade(scratch, "0001_foundation")
    assert "audit_seal" not in inspect(scratch).get_table_names()


def test_imported_inspections_lose_the_english_reason(scratch, tmp_path):
    """0018 clears the 'imported history' reason that imports stored before; others keep theirs."""
    from tests.trend_world import load, row

    migrate.upgrade(scratch, "0017_notification_indexes")
    with Session(scratch) as session:
        _old_units(session)
        load(session, tmp_path, [row("A1-1", 0), row("A1-1", 1)])
        session.execute(text("UPDATE inspection SET reason = 'imported history'"))
        first = session.scalar(text("SELECT min(id) FROM inspection"))
        letter = text("UPDATE inspection SET reason = '群众来信' WHERE id = :i")
        session.execute(letter, {"i": first})
        session.commit()
    migrate.upgrade(scratch)
    with scratch.connect() as connection:
        reasons = connection.execute(text("SELECT reason FROM inspection ORDER BY id")).scalars()
        assert list(reasons) == ["群众来信", None]


def test_existing_notifications_are_placed_on_their_subjects(scratch, tmp_path):
    """0019 gives notifications made before it their subject and unit, from their link,
    where the title names the same number and the subject exists; the others keep none."""
    from tests.trend_world import load, row

    migrate.upgrade(scratch, "0018_imported_reason")
    with Session(scratch) as session:
        branch_id = _old_units(session)
        load(session, tmp_path, [row("A1-1", 0)])
        user_id = _old_account(session)
        session.commit()
        inspection = session.scalar(text("SELECT id FROM inspection"))
        insert = text(
            "INSERT INTO notification (user_id, key, kind, title, body, link, created_at)"
            " VALUES (:user, :key, 'assigned', :title, '', :link, '2026-11-01 08:00:00')"
        )
        for key, title, link in [
            (
                "placed",
                f"检查 / Inspection #{inspection} · A1-1 甲一支部",
                f"/inspections/{inspection}",
            ),
            ("untitled", f"检查 / Inspection #{inspection}", f"/inspections/{inspection}"),
            ("gone", "检查 / Inspection #999", "/inspections/999"),
            ("other number", f"检查 / Inspection #{inspection}9", f"/inspections/{inspection}"),
            ("alert", "审计日志校验失败 / Audit log verification failed (1)", "/audit"),
            ("no link", "x", None),
        ]:
            session.execute(insert, {"user": user_id, "key": key, "title": title, "link": link})
        session.commit()
    migrate.upgrade(scratch)
    with scratch.connect() as connection:
        rows = connection.execute(
            text("SELECT key, subject_type, subject_id, unit_id FROM notification ORDER BY id")
        ).all()
    placed = ("inspection", inspection, branch_id)
    assert [tuple(r) for r in rows] == [
        ("placed", *placed),
        ("untitled", *placed),
        ("gone", None, None, None),
        ("other number", None, None, None),
        ("alert", None, None, None),
        ("no link", None, None, None),
    ]


def test_reminders_keep_their_due_date_not_a_bilingual_body(scratch):
    """0020 moves the due date out of reminders' bodies ("到期日 / Due: …") into due_on, and
    back when downgraded; other bodies stay."""
    from datetime import date

    from sqlalchemy import select

    from dudao.notifications.models import Notification

    migrate.upgrade(scratch, "0019_notification_subject")
    with Session(scratch) as session:
        user_id = _old_account(session)
        session.commit()
        insert = text(
            "INSERT INTO notification (user_id, key, kind, title, body, created_at)"
            " VALUES (:user, :key, 'due_soon', '检查 #1', :body, '2026-11-01 08:00:00')"
        )
        for key, body in [("timer", "到期日 / Due: 2026-06-04"), ("comment", "照片不清楚")]:
            session.execute(insert, {"user": user_id, "key": key, "body": body})
        session.commit()
    migrate.upgrade(scratch)
    with Session(scratch) as session:
        rows = session.execute(
            select(Notification.key, Notification.body, Notification.due_on).order_by(
                Notification.id
            )
        ).all()
    assert [tuple(r) for r in rows] == [
        ("timer", "", date(2026, 6, 4)),
        ("comment", "照片不清楚", None),
    ]
    migrate.downgrade(scratch, "0019_notification_subject")
    with scratch.connect() as connection:
        bodies = connection.execute(text("SELECT body FROM notification ORDER BY id")).scalars()
        assert list(bodies) == ["到期日 / Due: 2026-06-04", "照片不清楚"]


def test_existing_accounts_keep_their_passwords_unforced(scratch):
    """0021 adds must_change_password: accounts made before it are not sent to change theirs,
    and what names an account (a notification here) stays, both ways (on SQLite, copying the
    table would have deleted it through ON DELETE CASCADE)."""
    migrate.upgrade(scratch, "0020_notification_due")
    with Session(scratch) as session:
        user_id = _old_account(session)
        session.execute(
            text(
                "INSERT INTO notification (user_id, key, kind, title, body, created_at)"
                " VALUES (:user, 'k', 'assigned', 'x', '', '2026-11-01 08:00:00')"
            ),
            {"user": user_id},
        )
        session.commit()

    def notifications() -> int:
        with scratch.connect() as connection:
            return connection.scalar(text("SELECT count(*) FROM notification"))

    migrate.upgrade(scratch)
    with scratch.connect() as connection:
        flags = connection.execute(text("SELECT must_change_password FROM user_account"))
        assert [bool(flag) for flag in flags.scalars()] == [False]
    assert notifications() == 1
    migrate.downgrade(scratch, "0020_notification_due")
    columns = {c["name"] for c in inspect(scratch).get_columns("user_account")}
    assert "must_change_password" not in columns and "username" in columns
    assert notifications() == 1


def test_earlier_draws_say_whether_their_seed_was_typed(scratch):
    """0022 adds seed_given: a draw made before it whose seed has not the generator's form
    (32 lowercase hex digits) was typed in."""
    migrate.upgrade(scratch, "0021_must_change_password")
    with Session(scratch) as session:
        for seed in ("0123456789abcdef0123456789abcdef", "20261127 福利彩票 3D 第 318 期"):
            session.execute(
                text(
                    "INSERT INTO spot_check_draw (title, definition_key, workflow, seed,"
                    " algorithm, params, inputs, result, result_hash, due_date, published,"
                    " created_at) VALUES ('抽查', 'k', 'inspection', :seed, 'dudao-draw-1',"
                    " '{}', '{}', '{}', 'h', '2026-12-31', :no, '2026-11-01 08:00:00')"
                ),
                {"seed": seed, "no": False},
            )
        session.commit()
    migrate.upgrade(scratch)
    with scratch.connect() as connection:
        given = connection.execute(text("SELECT seed_given FROM spot_check_draw ORDER BY id"))
        assert [bool(flag) for flag in given.scalars()] == [False, True]
    migrate.downgrade(scratch, "0021_must_change_password")
    assert "seed_given" not in {c["name"] for c in inspect(scratch).get_columns("spot_check_draw")}


def test_opened_campaigns_keep_the_tree_they_are_grouped_by(scratch):
    """0025 gives every campaign opened before it its scope's subtree as it stands, inactive
    units too (their answers were counted); a draft gets its tree when it opens."""
    migrate.upgrade(scratch, "0024_open_link_removed")
    with Session(scratch) as session:
        branch = _old_units(session)
        session.execute(
            text("UPDATE unit SET active = :no WHERE id = :id"), {"no": False, "id": branch}
        )
        session.execute(
            text(
                "INSERT INTO form_definition (id, key, kind, title_zh, current_number, retired,"
                " created_at) VALUES (1, 'sat', 'questionnaire', '满意度', 1, :no,"
                " '2026-11-01 08:00:00')"
            ),
            {"no": False},
        )
        session.execute(
            text(
                "INSERT INTO definition_version (id, definition_id, number, content_hash, data,"
                " origin, created_at) VALUES (1, 1, 1, 'h', '{}', 'sync', '2026-11-01 08:00:00')"
            )
        )
        for campaign_id, state in ((1, "closed"), (2, "draft")):
            session.execute(
                text(
                    "INSERT INTO survey_campaign (id, title, definition_version_id, scope_unit_id,"
                    " levels, opens_at, closes_at, period_label, min_group, min_comment_group,"
                    " state, created_at) VALUES (:id, '测评', 1, 1, '[]', '2026-11-01 08:00:00',"
                    " '2026-11-08 08:00:00', '2026-Q4', 5, 5, :state, '2026-11-01 08:00:00')"
                ),
                {"id": campaign_id, "state": state},
            )
        session.commit()
    migrate.upgrade(scratch)
    with scratch.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT campaign_id, unit_id, parent_id FROM survey_campaign_unit ORDER BY unit_id"
            )
        )
        assert [tuple(row) for row in rows] == [(1, 1, None), (1, branch, 1)]
    migrate.downgrade(scratch, "0024_open_link_removed")
    assert not inspect(scratch).has_table("survey_campaign_unit")
