"""Immutable definition versions: forms/ sync, upload, pinned definitions, diffs, CLI."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from dudao.audit.models import AuditEvent
from dudao.definitions import queries
from dudao.definitions.commands import FORMS_FOLDER, forms_group
from dudao.definitions.models import DefinitionVersion, FormDefinition, ImmutableVersion
from dudao.definitions.problems import DefinitionError
from dudao.definitions.services import content_hash, sync_forms, upload_version
from dudao.definitions.spec import ItemType, Kind

CHECK = """\
kind: checklist
key: fire_check
title: {zh: 消防检查, en: Fire check}
sections:
  - key: basics
    title: 基本情况
    items:
      - key: extinguishers
        type: yes_no
        label: 灭火器在有效期内
        required: true
        weight: 2
        critical: true
      - key: exits
        type: number
        label: 安全出口数量
        min: 0
        max: 20
        pass: {min: 2}
"""

SURVEY = """\
kind: questionnaire
key: canteen
title: 食堂满意度
sections:
  - key: main
    title: 评价
    items:
      - key: taste
        type: scale
        label: 饭菜口味
        points: 3
        satisfaction: true
"""


def _count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    path = tmp_path / "forms"
    path.mkdir()
    (path / "fire.yaml").write_text(CHECK, encoding="utf-8")
    (path / "canteen.yaml").write_text(SURVEY, encoding="utf-8")
    (path / "definition.schema.json").write_text("{}", encoding="utf-8")
    (path / "README.md").write_text("not a definition", encoding="utf-8")
    return path


def test_sync_creates_one_version_per_definition(session, folder):
    report = sync_forms(session, None, folder)
    session.commit()
    assert sorted(report.keys("created")) == ["canteen", "fire_check"]
    fire = queries.by_key(session, "fire_check")
    assert fire.kind is Kind.CHECKLIST and fire.title_en == "Fire check"
    (row,) = queries.versions_of(session, fire.id)
    assert row.version.number == 1 and row.version.source_file == "fire.yaml"
    stored = session.get(DefinitionVersion, row.version.id)
    assert stored.content_hash == content_hash(stored.data)
    assert queries.current_version(session, "fire_check").id == stored.id
    actions = session.scalars(select(AuditEvent.action)).all()
    assert actions.count("definition.create") == 2 and actions.count("definition.version") == 2


def test_unchanged_folder_creates_nothing(session, folder):
    sync_forms(session, None, folder)
    session.commit()
    before = (_count(session, DefinitionVersion), _count(session, AuditEvent))
    report = sync_forms(session, None, folder)
    session.commit()
    assert not report.changed
    assert sorted(report.keys("unchanged")) == ["canteen", "fire_check"]
    assert (_count(session, DefinitionVersion), _count(session, AuditEvent)) == before


def test_changed_file_is_a_new_version_and_the_old_one_stays(session, folder):
    sync_forms(session, None, folder)
    session.commit()
    first = queries.current_version(session, "fire_check")
    old_data = dict(first.data)
    (folder / "fire.yaml").write_text(
        CHECK.replace("灭火器在有效期内", "灭火器压力正常且在有效期内")
    )
    # Comments and formatting are not content: same data, no version.
    (folder / "canteen.yaml").write_text("# 注释\n" + SURVEY)
    report = sync_forms(session, None, folder)
    session.commit()
    assert report.keys("new_version") == ["fire_check"]
    assert report.keys("unchanged") == ["canteen"]
    second = queries.current_version(session, "fire_check")
    assert second.number == 2 and second.id != first.id
    session.expire_all()
    assert session.get(DefinitionVersion, first.id).data == old_data
    assert queries.pinned(session, first.id).item("extinguishers").label.zh == "灭火器在有效期内"
    assert (
        queries.pinned(session, second.id).item("extinguishers").label.zh.startswith("灭火器压力")
    )
    # Back to the first content: the first version is current again, no third version.
    (folder / "fire.yaml").write_text(CHECK)
    report = sync_forms(session, None, folder)
    session.commit()
    assert report.keys("current") == ["fire_check"]
    assert queries.current_version(session, "fire_check").id == first.id
    assert _count(session, DefinitionVersion) == 3


def test_removed_file_retires_and_keeps_versions(session, folder):
    sync_forms(session, None, folder)
    session.commit()
    version_id = queries.current_version(session, "canteen").id
    (folder / "canteen.yaml").unlink()
    report = sync_forms(session, None, folder)
    session.commit()
    assert report.keys("retired") == ["canteen"]
    canteen = queries.by_key(session, "canteen")
    assert canteen.retired and canteen.retired_at is not None
    assert queries.current_version(session, "canteen") is None
    assert queries.pinned(session, version_id).key == "canteen"
    assert sync_forms(session, None, folder).keys("retired") == []  # retired once
    (folder / "canteen.yaml").write_text(SURVEY)
    assert sync_forms(session, None, folder).keys("restored") == ["canteen"]
    assert not queries.by_key(session, "canteen").retired


def test_an_invalid_file_fails_the_whole_sync_and_writes_nothing(session, folder):
    sync_forms(session, None, folder)
    session.commit()
    before = (
        _count(session, FormDefinition),
        _count(session, DefinitionVersion),
        _count(session, AuditEvent),
    )
    (folder / "fire.yaml").write_text(CHECK.replace("有效期内", "有效期内（新）"))
    (folder / "new.yaml").write_text(SURVEY.replace("canteen", "dorm"))
    (folder / "broken.yaml").write_text(
        SURVEY.replace("key: canteen", "key: broken").replace("points: 3", "points: many")
    )
    (folder / "twin.yaml").write_text(CHECK.replace("Fire check", "Twin"))
    (folder / "latin.yaml").write_bytes(b"kind: checklist\nkey: caf\xe9\n")
    with pytest.raises(DefinitionError) as caught:
        sync_forms(session, None, folder)
    session.rollback()
    messages = [str(problem) for problem in caught.value.problems]
    assert any(
        m.startswith("forms/broken.yaml:11:17: sections[0].items[0].points:") for m in messages
    )
    # The same words and places as `dudao forms check` (both read through load_files).
    assert "forms/latin.yaml:2:9: <document>: the file is not UTF-8 text" in messages
    assert (
        "forms/twin.yaml:2:6: key: definition key 'fire_check' is already defined in "
        "forms/fire.yaml"
    ) in messages
    after = (
        _count(session, FormDefinition),
        _count(session, DefinitionVersion),
        _count(session, AuditEvent),
    )
    assert after == before


def test_a_key_cannot_change_its_kind(session, folder):
    sync_forms(session, None, folder)
    session.commit()
    as_survey = SURVEY.replace("key: canteen", "key: fire_check")
    (folder / "fire.yaml").write_text(as_survey)
    (folder / "canteen.yaml").unlink()
    with pytest.raises(DefinitionError, match="checklist in the database"):
        sync_forms(session, None, folder)
    with pytest.raises(DefinitionError, match="use a new key"):
        upload_version(session, None, as_survey, "x.yaml")


def test_version_rows_are_immutable(session, folder):
    sync_forms(session, None, folder)
    session.commit()
    version = queries.current_version(session, "fire_check")
    version.source_file = "edited.yaml"
    with pytest.raises(ImmutableVersion):
        session.flush()
    session.rollback()
    with pytest.raises(ImmutableVersion):
        session.delete(session.get(DefinitionVersion, version.id))
        session.flush()
    session.rollback()


def test_upload_validates_and_versions_like_the_sync(session, folder, user_factory, org):
    admin = user_factory("ada", ("admin", org.group))
    sync_forms(session, None, folder)
    session.commit()
    stored = upload_version(session, admin, CHECK.replace("max: 20", "max: 30"), "fire-v2.yaml")
    session.commit()
    assert stored.created and stored.version.number == 2
    assert stored.version.origin == "upload" and stored.version.created_by == admin.id
    assert stored.version.source_file == "fire-v2.yaml"
    again = upload_version(session, admin, CHECK.replace("max: 20", "max: 30"), "same.yaml")
    assert not again.created and again.version.id == stored.version.id
    # A later sync of the unchanged folder does not undo the upload.
    assert not sync_forms(session, None, folder).changed
    assert queries.current_version(session, "fire_check").number == 2
    before = _count(session, DefinitionVersion)
    with pytest.raises(DefinitionError) as caught:
        upload_version(session, admin, CHECK.replace("type: number", "type: numbr"), "bad.yaml")
    assert str(caught.value.problems[0]).startswith("bad.yaml:15:")
    session.rollback()
    assert _count(session, DefinitionVersion) == before
    brand_new = upload_version(session, admin, SURVEY.replace("canteen", "uploaded"), "u.yaml")
    assert brand_new.created and brand_new.definition.synced_hash is None
    session.commit()
    # An upload-only definition is not retired by a sync of the folder.
    assert sync_forms(session, None, folder).keys("retired") == []


def test_pinned_is_cached_and_names_unknown_versions(session, folder):
    sync_forms(session, None, folder)
    session.commit()
    version_id = queries.current_version(session, "fire_check").id
    first = queries.pinned(session, version_id)
    assert queries.pinned(session, version_id) is first
    queries.clear_pinned_cache()
    assert queries.pinned(session, version_id) is first  # same session
    from dudao.core.errors import NotFound

    with pytest.raises(NotFound):
        queries.pinned(session, 999_999)


def test_list_definitions_counts_versions(session, folder):
    sync_forms(session, None, folder)
    (folder / "fire.yaml").write_text(CHECK.replace("max: 20", "max: 25"))
    sync_forms(session, None, folder)
    session.commit()
    rows = {row.definition.key: row for row in queries.list_definitions(session)}
    assert rows["fire_check"].version_count == 2
    assert rows["canteen"].version_count == 1


def test_cli_forms_sync(app, folder, session):
    runner = app.test_cli_runner()
    result = runner.invoke(forms_group, ["sync", "--folder", str(folder)])
    assert result.exit_code == 0, result.output
    assert "fire_check (fire.yaml): created (version 1)" in result.output
    assert "2 definitions: 2 created." in result.output
    result = runner.invoke(forms_group, ["sync", "--folder", str(folder)])
    assert result.exit_code == 0 and "2 unchanged" in result.output
    (folder / "fire.yaml").write_text(CHECK.replace("sections:", "sectons:"))
    result = runner.invoke(forms_group, ["sync", "--folder", str(folder), "--lang", "en"])
    assert result.exit_code == 1
    assert "forms/fire.yaml:4:1: sectons: unknown field" in result.output
    assert "nothing was synced" in result.output
    assert "Traceback" not in result.output
    (folder / "fire.yaml").write_text(CHECK)
    (folder / "canteen.yaml").unlink()
    assert runner.invoke(forms_group, ["sync", "--folder", str(folder)]).exit_code == 0
    listing = runner.invoke(forms_group, ["list"]).output.splitlines()
    assert listing[0].split()[:4] == ["fire_check", "checklist", "v1", "of"]
    assert listing[1].split()[:6] == ["canteen", "questionnaire", "v1", "of", "1", "retired"]


def test_the_shipped_definitions_load(app, session):
    from dudao.core.commands import init_command

    result = app.test_cli_runner().invoke(init_command)
    assert result.exit_code == 0, result.output
    rows = {row.definition.key: row.definition for row in queries.list_definitions(session)}
    assert set(rows) == {
        "branch_standardisation",
        "campaign_spot_check",
        "member_satisfaction",
        "democratic_appraisal",
        "representative_feedback",
    }
    assert rows["branch_standardisation"].kind is Kind.CHECKLIST
    branch = queries.pinned(session, queries.current_version(session, "branch_standardisation").id)
    assert 35 <= len(branch.items) <= 50 and any(item.critical for item in branch.items)
    assert [band.label.zh for band in branch.grades] == ["优秀", "良好", "合格", "不合格"]
    used = set()
    for key in rows:
        definition = queries.pinned(session, queries.current_version(session, key).id)
        used |= {item.type for item in definition.items}
    assert used == set(ItemType)
    feedback = queries.pinned(
        session, queries.current_version(session, "representative_feedback").id
    )
    assert feedback.anonymous is False
    survey = queries.pinned(session, queries.current_version(session, "member_satisfaction").id)
    assert survey.anonymous and any(item.satisfaction for item in survey.items)
    assert FORMS_FOLDER.name == "forms"


def test_pinned_forgets_versions_rolled_back(session):
    first = upload_version(session, None, CHECK, "a.yaml").version
    assert queries.pinned(session, first.id).item("exits").label.zh == "安全出口数量"
    session.rollback()
    second = upload_version(session, None, CHECK.replace("安全出口数量", "出口数量"), "b.yaml")
    assert queries.pinned(session, second.version.id).item("exits").label.zh == "出口数量"


def test_concurrent_uploads_of_one_content_make_one_version(app, session):
    """PostgreSQL: the second writer waits for the first and then finds its version."""
    if session.get_bind().dialect.name != "postgresql":
        pytest.skip("SQLite serialises writers itself; the lock is for PostgreSQL")
    import threading

    factory = app.extensions["dudao"].session_factory
    first = factory()
    upload_version(first, None, CHECK, "a.yaml")  # holds the lock until commit
    results = []

    def second_upload() -> None:
        with factory() as other:
            results.append(upload_version(other, None, CHECK, "b.yaml").created)
            other.commit()

    thread = threading.Thread(target=second_upload)
    thread.start()
    thread.join(0.5)
    assert thread.is_alive()  # waiting for the first writer
    first.commit()
    first.close()
    thread.join(10)
    assert results == [False]
    assert _count(session, DefinitionVersion) == 1
