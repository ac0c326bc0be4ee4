"""`dudao import inspections`, `dudao analyze` and `dudao flags export`."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from dudao.core.database import check_database, transaction
from dudao.core.errors import N_, Listed, Message, NotFound, Plural, ValidationError
from dudao.core.language import language_option, say, spoken
from dudao.org.queries import by_code
from dudao.scheduling.recurrence import org_today
from dudao.trends.export import export_flags
from dudao.trends.importing import import_inspections
from dudao.trends.queries import period_of
from dudao.trends.services import analyze


def _runtime():
    runtime = current_app.extensions["dudao"]
    check_database(runtime.engine)
    return runtime


@click.group("import", help="Import historical data.")
def import_group() -> None:
    pass


@import_group.command("inspections", help="Import historical inspections (JSONL, CSV or XLSX).")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@language_option
@with_appcontext
def import_inspections_command(file: Path, lang: str) -> None:
    runtime = _runtime()
    try:
        with transaction(runtime.session_factory) as session:
            result = import_inspections(session, None, file, runtime.settings.timezone)
    except ValidationError as exc:
        if exc.problems != list(exc.args):  # a file that cannot be read has one problem
            for problem in exc.problems:
                say(problem, lang, err=True)
        raise click.ClickException(spoken(exc.message, lang)) from exc
    done = Plural("%(file)s: %(num)d row read: %(created)d imported, %(existing)d already there.",
                  "%(file)s: %(num)d rows read: %(created)d imported, %(existing)d already there.",
                  num=result.rows, file=file.name, created=result.created,
                  existing=result.existing)  # fmt: skip
    say(done, lang)


@click.command("analyze", help="Run trend detection and write flags.")
@click.option("--scope", "scope_code", help="Only the flags of this unit's subtree (unit code).")
@click.option(
    "--since",
    type=click.DateTime(["%Y-%m-%d"]),
    help="No new flags for what was last seen before DATE.",
)
@language_option
@with_appcontext
def analyze_command(scope_code: str | None, since: object, lang: str) -> None:
    runtime = _runtime()
    tz = runtime.settings.timezone
    with transaction(runtime.session_factory) as session:
        scope = None
        if scope_code:
            scope = by_code(session, scope_code)
            if scope is None:
                raise NotFound(Message(N_("No unit with the code '%(code)s'."), code=scope_code))
        summary = analyze(
            session, tz, today=org_today(session), scope=scope,
            since=period_of(since.date(), tz) if since else None,  # type: ignore[attr-defined]
        )  # fmt: skip
    found = [
        Message(N_("%(rule)s %(num)d (%(still)d still)"), rule=rule, num=n,
                still=summary.current[rule])
        for rule, n in sorted(summary.detected.items())
    ]  # fmt: skip
    detected = Listed(found) if found else Message(N_("nothing"))
    say(Message(N_("Detected in the history (still at the latest month): %(found)s."),
                found=detected), lang)  # fmt: skip
    flags = Message(N_("Flags: %(created)d new, %(updated)d updated, %(reopened)d reopened, "
                       "%(cleared)d no longer detected."),
                    created=summary.created, updated=summary.updated,
                    reopened=summary.reopened, cleared=summary.cleared)  # fmt: skip
    say(flags, lang)


@click.group("flags", help="Trend flags.")
def flags_group() -> None:
    pass


@flags_group.command("export", help="Write every flag as JSON or CSV to standard output.")
@click.option("--format", "fmt", type=click.Choice(["json", "csv"]), default="json")
@with_appcontext
def export_command(fmt: str) -> None:
    runtime = _runtime()
    with runtime.session_factory() as session:
        click.echo(export_flags(session, fmt), nl=False)  # bytes: written as they are
