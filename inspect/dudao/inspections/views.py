"""Inspection pages: an inspector's own list, the office list, and one inspection with its
history and the workflow actions the viewer may take (every change through the engine)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import get_translations, ngettext
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from dudao.audit.models import AuditEvent
from dudao.auth.models import User
from dudao.core.errors import ValidationError
from dudao.core.permissions import Permission, can, scope_paths
from dudao.inspections import list_args, queries
from dudao.inspections.api_support import may_see
from dudao.inspections.drafts import draft_of
from dudao.inspections.forms import AssigneesForm
from dudao.inspections.models import Inspection, InspectionOrigin
from dudao.inspections.review_page import REVIEW_ACTIONS, review_context
from dudao.inspections.services import may_reassign, set_assignees
from dudao.inspections.submissions import EDITABLE_STATES
from dudao.scheduling.recurrence import org_today
from dudao.web.access import get_on, require_on, requires
from dudao.web.context import db
from dudao.web.labels import ORIGIN_LABELS
from dudao.web.setup import select_locale
from dudao.workflow import engine
from dudao.workflow.actions import ActionForm, act_from_form
from dudao.workflow.registry import get_workflow
from dudao.workflow.spec import Workflow

bp = Blueprint("inspections", __name__, template_folder="templates")


@bp.context_processor
def _helpers() -> dict[str, object]:
    return {"origin_label": lambda origin: str(ORIGIN_LABELS.get(origin, origin))}


Page = str | tuple[str, int] | Response


def _inspection(inspection_id: int) -> Inspection:
    """The inspection, or 404 when it is missing or its unit lies outside the viewer's scope
    (its assignees may always open it)."""
    found = db().get(Inspection, inspection_id)
    if found is None or current_user.id not in found.assignee_ids:
        require_on(Permission.VIEW_UNITS, found.unit if found else None)
    assert found is not None
    return found


@bp.get("/inspections/mine")
@requires(Permission.INSPECT)
def mine() -> str:
    today = org_today(db())
    groups = queries.mine(db(), current_user.id, today)
    rows = [row for group in groups.values() for row in group]
    return render_template(
        "inspections/mine.html", groups=groups, today=today, workflow=get_workflow("inspection"),
        definitions=queries.definitions(db(), rows), locale=select_locale(),
    )  # fmt: skip


@bp.get("/inspections")
@requires(Permission.VIEW_RESULTS)
def office() -> str:
    paths = scope_paths(current_user, Permission.VIEW_RESULTS)
    today = org_today(db())
    read = list_args.read(request.args, today)
    result = queries.office_list(db(), paths, read.filters)
    return render_template(
        "inspections/office.html", result=result, filters=read.filters, errors=read.errors,
        unit_code=read.unit_code, filter_names=queries.filter_names(db(), read.filters,
                                                                     select_locale()),
        workflow=get_workflow("inspection"), origins=[o.value for o in InspectionOrigin],
        locale=select_locale(), today=today,
    )  # fmt: skip


def _render(
    inspection: Inspection,
    forms: dict[str, ActionForm] | None = None,
    status: int = 200,
    **review: Any,
):
    """The page; `review` passes a refused review or task form back (review_page.py)."""
    workflow = get_workflow(inspection.workflow)
    actions = engine.available_actions(current_user, inspection)
    context = review_context(inspection, actions, org_today(db()), **review)
    if context["review_form"] is not None:  # approve and return go through the review form
        actions = [t for t in actions if t.action not in REVIEW_ACTIONS]
    forms = forms or {}
    for transition in actions:
        forms.setdefault(
            transition.action,
            ActionForm(
                formdata=None, action=transition.action, expected_version=inspection.version
            ),
        )
    events = queries.history(db(), inspection.id)
    office = can(current_user, Permission.VIEW_OFFICE, inspection.unit)
    assignees_form = None
    if office and may_reassign(workflow, inspection.state):
        assignees_form = AssigneesForm(formdata=None, users=sorted(inspection.assignee_ids))
        assignees_form.users.choices = [
            (u.id, u.display_name) for u in queries.assignable(db(), inspection)
        ]
    # An assignee fills the checklist on the tablet page (offline-first); this page links it.
    fill = (
        current_user.id in inspection.assignee_ids
        and inspection.state in EDITABLE_STATES
        and can(current_user, Permission.INSPECT, inspection.unit)
    )
    # Work saved from a tablet before it is submitted: the office sees it exists before it
    # reassigns or cancels (the workflow moves only on submit).
    draft = draft_of(db(), inspection.id) if inspection.state in EDITABLE_STATES else None
    actors = {e.actor_id for e in events if e.actor_id is not None}
    if draft is not None and draft.updated_by_id is not None:
        actors.add(draft.updated_by_id)
    review = context.get("review")
    if review is not None and review.submission.submitted_by_id is not None:
        actors.add(review.submission.submitted_by_id)  # an imported one has no assignee
    people = queries.users_by_id(db(), inspection.assignee_ids | _assignees_in(events) | actors)
    definitions = queries.definitions(db(), [inspection])
    return render_template(
        "inspections/inspection.html", inspection=inspection, workflow=workflow,
        actions=actions, forms=forms, events=events, assignees=people,
        assignees_form=assignees_form, definition=definitions.get(inspection.definition_version_id),
        locale=select_locale(), today=org_today(db()), describe=describe,
        photos_visible=may_see(current_user, inspection), fill=fill, draft=draft, **context,
    ), status  # fmt: skip


def _assignees_in(events: list[AuditEvent]) -> set[int]:
    return {
        uid
        for e in events
        for side in (e.before or {}, e.after or {})
        for uid in side.get("assignees", [])
        if isinstance(uid, int)
    }


def describe(event: AuditEvent, workflow: Workflow, people: dict[int, User]) -> str:
    """One history line in the reader's language: what happened, from which state to which."""
    locale = select_locale()
    before, after = event.before or {}, event.after or {}
    action = event.action.rsplit(".", 1)[-1]
    if "state" in before and "state" in after:
        labels = {t.action: t.label.get(locale) for t in workflow.transitions}
        # A timer that moves a subject is an escalation: its deadline has passed.
        timers = {t.key: _("Deadline passed") for t in workflow.timers}
        name = labels.get(action) or timers.get(action) or action
        return _(
            "%(action)s: %(source)s → %(target)s",
            action=name,
            source=_state_label(workflow, before["state"], locale),
            target=_state_label(workflow, after["state"], locale),
        )
    if action == "create":
        return _("Inspection created")
    if action == "item_comments":
        return ngettext("Comments beside %(num)d item", "Comments beside %(num)d items",
                        len(after.get("item_comments") or {}))  # fmt: skip
    if action == "photo":
        return _("Photo added")
    if "assignees" in after:
        names = [getattr(people.get(uid), "display_name", str(uid)) for uid in after["assignees"]]
        return _("Assigned to: %(names)s", names=", ".join(names) or "—")
    return event.action


