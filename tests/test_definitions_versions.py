"""Immutable definition versions: upload, pinned definitions, listing, CLI, shipped forms."""

from __future__ import annotations

import pytest

from dudao.definitions import queries
from dudao.definitions.commands import FORMS_FOLDER, forms_group
from dudao.definitions.models import DefinitionVersion, ImmutableVersion
from dudao.definitions.problems import DefinitionError
from dudao.definitions.services import sync_forms
from dudao.definitions.spec import ItemType, Kind
from dudao.definitions.uploading import upload_version
from tests.definition_world import CHECK, SURVEY, _count, folder  # noqa: F401


def test_version_rows_are_immutable(session, folder):  # noqa: F811
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


def test_upload_validates_and_versions_like_the_sync(session, folder, user_factory, org):  # noqa: F811
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


def test_pinned_is_cached_and_names_unknown_versions(session, folder):  # noqa: F811
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


def test_list_definitions_counts_versions(session, folder):  # noqa: F811
    sync_forms(session, None, folder)
    (folder / "fire.yaml").write_text(CHECK.replace("max: 20", "max: 25"))
    sync_forms(session, None, folder)
    session.commit()
    rows = {row.definition.key: row for row in queries.list_definitions(session)}
    assert rows["fire_check"].version_count == 2
    assert rows["canteen"].version_count == 1


def test_cli_forms_sync(app, folder, session):  # noqa: F811
    runner = app.test_cli_runner()
    result = runner.invoke(forms_group, ["sync", "--folder", str(folder), "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert "fire_check (fire.yaml): created (version 1)" in result.output
    assert "2 definitions: 2 created." in result.output
    result = runner.invoke(forms_group, ["sync", "--folder", str(folder), "-v"])  # zh_CN
    assert result.exit_code == 0 and "共 2 个定义：未变 2 个。" in result.output
    assert "fire_check（fire.yaml）：未变（第 1 版）" in result.output
    nowhere = str(folder / "nowhere")
    result = runner.invoke(forms_group, ["sync", "--folder", nowhere])
    assert result.exit_code == 1 and f"{nowhere} 不是文件夹；未同步任何内容。" in result.output
    result = runner.invoke(forms_group, ["sync", "--folder", nowhere, "--lang", "en"])
    assert f"{nowhere} is not a folder; nothing was synced." in result.output
    (folder / "fire.yaml").write_text(CHECK.replace("sections:", "sectons:"))
    result = runner.invoke(forms_group, ["sync", "--folder", str(folder), "--lang", "en"])
    assert result.exit_code == 1
    assert "forms/fire.yaml:4:1: sectons: unknown field" in result.output
    assert "nothing was synced" in result.output
    assert "Traceback" not in result.output
    (folder / "fire.yaml").write_text(CHECK)
    (folder / "canteen.yaml").unlink()
    assert runner.invoke(forms_group, ["sync", "--folder", str(folder)]).exit_code == 0
    listing = runner.invoke(forms_group, ["list", "--lang", "en"]).output.splitlines()
    assert listing[0].split()[:4] == ["fire_check", "checklist", "v1", "of"]
    assert listing[1].split()[:6] == ["canteen", "questionnaire", "v1", "of", "1", "retired"]
    chinese = runner.invoke(forms_group, ["list"]).output.splitlines()  # the default language
    assert chinese[1].split()[:4] == ["canteen", "questionnaire", "共", "1"]
    assert "已停用" in chinese[1]


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


def test_init_and_check_read_the_organisations_folder(settings, folder):  # noqa: F811
    """With DUDAO_FORMS_DIR an upgrade's `init` syncs the organisation's own folder: it used
    to sync the shipped one, retiring the organisation's definitions and restoring the
    examples. `forms check` with no path reads that folder too."""
    from dataclasses import replace

    from click.testing import CliRunner

    from dudao.app import create_app
    from dudao.core.commands import init_command
    from dudao.definitions.formcheck import check_command

    app = create_app(replace(settings, forms_dir=folder), {"TESTING": True})
    runner = app.test_cli_runner()
    for _ in range(2):  # once, then again as on every release
        assert runner.invoke(init_command).exit_code == 0
    listing = runner.invoke(forms_group, ["list", "--lang", "en"]).output.splitlines()
    assert sorted(line.split()[0] for line in listing) == ["canteen", "fire_check"]
    assert not any("retired" in line for line in listing)
    app.extensions["dudao"].engine.dispose()
    checked = CliRunner().invoke(
        check_command, ["--lang", "en"], env={"DUDAO_FORMS_DIR": str(folder)}
    )
    assert checked.exit_code == 0 and "2 files" in checked.output, checked.output
