"""`dudao draw ...`: make, list, publish and verify spot-check draws from the command line."""

from __future__ import annotations

from datetime import date
from typing import Any

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import inspect, select
from sqlalchemy.orm import Session

from dudao.auth.models import User
from dudao.core.database import check_database, transaction
from dudao.core.errors import N_, ConfigError, Message, NotFound
from dudao.org.queries import by_code
from dudao.scheduling.draw_services import create_draw, publish_draw
from dudao.scheduling.draw_verification import verify_draw
from dudao.scheduling.models import SpotCheckDraw


@click.group("draw", help="Random spot-check draws (双随机、一公开).")
def draw_group() -> None:
    pass


def _session_factory() -> Any:
    runtime = current_app.extensions["dudao"]
    check_database(runtime.engine)
    if not inspect(runtime.engine).has_table(SpotCheckDraw.__tablename__):
        raise ConfigError(
            Message(N_("The database has no draw tables yet; run `dudao init` first."))
        )
    return runtime.session_factory


def _actor(session: Session, username: str) -> User:
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        raise NotFound(Message(N_("No account named %(name)r."), name=username))
    return user


@draw_group.command("create", help="Draw units and inspectors, create the inspections.")
@click.option("--as", "username", required=True, help="Office account acting (needs the scope).")
@click.option("--title", required=True)
@click.option("--definition", "definition_key", required=True, help="Checklist key.")
@click.option("--scope", "scope_code", required=True, help="Code of the unit whose subtree.")
@click.option("--count", type=int, help="How many units.")
@click.option("--fraction", help="Or what fraction of the eligible units, e.g. 0.2.")
@click.option("--level", "levels", multiple=True, help="Unit levels to draw from (default branch).")
@click.option("--stratify", is_flag=True, help="Allocate proportionally to each company.")
@click.option("--weighting", is_flag=True, help="Weight up open flags and poor recent scores.")
@click.option("--exclude-recent", type=int, default=0, help="Skip units inspected in N periods.")
@click.option("--period", type=click.Choice(["month", "quarter", "year"]), default="quarter")
@click.option("--inspectors", "per_unit", type=int, default=2, help="Inspectors per inspection.")
@click.option("--pool", multiple=True, help="Only these inspectors (usernames).")
@click.option("--due", type=click.DateTime(["%Y-%m-%d"]), required=True, help="YYYY-MM-DD")
@click.option("--seed", help="Seed text (default: 128 random bits).")
@click.option("--publish", is_flag=True, help="Publish at once.")
@with_appcontext
def create_command(
    username: str, title: str, definition_key: str, scope_code: str, count: int | None,
    fraction: str | None, levels: tuple[str, ...], stratify: bool, weighting: bool,
    exclude_recent: int, period: str, per_unit: int, pool: tuple[str, ...], due: object,
    seed: str | None, publish: bool,
) -> None:  # fmt: skip
    params = {
        "count": count, "fraction": fraction, "levels": list(levels), "stratify": stratify,
        "weighting": weighting, "exclude_recent_periods": exclude_recent, "period": period,
        "inspectors_per_inspection": per_unit, "pool": list(pool),
    }  # fmt: skip
    with transaction(_session_factory()) as session:
        actor = _actor(session, username)
        scope = by_code(session, scope_code)
        if scope is None:
            raise NotFound(Message(N_("No unit with the code %(code)r."), code=scope_code))
        due_date: date = due.date()  # type: ignore[attr-defined]
        made = create_draw(session, actor, title, definition_key, scope, params, due_date, seed)
        if publish:
            publish_draw(session, actor, made)
        draw_id, drawn, hash_ = made.id, len(made.result["selected"]), made.result_hash
        used_seed = made.seed
    click.echo(
        f"Draw {draw_id}: {_count(drawn, 'inspection')}; seed {used_seed}; result SHA-256 {hash_}"
    )


def _count(number: int, noun: str) -> str:
    """'1 unit', '2 units': the CLI's lines read as English."""
    return f"{number} {noun}{'' if number == 1 else 's'}"


@draw_group.command("publish", help="Publish draw DRAW_ID on the publication page.")
@click.argument("draw_id", type=int)
@click.option("--as", "username", required=True, help="Office account acting.")
@with_appcontext
def publish_command(draw_id: int, username: str) -> None:
    with transaction(_session_factory()) as session:
        made = session.get(SpotCheckDraw, draw_id)
        if made is None:
            raise NotFound(Message(N_("No draw %(id)d."), id=draw_id))
        changed = publish_draw(session, _actor(session, username), made)
    click.echo(f"Draw {draw_id} {'published' if changed else 'was already published'}.")


@draw_group.command(
    "verify", help="Recompute DRAW_ID from its stored inputs; exit 1 if it differs."
)
@click.argument("draw_id", type=int)
@with_appcontext
def verify_command(draw_id: int) -> None:
    with _session_factory()() as session:
        matches, details = verify_draw(session, draw_id)
    for line in details:
        click.echo(line)
    if not matches:
        raise SystemExit(1)


@draw_group.command("list", help="Every draw, newest first.")
@with_appcontext
def list_command() -> None:
    with _session_factory()() as session:
        draws = session.scalars(select(SpotCheckDraw).order_by(SpotCheckDraw.id.desc())).all()
        for made in draws:
            state = "published" if made.published else "not published"
            click.echo(
                f"{made.id}\t{made.created_at:%Y-%m-%d}\t{made.inputs['scope']['code']}\t"
                f"{_count(len(made.result['selected']), 'unit')}\t{state}\t{made.title}"
            )
    if not draws:
        click.echo("No draws yet.")
