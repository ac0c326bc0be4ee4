"""`dudao org ...`: the org chart from the command line."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from dudao.core.database import check_database, transaction
from dudao.core.language import language_option, say
from dudao.org.import_template import FORMATS, template_bytes
from dudao.org.importing import import_org_chart


@click.group("org", help="The org chart.")
def org_group() -> None:
    pass


@org_group.command("import", help="Import or update the org chart from a CSV or XLSX FILE.")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Check the file and report; write nothing.")
@language_option
@with_appcontext
def import_command(file: Path, dry_run: bool, lang: str) -> None:
    """All or nothing: any bad row is reported (with its row number) and nothing is written."""
    runtime = current_app.extensions["dudao"]
    check_database(runtime.engine)
    with transaction(runtime.session_factory) as session:
        report = import_org_chart(session, None, file.read_bytes(), file.name, dry_run=dry_run)
        if not report.ok or dry_run:
            session.rollback()
    for problem in report.errors:
        say(problem.as_message(), lang)
    if not report.ok:
        say(report.summary(), lang, err=True)
        raise SystemExit(1)
    say(report.summary(), lang)


@org_group.command(
    "template", help="Write a file to fill in for `org import`: FILE.csv or FILE.xlsx."
)
@click.argument("file", type=click.Path(dir_okay=False, writable=True, path_type=Path))
@language_option
def template_command(file: Path, lang: str) -> None:
    """The columns headed as the import reads them (in Chinese, or English with --lang en)
    and one example row to overwrite."""
    fmt = file.suffix.lower().lstrip(".")
    if fmt not in FORMATS:
        raise click.BadParameter("name a .csv or .xlsx file", param_hint="FILE")
    file.write_bytes(template_bytes(fmt, lang))
    click.echo(file)
