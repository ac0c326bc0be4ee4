"""Schedules for the office: list with next dates, edit (optimistic lock), (de)activate,
and ad hoc inspections for a unit or a subtree."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import get_translations
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response
from wtforms import Field

from dudao.core.permissions import Permission, can, scope_paths
from dudao.definitions.models import FormDefinition
from dudao.definitions.queries import titles
from dudao.org.forms import split_tags
from dudao.org.models import Unit
from dudao.org.queries import by_code
from dudao.scheduling import queries
from dudao.scheduling.forms import ActiveForm, ScheduleForm, split_names
from dudao.scheduling.loader import too_many_per_inspection
from dudao.scheduling.models import Schedule
from dudao.scheduling.queries import Backlog
from dudao.scheduling.recurrence import RecurrenceError, org_today, upcoming
from dudao.scheduling.rule_words import rule_in_words
from dudao.scheduling.services import update_schedule
from dudao.web.access import require_on, requires
from dudao.web.context import db
from dudao.web.setup import select_locale
from dudao.workflow.engine import Conflict

bp = Blueprint("scheduling", __name__, template_folder="templates")

Page = str | tuple[str, int] | Response
MANAGE = Permission.MANAGE_SCHEDULES


def _next(rule: str, start: date | None, count: int) -> list[date]:
    if not rule or start is None:
        return []
    try:
        return upcoming(rule, start, org_today(db()), count)
    except RecurrenceError:
        return []


def _add(field: Field, problem: str) -> None:
    field.errors = [*field.errors, problem]


def _preview(form: ScheduleForm) -> list[date]:
    """The next five dates of the rule typed; a rule that cannot give them because it is
    wrong is said beside its field (a preview checks nothing else)."""
    if form.rrule.errors or not form.rrule.data or form.dtstart.data is None:
        return []
    try:
        return upcoming(form.rrule.data, form.dtstart.data, org_today(db()), 5)
    except RecurrenceError as exc:
        _add(form.rrule, exc.message.in_language(get_translations()))
        return []


def _covered(form: ScheduleForm) -> int | None:
    """How many units each period of the schedule as typed inspects (its scope, levels,
    tags and exclusions together), or None while its scope is no unit one manages."""
    scope = unit_in_scope(form.scope_code.data or "")
    if scope is None:
        return None
    levels, tags = list(form.levels.data or []), split_tags(form.tags.data)
    return len(queries.target_units(db(), scope, levels, tags, split_names(form.exclude.data)))


def _schedule(schedule_id: int) -> Schedule:
    found = db().get(Schedule, schedule_id)
    require_on(MANAGE, found.scope_unit if found else None)
    assert found is not None
    return found


def checklist_choices() -> list[tuple[str, str]]:
    rows = (
        db()
        .execute(
            select(FormDefinition.key, FormDefinition.title_zh, FormDefinition.title_en)
            .where(FormDefinition.kind == "checklist", FormDefinition.retired.is_(False))
            .order_by(FormDefinition.key)
        )
        .all()
    )
    return [(key, f"{zh} ({key})") for key, zh, _en in rows]


def unit_in_scope(code: str) -> Unit | None:
    """The unit with `code` inside the viewer's scope; outside is answered as unknown."""
    unit = by_code(db(), code.strip())
    return unit if unit is not None and can(current_user, MANAGE, unit) else None


@bp.get("/schedules")
@requires(MANAGE)
def index() -> str:
    schedules = queries.schedules_in_scope(db(), scope_paths(current_user, MANAGE))
    counts = queries.inspections_count(db(), [s.id for s in schedules])
    rows = [
        (s, _next(s.rrule, s.dtstart, 3), counts.get(s.id, 0), rule_in_words(s.rrule, s.dtstart))
        for s in schedules
    ]
    checklists = titles(db(), [s.definition_key for s in schedules], select_locale())
    return render_template("scheduling/index.html", rows=rows, titles=checklists)


def _fill(form: ScheduleForm, schedule: Schedule) -> None:
    policy = schedule.assignment or {}
    form.version.data = str(schedule.version)
    form.name.data = schedule.name
    form.definition_key.data = schedule.definition_key
    form.scope_code.data = schedule.scope_unit.code
    form.levels.data = list(schedule.levels or [])
    form.tags.data = "; ".join(schedule.tags or [])
    form.exclude.data = ", ".join(schedule.exclude_codes or [])
    form.rrule.data = schedule.rrule
    form.dtstart.data = schedule.dtstart
    form.window_days.data = schedule.window_days
    form.policy.data = policy.get("policy", "pool")
    form.people.data = ", ".join(policy.get("inspectors") or policy.get("pool") or [])
    form.count.data = policy.get("count") or form.count.default


