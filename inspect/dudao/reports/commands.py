"""`dudao report ...` (PDFs and ZIPs, made here with progress) and `dudao export ...`."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path
from typing import Any

import click
from flask import current_app
from flask.cli import with_appcontext

from dudao.core.database import LARGEST_ID
from dudao.core.errors import N_, Message, NotFound, Plural
from dudao.core.language import language_option, say, spoken
from dudao.core.runtime import Runtime
from dudao.org.queries import by_code
from dudao.reports import exports
from dudao.reports.export_files import encode
from dudao.reports.jobs import run_report
from dudao.reports.models import ReportKind, ReportRequest, ReportState
from dudao.reports.services import parse_quarter, request_report


def _runtime() -> Runtime:
    return current_app.extensions["dudao"]


def _progress(done: int, total: int) -> None:
    width = 30
    filled = int(width * done / total) if total else width
    click.echo(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total}", nl=False, err=True)


def _make(kind: str, params: dict[str, Any], output: Path) -> None:
    """Ask for the report (the same report twice is made once) and make it here; speak the
    report's language."""
    runtime = _runtime()
    lang = params["locale"]
    with runtime.session_factory() as session:
        report, _new = request_report(session, None, kind, params)
        session.commit()
        request_id = report.id
    run_report(request_id, echo=_progress)
    click.echo("", err=True)
    with runtime.session_factory() as session:
        report = session.get(ReportRequest, request_id)
        assert report is not None
        if report.state != ReportState.DONE or not report.file_path:
            busy = Message(N_("Report %(id)d is %(state)s (another process is making it); "
                              "run the command again in a moment."),
                           id=request_id, state=report.state)  # fmt: skip
            raise click.ClickException(spoken(busy, lang))
        output.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(runtime.settings.data_dir / report.file_path, output)
    say(Message(N_("Wrote %(path)s (%(name)s)."), path=str(output), name=report.file_name), lang)


@click.group(
    "report", help="Make PDF reports (inspection, quarterly batch ZIP, period summary, campaign)."
)
def report_group() -> None:
    pass


LOCALE = click.option("--locale", type=click.Choice(["zh", "en"]), default="zh", show_default=True)
OUTPUT = click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
                      required=True)  # fmt: skip


@report_group.command("inspection", help="The report of inspection ID as a PDF.")
@click.argument("inspection_id", type=click.IntRange(1, LARGEST_ID))
@OUTPUT
@LOCALE
@with_appcontext
def report_inspection(inspection_id: int, output: Path, locale: str) -> None:
    _make(ReportKind.INSPECTION, {"inspection_id": inspection_id, "locale": locale}, output)


@report_group.command("batch", help="Every inspection report of a unit's subtree for a quarter.")
@click.option("--unit", required=True, help="Unit code (its whole subtree).")
@click.option("--quarter", required=True, help="Like 2026Q3 (by due date).")
@OUTPUT
@LOCALE
@with_appcontext
def report_batch(unit: str, quarter: str, output: Path, locale: str) -> None:
    _make(ReportKind.BATCH, {"unit": unit, "quarter": quarter, "locale": locale}, output)


@report_group.command("summary", help="The period summary of a unit's subtree for a quarter.")
@click.option("--unit", required=True, help="Unit code (its whole subtree).")
@click.option("--quarter", required=True, help="Like 2026Q3.")
@OUTPUT
@LOCALE
@with_appcontext
def report_summary(unit: str, quarter: str, output: Path, locale: str) -> None:
    _make(ReportKind.SUMMARY, {"unit": unit, "quarter": quarter, "locale": locale}, output)


@report_group.command("campaign", help="The report of questionnaire campaign ID as a PDF.")
@click.argument("campaign_id", type=click.IntRange(1, LARGEST_ID))
@OUTPUT
@LOCALE
@with_appcontext
def report_campaign(campaign_id: int, output: Path, locale: str) -> None:
    _make(ReportKind.CAMPAIGN, {"campaign_id": campaign_id, "locale": locale}, output)


@click.command("export", help="Export DATASET (or 'all', XLSX only) as CSV or XLSX.")
@click.argument("dataset")
@click.option("--format", "fmt", type=click.Choice(["csv", "xlsx"]), default="csv",
              show_default=True)  # fmt: skip
@click.option("--unit", help="Only this unit's subtree (default: everything).")
@click.option("--quarter", help="Only inspections due in this quarter, like 2026Q3.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="File to write (default: standard output).")  # fmt: skip
@click.option("--locale", type=click.Choice(["zh", "en"]),
              help="Column names and coded values in words of this language, as the web "
                   "gives them (default: the column keys and codes, for scripts).")  # fmt: skip
@language_option
@with_appcontext
def export_command(
    dataset: str, fmt: str, unit: str | None, quarter: str | None, output: Path | None,
    locale: str | None, lang: str,
) -> None:  # fmt: skip
    runtime = _runtime()
    names = list(exports.DATASETS) if dataset == "all" else [dataset]
    if dataset == "all" and fmt == "csv":
        xlsx_only = Message(N_("'all' needs --format xlsx (one sheet per dataset)."))
        raise click.ClickException(spoken(xlsx_only, lang))
    with runtime.session_factory() as session:
        scope_unit = by_code(session, unit) if unit else None
        if unit and scope_unit is None:
            raise NotFound(Message(N_("No unit with the code '%(code)s'."), code=unit))
        period = parse_quarter(quarter) if quarter else None
        scope = exports.Scope(
            ["/"], scope_unit, period.start if period else None,
            period.end if period else None, locale,
        )  # fmt: skip
        datasets = exports.build(session, names, scope, runtime.settings.tz)
    body = encode(datasets, fmt)
    if output is None:
        sys.stdout.buffer.write(body)
        return
    output.write_bytes(body)
    rows = sum(len(d.rows) for d in datasets)
    say(Plural("Wrote %(path)s (%(num)d row).", "Wrote %(path)s (%(num)d rows).", num=rows,
               path=str(output)), lang)  # fmt: skip
