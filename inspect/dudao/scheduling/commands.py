"""`dudao schedules sync|run|list` and `dudao inspections create` (ad hoc)."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from dudao.core.database import check_database, transaction
from dudao.core.errors import N_, Message
from dudao.core.language import translations
from dudao.core.runtime import Runtime
from dudao.scheduling.loader import ScheduleFileError
from dudao.scheduling.services import SCHEDULES_DIR, SyncReport, sync_schedules


def _runtime() -> Runtime:
    return current_app.extensions["dudao"]


def sync_folder(runtime: Runtime, *, skip_unresolved: bool = False) -> SyncReport:
    """Sync workflows/schedules/ in one transaction, or print every problem and stop."""
    check_database(runtime.engine)
    try:
        with transaction(runtime.session_factory) as session:
            report = sync_schedules(session, None, SCHEDULES_DIR, skip_unresolved=skip_unresolved)
    except ScheduleFileError as exc:
        for problem in exc.problems:
            click.echo(str(problem), err=True)
        count = len(exc.problems)
        text = translations().ngettext(
            "%(count)d problem in the schedules; nothing was synced.",
            "%(count)d problems in the schedules; nothing was synced.",
            count,
        )
        raise click.ClickException(text % {"count": count}) from exc
    for problem in report.skipped:
        click.echo(f"{problem} (schedule skipped)", err=True)
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
@with_appcontext
def schedules_sync(skip_unresolved: bool) -> None:
    click.echo(sync_folder(_runtime(), skip_unresolved=skip_unresolved).summary())


@schedules_group.command("run", help="Create the due periodic inspections now (idempotent).")
@click.option(
    "--until",
    type=click.DateTime(["%Y-%m-%d"]),
    default=None,
    help="Materialise periods up to this date (default: today in DUDAO_TIMEZONE).",
)
@with_appcontext
def schedules_run(until: object) -> None:
    from dudao.scheduling.materialise import materialise_all

    runtime = _runtime()
    check_database(runtime.engine)
    day = until.date() if until is not None else None  # type: ignore[attr-defined]
    report = materialise_all(runtime.session_factory, runtime.settings.timezone, day)
    click.echo(report.summary())


@schedules_group.command("list", help="Every schedule with its next occurrences.")
@with_appcontext
def schedules_list() -> None:
    from sqlalchemy import select

    from dudao.scheduling.models import Schedule
    from dudao.scheduling.recurrence import RecurrenceError, org_today, upcoming

    runtime = _runtime()
    with runtime.session_factory() as session:
        today = org_today(session)
        for schedule in session.scalars(select(Schedule).order_by(Schedule.key)):
            try:
                dates = ", ".join(
                    d.isoformat() for d in upcoming(schedule.rrule, schedule.dtstart, today, 3)
                )
            except RecurrenceError as exc:
                dates = f"(invalid rule: {exc})"
            state = "active" if schedule.active else "inactive"
            click.echo(f"{schedule.key} [{state}] {schedule.scope_unit.code} next: {dates}")


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
@click.option("--inspector", "inspectors", multiple=True, help="Username; repeat for several.")
@with_appcontext
def inspections_create(
    unit_code: str,
    subtree: bool,
    levels: tuple[str, ...],
    definition_key: str,
    due: object,
    reason: str,
    inspectors: tuple[str, ...],
) -> None:
    from dudao.core.enums import UnitLevel
    from dudao.core.errors import NotFound
    from dudao.org.queries import by_code
    from dudao.scheduling.services import create_ad_hoc

    allowed = {level.value for level in UnitLevel}
    for level in levels:
        if level not in allowed:
            raise click.BadParameter(f"{level!r} is not one of {', '.join(sorted(allowed))}.")
    runtime = _runtime()
    check_database(runtime.engine)
    with transaction(runtime.session_factory) as session:
        root = by_code(session, unit_code)
        if root is None:
            raise NotFound(Message(N_("No unit with the code %(code)r."), code=unit_code))
        created = create_ad_hoc(
            session, None, root, definition_key, due.date(), reason,  # type: ignore[attr-defined]
            subtree=subtree, levels=levels, inspectors=inspectors,
        )  # fmt: skip
        ids = [inspection.id for inspection in created]
        assigned = sum(1 for inspection in created if inspection.assignments)
    click.echo(
        f"Created {len(ids)} ad hoc inspection(s) ({assigned} with inspectors): "
        + ", ".join(f"#{i}" for i in ids[:20])
        + (" ..." if len(ids) > 20 else "")
    )
