"""The audit log page: newest first, paged, filtered by object or actor.

An event is not tied to a unit, so the page is for those who hold VIEW_AUDIT (admin,
office) over the whole organisation (`queries.reads_whole_log`); the office of one
company reads an object's history on the object's own page.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Blueprint, abort, g, render_template, request
from flask_babel import gettext as _
from flask_login import current_user

from dudao.audit import queries, values, words
from dudao.audit.models import AuditEvent
from dudao.audit.names import load_names
from dudao.audit.services import SYSTEM_ACTOR
from dudao.core.permissions import Permission
from dudao.web.access import requires
from dudao.web.context import db
from dudao.web.setup import select_locale
from dudao.web.url_args import choice

bp = Blueprint("audit", __name__, template_folder="templates")


@bp.app_template_global()
def reads_audit_log() -> bool:
    """For the menu and the home page: whether /audit opens for the signed-in user."""
    if "reads_audit_log" not in g:
        g.reads_audit_log = current_user.is_authenticated and queries.reads_whole_log(
            db(), current_user
        )
    return g.reads_audit_log


@bp.app_template_global()
def actor_label(event: AuditEvent, people: Mapping[int, Any] | None = None) -> str:
    """Who did it, as a page names them: a display name from `people` when the view loaded
    it, the system's own moves (timers, imports) in the reader's language, else the stored
    user name (a deleted account)."""
    if people and event.actor_id in people:
        return people[event.actor_id].display_name
    if event.actor_id is None and event.actor_name == SYSTEM_ACTOR:
        return _("System")
    return event.actor_name


@bp.get("/audit")
@requires(Permission.VIEW_AUDIT)
def events() -> str:
    if not reads_audit_log():  # asked once a request, here and by the menu
        abort(403)
    errors: dict[str, str] = {}
    entity_types = queries.entity_types(db())
    kind = choice(request.args.get("entity_type", "").strip(), entity_types, errors, "entity_type")
    filters = queries.AuditFilter(
        entity_type=kind,
        entity_id=request.args.get("entity_id", "").strip(),
        actor=request.args.get("actor", "").strip(),
    )
    page = queries.events_page(db(), filters, request.args.get("page", 1, type=int))
    return render_template(
        "audit/events.html",
        result=page,
        filters=filters,
        errors=errors,
        entity_types=entity_types,
        names=load_names(db(), page.events, select_locale()),
        what=words.what,
        changes=values.changes,
        subject=values.subject,
        field_words=words.field_words,
    )
