"""View-side authorisation: every view names its permission through `requires`."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import abort
from flask_login import current_user, login_required
from werkzeug.exceptions import BadRequest

from dudao.core.permissions import Permission, can
from dudao.web.context import db

F = TypeVar("F", bound=Callable[..., Any])
M = TypeVar("M")


class BadArgument(BadRequest):
    """A URL argument the page cannot use (`?quarter=2026Q9`): the 400 page shows
    `description`, which says what is wrong in the reader's language, instead of the
    generic "reload and try again"."""


def requires(permission: Permission) -> Callable[[F], F]:
    """Sign-in plus `permission` somewhere; views check the unit itself with `require_on`."""

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not can(current_user, permission):
                abort(403)
            return view(*args, **kwargs)

        wrapped.required_permission = permission  # type: ignore[attr-defined]
        return login_required(wrapped)  # type: ignore[return-value]

    return decorator


def public(view: F) -> F:
    """Marks a view that deliberately needs no sign-in (the route audit test reads this)."""
    view.required_permission = None  # type: ignore[attr-defined]
    return view


def require_on(permission: Permission, unit: Any) -> None:
    """404, not 403, for a unit outside the viewer's scope: guessing URLs reveals nothing."""
    if unit is None or not can(current_user, permission, unit):
        abort(404)


def get_on(permission: Permission, model: type[M], ident: int) -> M:
    """The `model` row `ident`, or 404 when it is missing or its unit lies outside the
    viewer's scope for `permission` (as `require_on`)."""
    found = db().get(model, ident)
    require_on(permission, found.unit if found is not None else None)  # type: ignore[attr-defined]
    assert found is not None
    return found


def signed_in(view: F) -> F:
    """Any signed-in user; the view itself only shows the user's own things."""
    view.required_permission = "signed_in"  # type: ignore[attr-defined]
    return login_required(view)  # type: ignore[return-value]
