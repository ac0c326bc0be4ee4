"""Browsing the org tree within the viewer's scope."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user

from dudao.core.permissions import Permission, scope_paths
from dudao.org import queries
from dudao.org.models import Unit
from dudao.web.access import require_on, requires
from dudao.web.context import db

bp = Blueprint("org", __name__, template_folder="templates")


@bp.get("/units")
@requires(Permission.VIEW_UNITS)
def units() -> str:
    roots = queries.scope_roots(db(), scope_paths(current_user, Permission.VIEW_UNITS))
    return render_template("org/units.html", unit=None, children=roots, trail=[])


@bp.get("/units/<int:unit_id>")
@requires(Permission.VIEW_UNITS)
def unit(unit_id: int) -> str:
    found = db().get(Unit, unit_id)
    require_on(Permission.VIEW_UNITS, found)
    paths = scope_paths(current_user, Permission.VIEW_UNITS)
    return render_template(
        "org/units.html",
        unit=found,
        children=queries.children(db(), found, paths),
        trail=[
            a for a in queries.ancestors(db(), found) if any(a.path.startswith(p) for p in paths)
        ],
    )
