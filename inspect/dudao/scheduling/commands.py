"""`dudao schedules sync|run|list` and `dudao inspections create` (ad hoc)."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from dudao.core.database import check_database, transaction
from dudao.core.errors import N_, Message, Plural, name_list
from dudao.core.language import DEFAULT_LOCALE, language_option, refuse_located, say, spoken
from dudao.core.runtime import Runtime
from dudao.scheduling.loader import ScheduleFileError
from dudao.scheduling.services import SCHEDULES_DIR, SyncReport, sync_schedules


def _runtime() -> Runtime:
    return current_app.extensions["dudao"]


def sync_folder(
    runtime: Runtime, *, skip_unresolved: bool = False, lang: str = DEFAULT_LOCALE
) -> SyncReport:
    """Sync workflows/schedules/ in one transaction, or print every problem (in `lang`)
    and stop."""
    check_database(runtime.engine)
    try:
        with transaction(runtime.session_factory) as session:
            report = sync_schedules(session, None, SCHEDULES_DIR, skip_unresolved=skip_unresolved)
    except ScheduleFileError as exc:
        counted = Plural("%(num)d problem in the schedules; nothing was synced.",
                         "%(num)d problems in the schedules; nothing was synced.",
                         num=len(exc.problems))  # fmt: skip
        refuse_located(exc.problems, counted, lang)
    for problem in report.skipped:
        skipped = Message(N_("%(problem)s (schedule skipped)"), problem=problem.as_message())
        say(skipped, lang, err=True)
    return report


@click.group("schedules", help="Periodic inspection schedules (workflows/schedules/).")
def schedules_group() -> None:
    pass


@schedules_group.command("sync", help="Load workflows/schedules/*.yaml into the database.")
@click.option(
    "--skip-unresolved",
    is_flag=True,
    help="Skip (and list) schedules naming units, definitions or accounts not in the database.",
)
@language_option
@with_appcontext
def schedules_sync(skip_unresolved: bool, lang: str) -> None:
    say(sync_folder(_runtime(), skip_unresolved=skip_unresolved, lang=lang).summary(), lang)


@schedules_group.command("run", help="Create the due periodic inspections now (idempotent).")
@click.option(
    "--until",
    type=click.DateTime(["%Y-%m-%d"]),
    default=None,
    help="Materialise periods up to this date (default: today in DUDAO_TIMEZONE).",
)
@language_option
@with_appcontext
def schedules_run(until: object, lang: str) -> None:
    from dudao.scheduling.materialise import materialise_all

    runtime = _runtime()
    check_database(runtime.engine)
    day = until.date() if until is not None else None  # type: ignore[attr-defined]
    report = materialise_all(runtime.session_factory, runtime.settings.timezone, day)
    say(report.summary(), lang)
    for problem in report.problems:
        click.echo(f"  {spoken(problem, lang)}")


@schedules_group.command("list", help="Every schedule with its next occurrences.")
@language_option
@with_appcontext
def schedules_list(lang: str) -> None:
    from sqlalchemy import select

    from dudao.scheduling.models import Schedule
    from dudao.scheduling.recurrence import RecurrenceError, org_today, upcoming

    runtime = _runtime()
    with runtime.session_factory() as session:
        today = org_today(session)
        for schedule in session.scalars(select(Schedule).order_by(Schedule.key)):
            try:
                days = upcoming(schedule.rrule, schedule.dtstart, today, 3)
                dates: object = name_list(day.isoformat() for day in days)
            except RecurrenceError as exc:
                dates = Message(N_("(invalid rule: %(problem)s)"), problem=exc.message)
            state = Message(N_("active") if schedule.active else N_("inactive"))
            line = Message(N_("%(key)s [%(state)s] %(unit)s next: %(dates)s"), key=schedule.key,
                           state=state, unit=schedule.scope_unit.code, dates=dates)  # fmt: skip
            say(line, lang)


@click.group("inspections", help="Inspections (ad hoc creation).")
def inspections_group() -> None:
    pass


@inspections_group.command("create", help="Create ad hoc inspections for a unit or its subtree.")
@click.option("--unit", "unit_code", required=True, help="Code of the unit (or subtree root).")
@click.option("--subtree", is_flag=True, help="One inspection for each active unit below too.")
@click.option("--level", "levels", multiple=True, help="With --subtree: only units of this level.")
@click.option("--definition", "definition_key", required=True, help="Checklist key.")
@click.option("--due", required=True, type=click.DateTime(["%Y-%m-%d"]), help="Due date.")
@click.option("--reason", required=True, help="Why this inspection is needed.")
@click.option(
    "--inspector",
    "inspectors",
    multiple=True,
    help="Username; repeat for several, or separate them with commas.",
)
@language_option
@with_appcontext
def inspections_create(
    unit_code: str,
    subtree: bool,
    levels: tuple[str, ...],
    definition_key: str,
    due: object,
    reason: str,
    inspectors: tuple[str, ...],
    lang: str,
) -> None:
    from dudao.core.errors import DudaoError, NotFound
    from dudao.org.queries import by_code
    from dudao.scheduling.ad_hoc import create_ad_hoc
    from dudao.scheduling.forms import split_names

    runtime = _runtime()
    check_database(runtime.engine)
    try:
        with transaction(runtime.session_factory) as session:
            root = by_code(session, unit_code)
            if root is None:
                raise NotFound(Message(N_("No unit with the code '%(code)s'."), code=unit_code))
            created = create_ad_hoc(
                session, None, root, definition_key, due.date(), reason,  # type: ignore[attr-defined]
                subtree=subtree, levels=levels,
                inspectors=[name for given in inspectors for name in split_names(given)],
            )  # fmt: skip
            ids = [inspection.id for inspection in created]
            assigned = sum(1 for inspection in created if inspection.assignments)
    except DudaoError as exc:  # a refusal (an unknown level too) in the language asked for
        raise click.ClickException(spoken(exc.message, lang)) from exc
    listed = name_list([f"#{i}" for i in ids[:20]] + (["..."] if len(ids) > 20 else []))
    done = Plural("Created %(num)d ad hoc inspection (%(assigned)d with inspectors): %(ids)s",
                  "Created %(num)d ad hoc inspections (%(assigned)d with inspectors): %(ids)s",
                  num=len(ids), assigned=assigned, ids=listed)  # fmt: skip
    say(done, lang)
