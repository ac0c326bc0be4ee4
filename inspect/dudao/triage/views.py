"""Flag queue and flag page: the office triages what trend detection found (every state
change through the flag-triage workflow, so it is audited and optimistically locked)."""

from __future__ import annotations

from datetime import date
from functools import partial
from urllib.parse import parse_qsl, urlencode

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import get_translations, ngettext
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response

from dudao.core.errors import PermissionDenied, ValidationError
from dudao.core.permissions import Permission, scope_paths
from dudao.inspections.submissions import FieldErrors, SubmissionConflict
from dudao.scheduling.recurrence import org_today
from dudao.trends.config import SEVERITIES
from dudao.trends.models import Flag
from dudao.triage import evidence, pages, queries, queue_args, rectify, saved_filters
from dudao.triage import evidence_labels as labels
from dudao.triage.evidence_periods import marked
from dudao.triage.forms import CommentForm, RectifyForm, SaveFilterForm
from dudao.triage.services import (
    add_comment,
    bulk_apply,
    bulk_assign,
    set_assignee,
)
from dudao.web.access import get_on, requires
from dudao.web.context import db
from dudao.web.form_errors import place_problems
from dudao.web.setup import select_locale
from dudao.workflow import engine
from dudao.workflow.actions import act_from_form
from dudao.workflow.registry import get_workflow

bp = Blueprint("triage", __name__, template_folder="templates")

Page = pages.Page


def _changed() -> str:
    return _("This flag was changed by someone else meanwhile. Here it is as it is now; "
             "check it and try again.")  # fmt: skip


@bp.context_processor
def _helpers() -> dict[str, object]:
    return {
        "rule_label": evidence.rule_label,
        "severity_label": lambda s: str(labels.SEVERITY_LABELS.get(s, s)),
    }


def _queue_page(
    args: MultiDict[str, str], save_form: SaveFilterForm | None = None, status: int = 200
) -> Page:
    """The queue for the filter in `args` (a bad argument left out and named beside its
    field); `save_form` carries a refused name's errors."""
    read = queue_args.read(args)
    filters = read.filters
    paths = scope_paths(current_user, Permission.VIEW_OFFICE)
    result = queries.queue(db(), paths, filters)
    named = queries.users_by_id(db(), {f.assignee_id for f in result.rows if f.assignee_id})
    query = saved_filters.normalise(urlencode(list(args.items(multi=True))))
    save_form = save_form or SaveFilterForm(formdata=None, query=query)
    people = queries.office_users(db(), paths)
    if read.assignee is not None and read.assignee not in people:
        people.append(read.assignee)  # flags given to someone who no longer holds the role
    now, zone = pages.clock()
    locale = select_locale()
    return render_template(
        "triage/queue.html", result=result, filters=filters, typed=read.typed,
        errors=read.errors, workflow=get_workflow("flag_triage"), severities=SEVERITIES,
        rules=queue_args.rules(), sorts=queries.SORTS, locale=locale,
        sentence=partial(evidence.sentence, known=evidence.names(db(), result.rows, locale)),
        marked=marked,
        people=people, named=named,
        saved=saved_filters.for_user(db(), current_user.id), current_query=query,
        save_form=save_form, ages={f.id: pages.age(f, now, zone) for f in result.rows},
    ), status  # fmt: skip


@bp.get("/flags")
@requires(Permission.VIEW_OFFICE)
def queue() -> Page:
    return _queue_page(request.args)


def _ticked() -> tuple[list[Flag], dict[int, int], str]:
    """The ticked flags in scope, the versions the page showed, and where to go back to."""
    ids = [int(v) for v in request.form.getlist("flag") if v.isdigit()]
    versions = {
        i: int(request.form[f"v{i}"]) for i in ids if request.form.get(f"v{i}", "").isdigit()
    }
    back = request.form.get("back", "")
    target = back if back.startswith("/flags") else url_for("triage.queue")
    flags = queries.in_scope(db(), scope_paths(current_user, Permission.VIEW_OFFICE), ids)
    return flags, versions, target


