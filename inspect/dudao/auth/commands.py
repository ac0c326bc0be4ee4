from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select

from dudao.auth import services
from dudao.auth.models import User
from dudao.core.database import transaction
from dudao.core.enums import Role
from dudao.core.errors import NotFound, ValidationError
from dudao.org.queries import by_code


@click.group("users", help="Accounts and role grants.")
def users_group() -> None:
    pass


@users_group.command("create")
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
        raise click.ClickException(f"{exc} {'; '.join(exc.problems)}.") from exc
    click.echo(f"Created {username}.")


@users_group.command("grant", help="Give USERNAME the ROLE on the subtree of UNIT_CODE.")
@click.argument("username")
@click.argument("role", type=click.Choice([r.value for r in Role]))
@click.argument("unit_code")
@with_appcontext
def grant(username: str, role: str, unit_code: str) -> None:
    with transaction(current_app.extensions["dudao"].session_factory) as session:
        user = session.scalar(select(User).where(User.username == username))
        if user is None:
            raise NotFound(f"No account named {username!r}.")
        unit = by_code(session, unit_code)
        if unit is None:
            raise NotFound(f"No unit with code {unit_code!r}.")
        services.grant_role(session, None, user, Role(role), unit)
    click.echo(f"{username} is now {role} on {unit_code} and everything below it.")
