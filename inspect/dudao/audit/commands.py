"""`dudao audit verify`: check the hash chain and name every bad event."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from dudao.audit.chain import chain_head, check_anchor, verify_chain
from dudao.core.database import check_database, transaction
from dudao.core.errors import Plural
from dudao.core.language import language_option, say, spoken


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
@language_option
@with_appcontext
def audit_verify(expect: str | None, lang: str) -> None:
    anchor = _anchor(expect)
    runtime = current_app.extensions["dudao"]
    check_database(runtime.engine)
    with transaction(runtime.session_factory) as session:
        problems = verify_chain(session)
        if anchor is not None and (problem := check_anchor(session, *anchor)) is not None:
            problems.append(problem)
        seq, digest = chain_head(session)
    for problem in problems:
        say(problem.as_message(), lang)
    if problems:
        tampered = Plural("The audit log has been tampered with: %(num)d problem listed above.",
                          "The audit log has been tampered with: %(num)d problems listed above.",
                          num=len(problems))  # fmt: skip
        raise click.ClickException(spoken(tampered, lang))
    intact = Plural("The audit log is intact: %(num)d event, head %(seq)d:%(digest)s",
                    "The audit log is intact: %(num)d events, head %(seq)d:%(digest)s",
                    num=seq, seq=seq, digest=digest)  # fmt: skip
    say(intact, lang)
