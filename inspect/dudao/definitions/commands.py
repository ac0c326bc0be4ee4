"""`dudao forms ...`: check definition files and load them into the database."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click
from flask import current_app
from flask.cli import with_appcontext

from dudao.config import PROJECT_ROOT
from dudao.core.language import DEFAULT_LOCALE, language_option, refuse_located, say, spoken

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from dudao.core.runtime import Runtime
    from dudao.definitions.services import SyncReport

#: The shipped definitions; `dudao demo` loads them (init and `forms sync` the
#: organisation's folder, DUDAO_FORMS_DIR, which is this one unless set).
FORMS_FOLDER = PROJECT_ROOT / "forms"


def sync_shipped(session: Session, _plan: object = None) -> int:
    """Sync forms/ in the caller's transaction; the number of definitions that changed.

    Shaped as a `dudao demo` loader step (session, plan) -> count: idempotent, so a
    second run changes nothing. Raises DefinitionError on a bad file.
    """
    from dudao.definitions.services import sync_forms

    report = sync_forms(session, None, FORMS_FOLDER)
    return sum(1 for entry in report.entries if entry.action != "unchanged")


@click.group("forms", help="Checklist and questionnaire definitions.")
def forms_group() -> None:
    pass


def sync_folder(
    runtime: Runtime, folder: Path | None = None, lang: str = DEFAULT_LOCALE
) -> SyncReport:
    """Sync `folder` (default: DUDAO_FORMS_DIR) in one transaction, or print every problem (in
    `lang`) and stop.

    For `forms sync`, `init` and `demo`: all or nothing, exit status 1 on any problem.
    """
    from dudao.core.database import check_database, transaction
    from dudao.core.errors import Plural, ValidationError
    from dudao.definitions.problems import DefinitionError
    from dudao.definitions.services import sync_forms

    check_database(runtime.engine)
    try:
        with transaction(runtime.session_factory) as session:
            return sync_forms(session, None, folder or runtime.settings.forms_dir)
    except DefinitionError as exc:
        counted = Plural("%(num)d problem in the definitions; nothing was synced.",
                         "%(num)d problems in the definitions; nothing was synced.",
                         num=len(exc.problems))  # fmt: skip
        refuse_located(exc.problems, counted, lang)
    except ValidationError as exc:  # not a folder
        raise click.ClickException(spoken(exc.message, lang)) from exc


@forms_group.command("sync", help="Load the definitions folder into the database as versions.")
@click.option(
    "--folder",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Folder of definition files [default: DUDAO_FORMS_DIR, else the shipped forms/].",
)
@click.option("-v", "--verbose", is_flag=True, help="Also list unchanged definitions.")
@language_option
@with_appcontext
def forms_sync(folder: Path | None, verbose: bool, lang: str) -> None:
    report = sync_folder(current_app.extensions["dudao"], folder, lang)
    for entry in report.entries:
        if verbose or entry.action != "unchanged":
            say(entry.as_message(), lang)
    say(report.summary(), lang)


@forms_group.command("list", help="List the definitions in the database and their versions.")
@language_option
@with_appcontext
def forms_list(lang: str) -> None:
    from dudao.core.errors import N_, Message
    from dudao.definitions.queries import list_definitions

    runtime = current_app.extensions["dudao"]
    with runtime.session_factory() as session:
        rows = list_definitions(session)
    english = lang.startswith("en")
    for row in rows:
        d = row.definition
        versions = Message(N_("v%(current)d of %(count)d"), current=d.current_number,
                           count=row.version_count)  # fmt: skip
        state = f"  {spoken(Message(N_('retired')), lang)}" if d.retired else ""
        title = (d.title_en or d.title_zh) if english else d.title_zh
        click.echo(f"{d.key:<32} {d.kind.value:<13} {spoken(versions, lang)}{state}  {title}")
    if not rows:
        say(Message(N_("No definitions yet; run 'dudao forms sync'.")), lang)


from dudao.definitions.formcheck import check_command  # noqa: E402 - needs no database
from dudao.definitions.xlsform.command import import_xlsform_command  # noqa: E402

forms_group.add_command(check_command)
forms_group.add_command(import_xlsform_command)
