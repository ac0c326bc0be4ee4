"""The `dudao` command: Flask's CLI group plus Dudao's own commands.

Every command that starts something checks its connections first, so a wrong
URL ends with one sentence instead of a traceback.
"""

from __future__ import annotations

from typing import Any

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext

from dudao.app import create_app
from dudao.core.errors import DudaoError
from dudao.core.language import CHOSEN, DEFAULT_LOCALE, translations
from dudao.definitions.problems import DefinitionError


class DudaoGroup(FlaskGroup):
    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except DudaoError as exc:  # in --lang's, else the default, zh_CN (docs/i18n.md)
            language = translations(ctx.meta.get(CHOSEN, DEFAULT_LOCALE))
            if isinstance(exc, DefinitionError) and len(exc.problems) > 1:  # every one, located
                for problem in exc.problems:
                    click.echo(problem.shown(language), err=True)
            raise click.ClickException(exc.in_language(language)) from exc


def _create_app() -> Flask:
    return create_app()


cli = DudaoGroup(
    create_app=_create_app,
    add_version_option=False,
    load_dotenv=False,
    help="Dudao (督导): survey and inspection workflow engine.",
)


def runtime() -> Any:
    return current_app.extensions["dudao"]


def _register() -> None:
    from dudao.audit.commands import audit_group
    from dudao.auth.commands import users_group
    from dudao.core.commands import cron_command, db_group, init_command, worker_command
    from dudao.definitions.commands import forms_group
    from dudao.demo.commands import demo_command
    from dudao.org.commands import org_group
    from dudao.scheduling.commands import inspections_group, schedules_group
    from dudao.scheduling.draw_commands import draw_group
    from dudao.trends.commands import analyze_command, flags_group, import_group
    from dudao.web.commands import i18n_group

    for command in (
        db_group,
        init_command,
        worker_command,
        cron_command,
        audit_group,
        users_group,
        org_group,
        forms_group,
        demo_command,
        i18n_group,
        schedules_group,
        inspections_group,
    ):
        cli.add_command(command)
    cli.add_command(draw_group)
    for command in (import_group, analyze_command, flags_group):
        cli.add_command(command)
    from dudao.reports.commands import export_command, report_group

    cli.add_command(report_group)
    cli.add_command(export_command)


_register()


def main() -> None:
    cli.main(prog_name="dudao")


__all__ = ["cli", "main", "with_appcontext"]
