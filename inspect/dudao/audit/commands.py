"""`dudao audit verify`: check the hash chain and name every bad event."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from dudao.audit.chain import chain_head, check_anchor, verify_chain
from dudao.core.database import check_database, transaction


def _anchor(value: str | None) -> tuple[int, str] | None:
    if not value:
        return None
    seq, _, digest = value.partition(":")
    if not seq.isdigit() or len(digest) != 64:
        raise click.BadParameter("give SEQ:HASH as printed by an earlier `dudao audit verify`.")
    return int(seq), digest


@click.group("audit", help="The tamper-evident audit log.")
def audit_group() -> None:
    pass


@audit_group.command("verify", help="Check the hash chain; exit 1 and name every bad event.")
@click.option(
    "--expect",
    metavar="SEQ:HASH",
    help="A head printed by an earlier run (kept outside the database) that must still match.",
)
@with_appcontext
def audit_verify(expect: str | None) -> None:
    anchor = _anchor(expect)
    runtime = current_app.extensions["dudao"]
    check_database(runtime.engine)
    with transaction(runtime.session_factory) as session:
        problems = verify_chain(session)
        if anchor is not None and (problem := check_anchor(session, *anchor)) is not None:
            problems.append(problem)
        seq, digest = chain_head(session)
    for problem in problems:
        click.echo(str(problem))
    if problems:
        raise click.ClickException(
            f"The audit log has been tampered with: {len(problems)} problem(s) listed above."
        )
    click.echo(f"The audit log is intact: {seq} events, head {seq}:{digest}")
