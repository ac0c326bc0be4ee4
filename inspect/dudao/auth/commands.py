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
from dudao.core.errors import N_, Message, NotFound, ValidationError
from dudao.core.language import translations
from dudao.org.queries import by_code


@click.group("users", help="Accounts and role grants.")
def users_group() -> None:
    pass


@users_group.command(
    "create", help="Create the account USERNAME (the password is asked for unless given)."
)
@click.argument("username")
@click.option("--name", "display_name", default="", help="Display name.")
@click.option("--email", default=None)
@click.password_option(help="At least 8 characters.")
@with_appcontext
def create_user(username: str, display_name: str, email: str | None, password: str) -> None:
    try:
        with transaction(current_app.extensions["dudao"].session_factory) as session:
            services.create_user(session, None, username, display_name, password, email)
    except ValidationError as exc:
        raise click.ClickException(_refused(exc)) from exc
    click.echo(f"Created {username}.")


def _refused(exc: ValidationError) -> str:
    """The refusal in the default language, then its problems ("field: detail")."""
    return f"{exc.in_language(translations())} {'; '.join(exc.problems)}."


def _account(session: Session, username: str) -> User:
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        raise NotFound(Message(N_("No account named %(name)r."), name=username))
    return user


@users_group.command("grant", help="Give USERNAME the ROLE on the subtree of UNIT_CODE.")
@click.argument("username")
@click.argument("role", type=click.Choice([r.value for r in Role]))
@click.argument("unit_code")
@with_appcontext
def grant(username: str, role: str, unit_code: str) -> None:
    with transaction(current_app.extensions["dudao"].session_factory) as session:
        user = _account(session, username)
        unit = by_code(session, unit_code)
        if unit is None:
            raise NotFound(Message(N_("No unit with the code %(code)r."), code=unit_code))
        services.grant_role(session, None, user, Role(role), unit)
    click.echo(f"{username} is now {role} on {unit_code} and everything below it.")


@users_group.command("set-password", help="Set a new password (signs USERNAME out everywhere).")
@click.argument("username")
@click.password_option(help="At least 8 characters.")
@with_appcontext
def set_password(username: str, password: str) -> None:
    try:
        with transaction(current_app.extensions["dudao"].session_factory) as session:
            services.set_password(session, None, _account(session, username), password)
    except ValidationError as exc:
        raise click.ClickException(_refused(exc)) from exc
    click.echo(f"New password set for {username}.")


@users_group.command("deactivate", help="Stop USERNAME from signing in; history is kept.")
@click.argument("username")
@with_appcontext
def deactivate(username: str) -> None:
    with transaction(current_app.extensions["dudao"].session_factory) as session:
        services.set_active(session, None, _account(session, username), False)
    click.echo(f"{username} is deactivated.")


@users_group.command("activate", help="Let USERNAME sign in again.")
@click.argument("username")
@with_appcontext
def activate(username: str) -> None:
    with transaction(current_app.extensions["dudao"].session_factory) as session:
        services.set_active(session, None, _account(session, username), True)
    click.echo(f"{username} is active.")
