"""The zh_CN catalogue: complete and compiled, and the `dudao i18n` checks that keep it so."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from dudao.cli import cli
from dudao.web import i18n

PACKAGE = Path(i18n.PACKAGE_DIR)


def test_catalogue_is_complete_and_compiled():
    """Fails when a string in the code is missing or untranslated, or the .mo is stale.

    Fix with `dudao i18n update`, translate in the .po, then `dudao i18n compile`.
    """
    assert i18n.check() == []


@pytest.fixture
def catalogue_copy(tmp_path, monkeypatch) -> i18n.CatalogFiles:
    shutil.copytree(i18n.TRANSLATIONS, tmp_path / "translations")
    monkeypatch.setattr(i18n, "TRANSLATIONS", tmp_path / "translations")
    return i18n.CatalogFiles("zh_CN")


def test_check_notices_a_stale_mo_and_compile_fixes_it(catalogue_copy):
    po = catalogue_copy.po
    po.write_text(
        po.read_text(encoding="utf-8").replace('msgstr "退出登录"', 'msgstr "注销"'),
        encoding="utf-8",
    )
    assert any("out of date" in p for p in i18n.check(with_sources=False))
    result = CliRunner().invoke(cli, ["i18n", "compile"])
    assert result.exit_code == 0, result.output
    assert i18n.check(with_sources=False) == []


def test_check_and_update_notice_a_missing_string(catalogue_copy):
    po = catalogue_copy.po
    text = po.read_text(encoding="utf-8")
    entry = re.search(r'\n(#[^\n]*\n)*msgid "Skip to main content"\nmsgstr "[^"]*"\n', text)
    assert entry is not None
    po.write_text(text.replace(entry.group(0), "\n"), encoding="utf-8")
    problems = i18n.check()
    assert any("'Skip to main content'" in p and "not in messages.po" in p for p in problems)

    result = CliRunner().invoke(cli, ["i18n", "check"])
    assert result.exit_code == 1 and "Skip to main content" in result.output

    assert "Skip to main content" in i18n.update("zh_CN")
    assert 'msgid "Skip to main content"\nmsgstr ""' in po.read_text(encoding="utf-8")
    assert any("has no reviewed translation" in p for p in i18n.check())


def test_update_is_quiet_when_nothing_changed(catalogue_copy):
    first = i18n.update("zh_CN")
    before = catalogue_copy.po.read_bytes()
    assert i18n.update("zh_CN") == first
    assert catalogue_copy.po.read_bytes() == before


def test_check_flags_a_bare_percent_in_a_template():
    """Jinja formats every template string with `%`: '95% interval' would break the page."""
    from babel.messages.catalog import Message

    def bare(text: str, path: str) -> bool:
        message = Message(text, locations=[(path, 1)])
        return i18n._bare_percent_in_template(message.id, message)

    assert bare("95% interval", "surveys/templates/surveys/results.html")
    assert not bare("95%% interval, %(n)d answers", "surveys/templates/surveys/results.html")
    assert not bare("95% interval", "surveys/views.py")  # Python strings format only with values


def test_a_template_jinja_cannot_parse_stops_the_update(catalogue_copy, tmp_path, monkeypatch):
    """Babel's Jinja extractor skipped such a file silently, and `update` dropped every
    translation of its strings (`{% set none = ... %}` cost the results page seventeen)."""
    package = tmp_path / "dudao"
    (package / "feature" / "templates").mkdir(parents=True)
    page = package / "feature" / "templates" / "page.html"
    page.write_text("{{ _('Apply') }}\n{% set none = 1 %}\n", encoding="utf-8")
    monkeypatch.setattr(i18n, "PACKAGE_DIR", package)
    before = catalogue_copy.po.read_bytes()
    result = CliRunner().invoke(cli, ["i18n", "update"])
    assert result.exit_code != 0
    assert "page.html, line 2" in result.output and "Nothing was extracted" in result.output
    assert catalogue_copy.po.read_bytes() == before