def _changed_meanwhile(target: str) -> Response:
    db().rollback()
    flash(_("Some flags were changed by someone else meanwhile; nothing was done. "
            "Check the list and try again."), "error")  # fmt: skip
    return redirect(target)


@bp.post("/flags/acknowledge")
@requires(Permission.VIEW_OFFICE)
def bulk_acknowledge() -> Page:
    """Acknowledge the ticked flags in one transaction; refusals are reported per reason."""
    flags, versions, target = _ticked()
    if not flags:
        flash(_("Tick the flags to acknowledge."), "error")
        return redirect(target)
    try:
        result = bulk_apply(db(), current_user, flags, "acknowledge", versions)
    except engine.Conflict:
        return _changed_meanwhile(target)
    db().commit()
    if result.done:
        flash(ngettext("Acknowledged %(num)d flag.", "Acknowledged %(num)d flags.",
                       len(result.done)), "success")  # fmt: skip
    pages.flash_skipped(result, "acknowledge")
    return redirect(target)


@bp.post("/flags/assign")
@requires(Permission.VIEW_OFFICE)
def bulk_assign_view() -> Page:
    """Give the ticked flags to one office user (or to nobody) in one transaction."""
    flags, versions, target = _ticked()
    raw = request.form.get("assignee", "")
    people = {u.id: u for u in queries.office_users(db(), [f.unit.path for f in flags])}
    if not flags or raw not in {"none", *map(str, people)}:
        flash(_("Tick the flags and choose whom to give them to."), "error")
        return redirect(target)
    person = people.get(int(raw)) if raw.isdigit() else None
    try:
        result = bulk_assign(db(), current_user, flags, person, versions)
    except engine.Conflict:
        return _changed_meanwhile(target)
    db().commit()
    if result.done:
        who = person.display_name if person is not None else _("nobody")
        flash(ngettext("Gave %(num)d flag to %(name)s.", "Gave %(num)d flags to %(name)s.",
                       len(result.done), name=who), "success")  # fmt: skip
    pages.flash_skipped(result, "assign", person)
    return redirect(target)


@bp.post("/flags/filters")
@requires(Permission.VIEW_OFFICE)
def save_filter() -> Page:
    """Save the queue's current filter under a name; errors re-render beside the field."""
    form = SaveFilterForm()
    query = saved_filters.normalise(form.query.data or "")
    if queue_args.read(MultiDict(parse_qsl(query))).errors:
        # The bad arguments are named beside their fields by the page below.
        form.name.errors = [_("Correct the filter first: it has a value the queue does not know.")]
    elif form.validate():
        try:
            saved_filters.save_filter(db(), current_user.id, form.name.data, query)
        except ValidationError as exc:
            db().rollback()
            # the name field says what is wrong with the filter too: it is the form's one field
            place_problems(exc, {"name": form.name, "query": form.name}, rest=form.name)
        else:
            db().commit()
            flash(_("Filter saved."), "success")
            return redirect(url_for("triage.queue") + (f"?{query}" if query else ""))
    return _queue_page(MultiDict(parse_qsl(query)), form, 422)


@bp.post("/flags/filters/<int:filter_id>/delete")
@requires(Permission.VIEW_OFFICE)
def delete_filter(filter_id: int) -> Response:
    if saved_filters.delete_filter(db(), current_user.id, filter_id):
        db().commit()
        flash(_("Filter deleted."), "success")
    else:
        flash(_("That filter no longer exists."), "error")
    return redirect(url_for("triage.queue"))


def _flag(flag_id: int) -> Flag:
    """The flag, or 404 when it is missing or its unit lies outside the viewer's scope."""
    return get_on(Permission.VIEW_OFFICE, Flag, flag_id)


@bp.get("/flags/<int:flag_id>")
@requires(Permission.VIEW_OFFICE)
def show(flag_id: int) -> Page:
    return pages.render_flag(_flag(flag_id))