def _values(form: ScheduleForm) -> dict[str, object] | None:
    """The stored values, or None after putting the problems beside their fields: those the
    database finds (scope, excluded codes, people) too when the form's own checks failed,
    so that one submit shows every problem."""
    valid = form.validate()
    scope = unit_in_scope(form.scope_code.data or "")
    if scope is None and form.scope_code.data:
        _add(form.scope_code, _("No unit with this code in the part you manage."))
    excluded = split_names(form.exclude.data)
    known = {u.code for u in db().scalars(select(Unit).where(Unit.code.in_(excluded)))}
    if set(excluded) - known:
        missing = _(", ").join(sorted(set(excluded) - known))
        _add(form.exclude, _("Unknown unit codes: %(codes)s", codes=missing))
    names = split_names(form.people.data) if form.policy.data != "unit_lead" else []
    not_inspectors = queries.inspector_problem(db(), names, scope)
    if not_inspectors:
        _add(form.people, not_inspectors.in_language(get_translations()))
    if form.policy.data == "pool" and names and (form.count.data or 0) > len(names):
        _add(form.count, too_many_per_inspection(len(names)).in_language(get_translations()))
    if not valid or scope is None or form.errors:
        return None
    return {
        "name": form.name.data.strip(),
        "definition_key": form.definition_key.data,
        "scope_unit_id": scope.id,
        "levels": list(form.levels.data or []),
        "tags": split_tags(form.tags.data),
        "exclude_codes": excluded,
        "rrule": form.rrule.data.strip(),
        "dtstart": form.dtstart.data,
        "window_days": form.window_days.data,
        "assignment": form.assignment(),
    }


@bp.route("/schedules/<int:schedule_id>/edit", methods=["GET", "POST"])
@requires(MANAGE)
def edit(schedule_id: int) -> Page:
    schedule = _schedule(schedule_id)
    form = ScheduleForm(definitions=checklist_choices())
    if not form.is_submitted():
        _fill(form, schedule)
    status, backlog = 200, Backlog()
    if form.is_submitted() and "preview" not in request.form:
        values = _values(form)
        version = form.version.data
        ahead = _unconfirmed(schedule, version, values) if values is not None else Backlog()
        if ahead.inspections:
            backlog = ahead  # told, with a button to confirm; not saved yet
        elif values is not None:
            try:
                update_schedule(db(), current_user, schedule, version, values)
            except Conflict:
                db().rollback()
                flash(
                    _(
                        "Someone else changed this schedule meanwhile. Reload it to see "
                        "their version, then make your change again."
                    ),
                    "error",
                )
                status = 409
            else:
                db().commit()
                flash(_("Schedule saved."), "success")
                return redirect(url_for("scheduling.index"))
    preview = _preview(form)
    words = rule_in_words(form.rrule.data, form.dtstart.data) if preview else None
    if form.errors and status == 200:
        status = 422
    return render_template(
        "scheduling/edit.html", form=form, schedule=schedule, preview=preview, words=words,
        backlog=backlog, covered=_covered(form),
    ), status  # fmt: skip


def _unconfirmed(
    schedule: Schedule, version: int, values: dict[str, object] | None = None
) -> Backlog:
    """What saving `values` (or activating) makes the next run create at once, unless the
    office confirmed these very numbers; nothing for an edit of an inactive schedule, nor
    from a stale version (refused as changed meanwhile, not asked about)."""
    if version != schedule.version or (values is not None and not schedule.active):
        return Backlog()
    ahead = queries.backlog(db(), schedule, org_today(db()), values)
    return Backlog() if request.form.get("confirm") == ahead.token else ahead


@bp.post("/schedules/<int:schedule_id>/active")
@requires(MANAGE)
def set_active(schedule_id: int) -> Page:
    schedule = _schedule(schedule_id)
    form = ActiveForm()
    active = request.form.get("active") == "1"
    asks = active and not schedule.active
    backlog = _unconfirmed(schedule, form.version.data) if asks else Backlog()
    if backlog.inspections:
        return render_template(
            "scheduling/activate.html", form=form, schedule=schedule, backlog=backlog
        )
    try:
        update_schedule(db(), current_user, schedule, form.version.data, {"active": active})
    except Conflict:
        db().rollback()
        flash(_("Someone else changed this schedule meanwhile; try again."), "error")
    else:
        db().commit()
        flash(_("Schedule activated.") if active else _("Schedule deactivated."), "success")
    return redirect(url_for("scheduling.index"))
