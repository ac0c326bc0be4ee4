"""Syncing the forms/ folder: new versions, unchanged files, retired definitions, failures."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from dudao.audit.models import AuditEvent
from dudao.definitions import queries
from dudao.definitions.models import DefinitionVersion, FormDefinition
from dudao.definitions.problems import DefinitionError
from dudao.definitions.services import content_hash, sync_forms
from dudao.definitions.spec import Kind
from dudao.definitions.uploading import upload_version
from tests.definition_world import CHECK, SURVEY, _count, folder  # noqa: F401


def test_sync_creates_one_version_per_definition(session, folder):  # noqa: F811
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


def test_unchanged_folder_creates_nothing(session, folder):  # noqa: F811
    sync_forms(session, None, folder)
    session.commit()
    before = (_count(session, DefinitionVersion), _count(session, AuditEvent))
    report = sync_forms(session, None, folder)
    session.commit()
    assert not report.changed
    assert sorted(report.keys("unchanged")) == ["canteen", "fire_check"]
    assert (_count(session, DefinitionVersion), _count(session, AuditEvent)) == before


def test_changed_file_is_a_new_version_and_the_old_one_stays(session, folder):  # noqa: F811
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


def test_removed_file_retires_and_keeps_versions(session, folder):  # noqa: F811
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


def test_an_invalid_file_fails_the_whole_sync_and_writes_nothing(session, folder):  # noqa: F811
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


def test_a_key_cannot_change_its_kind(session, folder):  # noqa: F811
    sync_forms(session, None, folder)
    session.commit()
    as_survey = SURVEY.replace("key: canteen", "key: fire_check")
    (folder / "fire.yaml").write_text(as_survey)
    (folder / "canteen.yaml").unlink()
    with pytest.raises(DefinitionError, match="checklist in the database"):
        sync_forms(session, None, folder)
    with pytest.raises(DefinitionError, match="use a new key"):
        upload_version(session, None, as_survey, "x.yaml")
    # Said at the line of `kind:`, not at line 1, in the file and in an upload alike.
    commented = "# 消防检查，改为问卷\n\n" + as_survey
    (folder / "fire.yaml").write_text(commented)
    with pytest.raises(DefinitionError) as synced:
        sync_forms(session, None, folder)
    with pytest.raises(DefinitionError) as uploaded:
        upload_version(session, None, commented, "x.yaml")
    for refused in (synced, uploaded):
        [problem] = refused.value.problems
        assert (problem.line, problem.col, problem.path) == (3, 1, "kind"), problem
