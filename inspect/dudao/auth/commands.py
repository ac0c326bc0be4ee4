"""`dudao users`: accounts and grants from the command line, acting as the system."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select
from sqlalchemy.orm import Session

from dudao.auth import services
from dudao.auth.models import User
from dudao.core.database import transaction
from dudao.core.enums import Role
from dudao.core.errors import N_, Listed, Message, NotFound, ValidationError
from dudao.core.language import language_option, say, spoken
from dudao.org.queries import by_code


@click.group("users", help="Accounts and role grants.")
def users_group() -> None:
    pass


#: The password rules, as the options' help says them (auth.passwords).
PASSWORD_HELP = "At least 8 characters; not the username, one character repeated or a common one."
#: The system's passwords are not temporary unless asked: the first administrator, or one
#: who lost theirs, sets their own here (docs/access.md, Passwords).
temporary_option = click.option(
    "--temporary",
    is_flag=True,
    help="The user must choose a new password at the next sign-in.",
)


@users_group.command(
    "create", help="Create the account USERNAME (the password is asked for unless given)."
)
@click.argument("username")
@click.option("--name", "display_name", default="", help="Display name.")
@click.option("--email", default=None)
@click.password_option(help=PASSWORD_HELP)
@temporary_option
@language_option
@with_appcontext
def create_user(
    username: str,
    display_name: str,
    email: str | None,
    password: str,
    temporary: bool,
    lang: str,
) -> None:
    try:
        with transaction(current_app.extensions["dudao"].session_factory) as session:
            services.create_user(
                session, None, username, display_name, password, email, temporary=temporary
            )
    except ValidationError as exc:
        raise click.ClickException(_refused(exc, lang)) from exc
    say(Message(N_("Created the account %(name)s."), name=username), lang)


def _refused(exc: ValidationError, lang: str) -> str:
    """The refusal, then its problems ("field: detail"), in the reader's language."""
    if not exc.problems:
        return spoken(exc.message, lang)
    # TRANSLATORS: "The account cannot be created. password: at least 8 characters; not the
    # username."
    refused = Message(N_("%(refusal)s %(problems)s."), refusal=exc.message,
                      problems=Listed(exc.problems))  # fmt: skip
    return spoken(refused, lang)


def _account(session: Session, username: str) -> User:
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        raise NotFound(Message(N_("No account named '%(name)s'."), name=username))
    return user


@users_group.command("grant", help="Give USERNAME the ROLE on the subtree of UNIT_CODE.")
@click.argument("username")
@click.argument("role", type=click.Choice([r.value for r in Role]))
@click.argument("unit_code")
@language_option
@with_appcontext
def grant(username: str, role: str, unit_code: str, lang: str) -> None:
    with transaction(current_app.extensions["dudao"].session_factory) as session:
        user = _account(session, username)
        unit = by_code(session, unit_code)
        if unit is None:
            raise NotFound(Message(N_("No unit with the code '%(code)s'."), code=unit_code))
        services.grant_role(session, None, user, Role(role), unit)
    granted = Message(N_("%(name)s is now %(role)s on %(unit)s and everything below it."),
                      name=username, role=role, unit=unit_code)  # fmt: skip
    say(granted, lang)


@users_group.command("set-password", help="Set a new password (signs USERNAME out everywhere).")
@click.argument("username")
@click.password_option(help=PASSWORD_HELP)
@temporary_option
@language_option
@with_appcontext
def set_password(username: str, password: str, temporary: bool, lang: str) -> None:
    try:
        with transaction(current_app.extensions["dudao"].session_factory) as session:
            account = _account(session, username)
            services.set_password(session, None, account, password, temporary=temporary)
    except ValidationError as exc:
        raise click.ClickException(_refused(exc, lang)) from exc
    if temporary:
        set_for = N_("New password set for %(name)s; they choose their own at the next sign-in.")
    else:
        set_for = N_("New password set for %(name)s.")
    say(Message(set_for, name=username), lang)


@users_group.command("deactivate", help="Stop USERNAME from signing in; history is kept.")
@click.argument("username")
@language_option
@with_appcontext
def deactivate(username: str, lang: str) -> None:
    with transaction(current_app.extensions["dudao"].session_factory) as session:
        services.set_active(session, None, _account(session, username), False)
    say(Message(N_("%(name)s is deactivated."), name=username), lang)


@users_group.command("activate", help="Let USERNAME sign in again.")
@click.argument("username")
@language_option
@with_appcontext
def activate(username: str, lang: str) -> None:
    with transaction(current_app.extensions["dudao"].session_factory) as session:
        services.set_active(session, None, _account(session, username), True)
    say(Message(N_("%(name)s is active."), name=username), lang)
