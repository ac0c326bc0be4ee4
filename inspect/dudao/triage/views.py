"""Flag queue and flag page: the office triages what trend detection found (every state
change through the flag-triage workflow, so it is audited and optimistically locked)."""

from __future__ import annotations

import re

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from dudao.audit.models import AuditEvent
from dudao.auth.models import User
from dudao.core.permissions import Permission, can, scope_paths
from dudao.inspections.views import describe
from dudao.org.queries import by_code
from dudao.trends.config import SEVERITIES
from dudao.trends.models import Flag
from dudao.triage import evidence, queries
from dudao.triage.services import STALE, bulk_apply, set_assignee
from dudao.web.access import require_on, requires
from dudao.web.context import db
from dudao.web.setup import select_locale
from dudao.workflow import engine
from dudao.workflow.actions import ActionForm, act_from_form
from dudao.workflow.registry import get_workflow
from dudao.workflow.spec import Workflow

bp = Blueprint("triage", __name__, template_folder="templates")

Page = str | tuple[str, int] | Response
PERIOD = re.compile(r"^\d{4}-\d{2}$")


def _period(name: str) -> str:
    value = (request.args.get(name) or "").strip()
    return value if PERIOD.match(value) else ""


def _filters() -> tuple[queries.Filters, str]:
    unit_code = (request.args.get("unit") or "").strip()
    unit = by_code(db(), unit_code) if unit_code else None
    if unit is not None and not can(current_user, Permission.VIEW_OFFICE, unit):
        unit = None  # outside the scope reads like an unknown code
    sort = request.args.get("sort", "newest")
    filters = queries.Filters(
        state=request.args.get("state", ""),
        severity=request.args.get("severity", ""),
        rule=request.args.get("rule", ""),
        unit=unit,
        period_from=_period("period_from"),
        period_to=_period("period_to"),
        sort=sort if sort in queries.SORTS else "newest",
        assignee=(request.args.get("assignee") or "").strip(),
        viewer_id=current_user.id,
        page=request.args.get("page", 1, type=int) or 1,
    )
    return filters, unit_code


@bp.context_processor
def _helpers() -> dict[str, object]:
    return {
        "rule_label": evidence.rule_label,
        "severity_label": lambda s: str(evidence.SEVERITY_LABELS.get(s, s)),
    }


@bp.get("/flags")
@requires(Permission.VIEW_OFFICE)
def queue() -> str:
    filters, unit_code = _filters()
    paths = scope_paths(current_user, Permission.VIEW_OFFICE)
    result = queries.queue(db(), paths, filters)
    people = queries.office_users(db(), paths)
    named = queries.users_by_id(db(), {f.assignee_id for f in result.rows if f.assignee_id})
    return render_template(
        "triage/queue.html", result=result, filters=filters, unit_code=unit_code,
        unknown_unit=bool(unit_code) and filters.unit is None,
        workflow=get_workflow("flag_triage"), severities=SEVERITIES,
        rules=sorted(set(evidence.RULE_LABELS) | set(queries.rules_in_use(db()))),
        sorts=queries.SORTS, locale=select_locale(), sentence=evidence.sentence,
        people=people, named=named,
    )  # fmt: skip


@bp.post("/flags/acknowledge")
@requires(Permission.VIEW_OFFICE)
def bulk_acknowledge() -> Page:
    """Acknowledge the ticked flags in one transaction; refusals are reported per flag."""
    ids = [int(v) for v in request.form.getlist("flag") if v.isdigit()]
    versions = {
        i: int(request.form[f"v{i}"]) for i in ids if request.form.get(f"v{i}", "").isdigit()
    }
    back = request.form.get("back", "")
    target = back if back.startswith("/flags") else url_for("triage.queue")
    flags = queries.in_scope(db(), scope_paths(current_user, Permission.VIEW_OFFICE), ids)
    if not flags:
        flash(_("Tick the flags to acknowledge."), "error")
        return redirect(target)
    try:
        result = bulk_apply(db(), current_user, flags, "acknowledge", versions)
    except engine.Conflict:
        db().rollback()
        flash(_("Some flags were changed by someone else meanwhile; nothing was done. "
                "Check the list and try again."), "error")  # fmt: skip
        return redirect(target)
    db().commit()
    if result.done:
        flash(_("Acknowledged %(n)d flags.", n=len(result.done)), "success")
    for flag_id in sorted(result.refused):
        reason = result.refused[flag_id]
        if reason == STALE:
            reason = _("changed by someone else meanwhile")
        flash(_("Flag #%(id)d not acknowledged: %(reason)s", id=flag_id, reason=reason),
              "error")  # fmt: skip
    return redirect(target)


