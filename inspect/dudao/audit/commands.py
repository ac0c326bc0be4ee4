from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from dudao.audit.services import verify_chain
from dudao.core.database import check_database, transaction


@click.group("audit", help="The tamper-evident audit log.")
def audit_group() -> None:
    pass


@audit_group.command("verify", help="Check the hash chain; exit 1 and name every bad event.")
@with_appcontext
def audit_verify() -> None:
    runtime = current_app.extensions["dudao"]
    check_database(runtime.engine)
    with transaction(runtime.session_factory) as session:
        problems = verify_chain(session)
    for problem in problems:
        click.echo(str(problem))
    if problems:
        click.echo(f"The audit log has been tampered with: {len(problems)} problem(s).", err=True)
        raise SystemExit(1)
    click.echo("The audit log is intact.")
