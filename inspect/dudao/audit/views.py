"""The audit log page: newest first, paged, filtered by object or actor.

The log is global: whoever holds VIEW_AUDIT (admin, office) sees every event,
whatever unit their role was granted on, because an event is not tied to a unit.
"""

from __future__ import annotations

from flask import Blueprint, render_template, request

from dudao.audit import queries
from dudao.core.permissions import Permission
from dudao.web.access import requires
from dudao.web.context import db

bp = Blueprint("audit", __name__, template_folder="templates")


@bp.get("/audit")
@requires(Permission.VIEW_AUDIT)
def events() -> str:
    filters = queries.AuditFilter(
        entity_type=request.args.get("entity_type", "").strip(),
        entity_id=request.args.get("entity_id", "").strip(),
        actor=request.args.get("actor", "").strip(),
    )
    page = queries.events_page(db(), filters, request.args.get("page", 1, type=int))
    return render_template(
        "audit/events.html",
        result=page,
        filters=filters,
        entity_types=queries.entity_types(db()),
        changes=queries.field_changes,
    )
