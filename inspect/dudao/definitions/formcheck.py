"""`dudao forms check [PATH...]`: validate definition files without a database.

Prints every problem as `file:line:col: path.to.field: message` and exits 1 if
there is any, so it works in CI and in an editor's problem matcher. The messages
are in the default language, zh_CN (`--lang en` for English); the location part
reads the same in both.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import click

from dudao.config import forms_dir
from dudao.core.errors import N_, Message, Plural
from dudao.core.language import language_option, say, translations
from dudao.definitions.formfolder import definition_files, load_files
from dudao.definitions.loader import LoadedDefinition
from dudao.definitions.problems import Problem


def _shown(path: Path) -> str:
    """The path as given; an absolute one inside the working directory is shown relative."""
    if path.is_absolute():
        try:
            return str(path.relative_to(Path.cwd()))
        except ValueError:
            pass
    return str(path)


@dataclass
class CheckResult:
    files: int = 0
    loaded: list[LoadedDefinition] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    def summary(self) -> Message:
        """`OK: 2 files, 1 checklist, 1 questionnaire, 5 items`, in the reader's language."""
        kinds = [loaded.definition.kind.value for loaded in self.loaded]
        items = sum(len(loaded.definition.items) for loaded in self.loaded)
        return Message(
            # TRANSLATORS: each count is one of "%(num)d file", "%(num)d checklist", ...
            N_("OK: %(files)s, %(checklists)s, %(questionnaires)s, %(items)s"),
            files=Plural("%(num)d file", "%(num)d files", num=self.files),
            checklists=Plural("%(num)d checklist", "%(num)d checklists",
                              num=kinds.count("checklist")),
            questionnaires=Plural("%(num)d questionnaire", "%(num)d questionnaires",
                                  num=kinds.count("questionnaire")),
            items=Plural("%(num)d item", "%(num)d items", num=items),
        )  # fmt: skip


def check_paths(paths: Iterable[Path]) -> CheckResult:
    """Load every definition file named or found below the paths; collect all problems."""
    files: list[Path] = []
    for path in paths:
        files.extend(definition_files(path) if path.is_dir() else [path])
    unique = list(dict.fromkeys(files))  # a file named twice is checked once
    loaded, problems = load_files((path, _shown(path)) for path in unique)
    return CheckResult(len(unique), [definition for _, definition in loaded], problems)


def _problems_line(count: int, files: int) -> Message:
    return Message(
        # TRANSLATORS: "2 problems in 1 file."; the counts are "%(num)d problem" and "%(num)d file".
        N_("%(problems)s in %(files)s."),
        problems=Plural("%(num)d problem", "%(num)d problems", num=count),
        files=Plural("%(num)d file", "%(num)d files", num=files),
    )


@click.command("check")
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@language_option
def check_command(paths: tuple[Path, ...], lang: str) -> None:
    """Check definition files (default: DUDAO_FORMS_DIR, else forms/); print every problem."""
    result = check_paths(paths or (forms_dir(),))
    catalogue = translations(lang)
    for problem in result.problems:
        click.echo(problem.shown(catalogue))
    if result.problems:
        say(_problems_line(len(result.problems), result.files), lang, err=True)
        raise SystemExit(1)
    say(result.summary(), lang)