def describe_flag_event(event: AuditEvent, workflow: Workflow, people: dict[int, User]) -> str:
    """A history line: detection events of trend analysis, else the workflow's wording."""
    action = event.action.rsplit(".", 1)[-1]
    after = event.after or {}
    if action == "create":
        return _("Detected (first in %(period)s)", period=after.get("first_detected", "?"))
    if action == "update":
        return _("Detected again (last in %(period)s)", period=after.get("last_detected", "?"))
    if action == "cleared":
        return _("No longer detected")
    if action == "recurred":
        return _("Detected again after it was resolved: reopened")
    if action == "assign":
        uid = after.get("assignee")
        who = people[uid].display_name if uid in people else _("nobody")
        return _("Assigned to: %(names)s", names=who)
    return describe(event, workflow, people)


def _flag(flag_id: int) -> Flag:
    """The flag, or 404 when it is missing or its unit lies outside the viewer's scope."""
    found = db().get(Flag, flag_id)
    require_on(Permission.VIEW_OFFICE, found.unit if found else None)
    assert found is not None
    return found


def _render(flag: Flag, forms: dict[str, ActionForm] | None = None, status: int = 200) -> Page:
    workflow = get_workflow(flag.workflow)
    actions = engine.available_actions(current_user, flag)
    forms = forms or {}
    for transition in actions:
        forms.setdefault(
            transition.action,
            ActionForm(formdata=None, action=transition.action, expected_version=flag.version),
        )
    series = evidence.series(flag)
    events = queries.history(db(), flag.id)
    mentioned = {
        uid
        for e in events
        for side in (e.before or {}, e.after or {})
        for uid in [side.get("assignee")]
        if isinstance(uid, int)
    }
    named = queries.users_by_id(db(), mentioned | flag.assignee_ids)
    office = not workflow.state(flag.state).final
    return render_template(
        "triage/flag.html", flag=flag, workflow=workflow, actions=actions, forms=forms,
        events=events, sentence=evidence.sentence(flag), named=named,
        candidates=queries.office_users(db(), [flag.unit.path]) if office else [],
        numbers=evidence.numbers(flag), series=series,
        chart=evidence.chart_svg(series) if series else "",
        inspection_ids=(flag.evidence or {}).get("inspection_ids", []),
        locale=select_locale(), describe=describe_flag_event,
    ), status  # fmt: skip


@bp.get("/flags/<int:flag_id>")
@requires(Permission.VIEW_OFFICE)
def show(flag_id: int) -> Page:
    return _render(_flag(flag_id))


@bp.post("/flags/<int:flag_id>/act")
@requires(Permission.VIEW_OFFICE)
def act(flag_id: int) -> Page:
    flag = _flag(flag_id)
    return act_from_form(
        flag,
        lambda forms, status: _render(_flag(flag_id), forms, status=status),
        url_for("triage.show", flag_id=flag.id),
        _("This flag was changed by someone else meanwhile. Here it is as it is now; "
          "check it and try again."),
        lambda state: _("Done. The flag is now: %(state)s", state=state),
    )  # fmt: skip


@bp.post("/flags/<int:flag_id>/assign")
@requires(Permission.VIEW_OFFICE)
def assign(flag_id: int) -> Page:
    """Give the flag to an office user who can act on it (or to nobody)."""
    flag = _flag(flag_id)
    candidates = {u.id: u for u in queries.office_users(db(), [flag.unit.path])}
    raw = request.form.get("assignee", "")
    version = request.form.get("expected_version", "")
    if (raw and (not raw.isdigit() or int(raw) not in candidates)) or not version.isdigit():
        flash(_("Choose someone from the list."), "error")
        return _render(flag, status=422)
    try:
        set_assignee(db(), current_user, flag, candidates.get(int(raw)) if raw else None,
                     int(version))  # fmt: skip
    except engine.Conflict:
        db().rollback()
        flash(_("This flag was changed by someone else meanwhile. Here it is as it is now; "
                "check it and try again."), "error")  # fmt: skip
        return _render(_flag(flag_id), status=409)
    db().commit()
    flash(_("Assignee saved."), "success")
    return redirect(url_for("triage.show", flag_id=flag.id))
