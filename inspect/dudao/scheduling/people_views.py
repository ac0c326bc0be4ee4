"""The inspectors a form may name, listed beside its usernames field: the office picks people
by name instead of knowing usernames by heart (web/static/choices.js adds a click)."""

from __future__ import annotations

from flask import Blueprint, g
from flask_login import current_user

from dudao.core.permissions import Permission, scope_paths
from dudao.scheduling.queries import inspectors_within
from dudao.web.context import db

bp = Blueprint("inspector_choices", __name__)


@bp.app_template_global()
def inspectors_for(permission: str) -> list[tuple[str, str, str]]:
    """(username, name, username) of the inspectors in the reach of the viewer's
    `permission` (the one the form checks), as `_choices.html` lists values."""
    people = inspectors_within(db(), scope_paths(current_user, Permission(permission)))
    g.choices = g.get("choices") or bool(people)  # the layout then loads web/static/choices.js
    return [(username, name, username) for username, name in people]
