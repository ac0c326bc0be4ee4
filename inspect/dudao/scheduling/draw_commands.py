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
from dudao.core.errors import N_, ConfigError, Message, NotFound, Plural
from dudao.core.language import language_option, say, spoken
from dudao.org.queries import by_code
from dudao.scheduling.draw_params import DrawRefused
from dudao.scheduling.draw_services import create_draw, publish_draw, record_refused
from dudao.scheduling.draw_verification import verify_draw
from dudao.scheduling.forms import split_names
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
        raise NotFound(Message(N_("No account named '%(name)s'."), name=username))
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
@click.option(
    "--pool",
    multiple=True,
    help="Only these inspectors (usernames; repeat, or separate with commas).",
)
@click.option("--due", type=click.DateTime(["%Y-%m-%d"]), required=True, help="YYYY-MM-DD")
@click.option("--seed", help="Seed text (default: 128 random bits).")
@click.option("--publish", is_flag=True, help="Publish at once.")
@language_option
@with_appcontext
def create_command(
    username: str, title: str, definition_key: str, scope_code: str, count: int | None,
    fraction: str | None, levels: tuple[str, ...], stratify: bool, weighting: bool,
    exclude_recent: int, period: str, per_unit: int, pool: tuple[str, ...], due: object,
    seed: str | None, publish: bool, lang: str,
) -> None:  # fmt: skip
    params = {
        "count": count, "fraction": fraction, "levels": list(levels), "stratify": stratify,
        "weighting": weighting, "exclude_recent_periods": exclude_recent, "period": period,
        "inspectors_per_inspection": per_unit,
        "pool": [name for given in pool for name in split_names(given)],
    }  # fmt: skip
    factory = _session_factory()
    try:
        with transaction(factory) as session:
            actor = _actor(session, username)
            scope = by_code(session, scope_code)
            if scope is None:
                raise NotFound(Message(N_("No unit with the code '%(code)s'."), code=scope_code))
            due_date: date = due.date()  # type: ignore[attr-defined]
            made = create_draw(session, actor, title, definition_key, scope, params, due_date, seed)
            if publish:
                publish_draw(session, actor, made)
            draw_id, drawn, hash_ = made.id, len(made.result["selected"]), made.result_hash
            used_seed = made.seed
    except DrawRefused as refused:  # rolled back; the attempt alone goes on record
        with transaction(factory) as session:
            record_refused(session, _actor(session, username), refused)
        on_record = Message(N_("Refused with the seed %(seed)s; the attempt is recorded in the "
                               "audit log."), seed=refused.attempt["seed"])  # fmt: skip
        say(on_record, lang, err=True)
        raise
    made_line = Plural("Draw %(id)d: %(num)d inspection; seed %(seed)s; result SHA-256 %(hash)s",
                       "Draw %(id)d: %(num)d inspections; seed %(seed)s; result SHA-256 %(hash)s",
                       num=drawn, id=draw_id, seed=used_seed, hash=hash_)  # fmt: skip
    say(made_line, lang)


@draw_group.command("publish", help="Publish draw DRAW_ID on the publication page.")
@click.argument("draw_id", type=int)
@click.option("--as", "username", required=True, help="Office account acting.")
@language_option
@with_appcontext
def publish_command(draw_id: int, username: str, lang: str) -> None:
    with transaction(_session_factory()) as session:
        made = session.get(SpotCheckDraw, draw_id)
        if made is None:
            raise NotFound(Message(N_("No draw %(id)d."), id=draw_id))
        changed = publish_draw(session, _actor(session, username), made)
    done = N_("Draw %(id)d published.") if changed else N_("Draw %(id)d was already published.")
    say(Message(done, id=draw_id), lang)


@draw_group.command(
    "verify", help="Recompute DRAW_ID from its stored inputs; exit 1 if it differs."
)
@click.argument("draw_id", type=int)
@language_option
@with_appcontext
def verify_command(draw_id: int, lang: str) -> None:
    with _session_factory()() as session:
        verification = verify_draw(session, draw_id)
    for line in verification.details:
        say(line, lang)
    if not verification.ok:
        raise SystemExit(1)


@draw_group.command("list", help="Every draw, newest first.")
@language_option
@with_appcontext
def list_command(lang: str) -> None:
    with _session_factory()() as session:
        draws = session.scalars(select(SpotCheckDraw).order_by(SpotCheckDraw.id.desc())).all()
        for made in draws:
            units = Plural("%(num)d unit", "%(num)d units", num=len(made.result["selected"]))
            state = Message(N_("published") if made.published else N_("not published"))
            cells = [str(made.id), f"{made.created_at:%Y-%m-%d}", made.inputs["scope"]["code"],
                     spoken(units, lang), spoken(state, lang), made.title]  # fmt: skip
            click.echo("\t".join(cells))
    if not draws:
        say(Message(N_("No draws yet.")), lang)