@bp.post("/flags/<int:flag_id>/act")
@requires(Permission.VIEW_OFFICE)
def act(flag_id: int) -> Page:
    flag = _flag(flag_id)
    return act_from_form(
        flag,
        lambda forms, status: pages.render_flag(_flag(flag_id), forms, status=status),
        url_for("triage.show", flag_id=flag.id),
        _changed(),
        lambda state: _("Done. The flag is now: %(state)s", state=state),
    )


@bp.post("/flags/<int:flag_id>/assign")
@requires(Permission.VIEW_OFFICE)
def assign(flag_id: int) -> Page:
    """Give the flag to an office user who can act on it (or to nobody), with a deadline."""
    flag = _flag(flag_id)
    candidates = {u.id: u for u in queries.office_users(db(), [flag.unit.path])}
    raw = request.form.get("assignee", "")
    version = request.form.get("expected_version", "")
    due_raw = (request.form.get("due_date") or "").strip()
    try:
        due = date.fromisoformat(due_raw) if due_raw else None
    except ValueError:
        due = None
        flash(_("Give the deadline as a date."), "error")
        return pages.render_flag(flag, status=422)
    # A deadline already set may have passed since; a new one cannot lie in the past.
    if due is not None and due != flag.due_date and due < org_today(db()):
        flash(_("The deadline is in the past."), "error")
        return pages.render_flag(flag, status=422)
    if (raw and (not raw.isdigit() or int(raw) not in candidates)) or not version.isdigit():
        flash(_("Choose someone from the list."), "error")
        return pages.render_flag(flag, status=422)
    try:
        set_assignee(db(), current_user, flag, candidates.get(int(raw)) if raw else None,
                     int(version), due)  # fmt: skip
    except engine.Conflict:
        db().rollback()
        flash(_changed(), "error")
        return pages.render_flag(_flag(flag_id), status=409)
    db().commit()
    flash(_("Assignee saved."), "success")
    return redirect(url_for("triage.show", flag_id=flag.id))


@bp.post("/flags/<int:flag_id>/comment")
@requires(Permission.VIEW_OFFICE)
def comment(flag_id: int) -> Page:
    """A note in the flag's history; it changes no state."""
    flag = _flag(flag_id)
    form = CommentForm()
    if not form.validate():
        return pages.render_flag(flag, {"_comment": form}, status=422)
    try:
        add_comment(db(), current_user, flag, form.comment.data)
    except PermissionDenied:
        db().rollback()
        return pages.render_flag(flag, status=403)
    db().commit()
    flash(_("Comment added."), "success")
    return redirect(url_for("triage.show", flag_id=flag.id))


@bp.post("/flags/<int:flag_id>/rectify")
@requires(Permission.VIEW_OFFICE)
def open_rectification(flag_id: int) -> Page:
    """Open a rectification task for one of the units behind the flag."""
    flag = _flag(flag_id)
    form = RectifyForm()
    form.unit.choices = [(i, "") for i in rectify.findings_by_unit(db(), flag)]
    if not form.unit.choices:
        flash(_("No unit behind this flag is left without an open rectification task."), "error")
        return pages.render_flag(flag, status=422)
    if form.validate() and form.deadline.data < org_today(db()):
        form.deadline.errors = [_("The deadline is in the past.")]
    elif form.validate():
        try:
            task = rectify.open_for_flag(db(), current_user, flag, form.unit.data,
                                         form.deadline.data, form.description.data)  # fmt: skip
        except PermissionDenied:
            db().rollback()
            return pages.render_flag(flag, status=403)
        except SubmissionConflict:
            db().rollback()
            form.unit.errors = [_("This unit already has an open rectification task for it.")]
        except FieldErrors as exc:
            db().rollback()
            for name, text in exc.fields_in(get_translations()).items():
                field = getattr(form, name if name in ("unit", "description") else "unit")
                field.errors = [text]
        else:
            db().commit()
            flash(_("Rectification task #%(id)d opened.", id=task.id), "success")
            return redirect(url_for("triage.show", flag_id=flag.id))
    return pages.render_flag(flag, {"_rectify": form}, status=422)
