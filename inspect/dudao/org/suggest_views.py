"""Units suggested as someone types part of a code or name, for the fields that ask for a
unit code (web/static/unitpicker.js): the field still sends a code, so its form checks it
as before; this only spares people from knowing codes by heart. Likewise the tags in use,
for the fields that take tags (web/templates/_choices.html).

A blueprint of its own, so that its errors, a refusal among them, answer in JSON rather
than as the org pages' HTML error page (a signed-out request is still sent to sign in, as
for every page's own JSON, e.g. a report's progress).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, g, jsonify, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.exceptions import HTTPException

from dudao.core.permissions import Permission, scope_paths
from dudao.org import queries
from dudao.org.models import Unit
from dudao.web.access import BadArgument, requires
from dudao.web.context import db
from dudao.web.setup import unit_name

bp = Blueprint("unit_suggest", __name__)

#: Longer than any unit's name: what is typed is a part of one.
MAX_TYPED = 200


@bp.errorhandler(HTTPException)
def _error(error: HTTPException) -> tuple[Response, int]:
    """A JSON error the script can tell from a list (it then offers nothing, and the field
    still takes a typed code); the message is in the page's language."""
    status = error.code or 500
    if isinstance(error, BadArgument):
        message = str(error.description)
    elif status == 403:
        message = _("You do not have permission for this.")
    else:
        message = _("The request could not be completed.")
    return jsonify(error=error.name.lower().replace(" ", "_"), message=message), status


def _reach() -> list[str]:
    """The subtrees to suggest from: those where the viewer holds the permission the field
    is checked with (`for`, so a field never suggests a unit its form would refuse), kept
    within the units the viewer may see at all (VIEW_UNITS, as the org pages)."""
    name = request.args.get("for", Permission.VIEW_UNITS.value)
    if name not in {permission.value for permission in Permission}:
        raise BadArgument(_("Unknown permission %(name)s.", name=name))
    seen = scope_paths(current_user, Permission.VIEW_UNITS)
    return queries.overlap(seen, scope_paths(current_user, Permission(name)))


def _suggested(unit: Unit, typed: str) -> dict[str, Any]:
    """A unit as the list shows it. A unit found by its name in the other language has that
    name too: the browser shows only the suggestions whose code or label holds the text."""
    shown = unit_name(unit)
    other = unit.name if shown != unit.name else unit.name_en or ""
    seen = typed.lower()
    named = shown
    if seen not in f"{unit.code} {shown}".lower() and seen in other.lower():
        named = f"{shown} · {other}"
    label = named if unit.active else _("%(name)s (inactive)", name=named)
    return {"code": unit.code, "name": shown, "active": unit.active, "label": label}


@bp.get("/units/suggest")
@requires(Permission.VIEW_UNITS)
def suggest() -> Response:
    """`?q=` part of a code or name; `for=` the permission the field's form checks (default
    view_units); `active=1` leaves inactive units out (for a form that refuses them).
    Answers `{"units": [{"code", "name", "active", "label"}]}`, at most
    `queries.SUGGEST_LIMIT`; an empty or too short `q` gives none."""
    typed = request.args.get("q", "").strip()
    if len(typed) > MAX_TYPED:
        raise BadArgument(_("Type at most %(num)d characters.", num=MAX_TYPED))
    paths = _reach()
    found = queries.suggest(db(), typed, paths, active_only=request.args.get("active") == "1")
    response = jsonify(units=[_suggested(unit, typed) for unit in found])
    response.headers["Cache-Control"] = "private, no-store"  # each viewer's own reach
    return response


@bp.app_template_global()
def unit_picker(permission: str = "view_units", active_only: bool = False) -> dict[str, str]:
    """The attributes that make a unit-code field suggest units (`field(form.x,
    **unit_picker('manage_surveys'))`, or `{{ unit_picker('view_results')|xmlattr }}` on a
    plain input); `permission` is the one the form checks the unit with."""
    Permission(permission)  # a typo fails the page in tests, not silently in the browser
    g.unit_picker = True  # the layout then loads web/static/unitpicker.js
    url = url_for(
        "unit_suggest.suggest", **{"for": permission}, **({"active": 1} if active_only else {})
    )
    return {
        "data-unit-picker": url,
        "data-unit-picker-hint": _("Type part of a code or name"),
        "autocomplete": "off",
    }


@bp.app_template_global()
def unit_tags(permission: str) -> list[tuple[str, str, int]]:
    """(tag, tag, units with it) of the tags in use in the reach of the viewer's
    `permission` (the one the form checks), as `_choices.html` lists values."""
    tags = queries.tags_in_use(db(), scope_paths(current_user, Permission(permission)))
    g.choices = g.get("choices") or bool(tags)  # the layout then loads web/static/choices.js
    return [(tag, tag, count) for tag, count in tags]