def _state_label(workflow: Workflow, key: str, locale: str) -> str:
    try:
        return workflow.state(key).label.get(locale)
    except KeyError:
        return key


@bp.get("/inspections/<int:inspection_id>")
@requires(Permission.VIEW_UNITS)
def show(inspection_id: int) -> Page:
    return _render(_inspection(inspection_id))


@bp.post("/inspections/<int:inspection_id>/act")
@requires(Permission.VIEW_UNITS)
def act(inspection_id: int) -> Page:
    inspection = _inspection(inspection_id)
    return act_from_form(
        inspection,
        lambda forms, status: _render(db().get(Inspection, inspection_id), forms, status=status),
        url_for("inspections.show", inspection_id=inspection.id),
        _("This inspection was changed by someone else meanwhile. Here it is as it is "
          "now; check it and try again."),
        lambda state: _("Done. The inspection is now: %(state)s", state=state),
    )  # fmt: skip


@bp.post("/inspections/<int:inspection_id>/assignees")
@requires(Permission.VIEW_OFFICE)
def assignees(inspection_id: int) -> Page:
    inspection = get_on(Permission.VIEW_OFFICE, Inspection, inspection_id)
    form = AssigneesForm()
    candidates = {u.id: u for u in queries.assignable(db(), inspection)}
    form.users.choices = [(u.id, u.display_name) for u in candidates.values()]
    if not form.validate():
        flash(_("Choose inspectors from the list."), "error")
        return _render(inspection, status=422)
    workflow = get_workflow(inspection.workflow)
    try:
        chosen = [candidates[i] for i in form.users.data or []]
        set_assignees(db(), current_user, inspection, chosen)
        # A planned inspection given its first inspectors is assigned to them (and they are
        # told), as one created with them is: saving is not a first of two steps.
        assigning = chosen and workflow.transition("assign", inspection.state) is not None
        if assigning:
            engine.apply(db(), current_user, inspection, "assign")
    except (engine.Conflict, ValidationError) as exc:  # e.g. a page left open meanwhile
        db().rollback()
        flash(exc.in_language(get_translations()), "error")
        return _render(inspection, status=409 if isinstance(exc, engine.Conflict) else 422)
    db().commit()
    said = _("Assigned: the inspectors are told.") if assigning else _("Assignees saved.")
    flash(said, "success")
    return redirect(url_for("inspections.show", inspection_id=inspection.id))


from dudao.inspections import review_views  # noqa: E402,F401  (registers the review routes on bp)
