"""Binds extensions, security headers, error pages and template helpers to an app."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from flask import (
    Flask,
    Response,
    current_app,
    has_request_context,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import format_datetime, get_translations
from flask_login import current_user
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.exceptions import HTTPException

from dudao.core.errors import shown
from dudao.core.language import LOCALES, TRANSLATIONS, sentences_in
from dudao.core.permissions import Permission, can
from dudao.org.models import Unit, name_in
from dudao.web.context import close_db, db
from dudao.web.extensions import babel, csrf, limiter, login_manager
from dudao.web.labels import label
from dudao.web.uploads import apply_view_limit
from dudao.web.urls import IdConverter

SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Permissions-Policy": "geolocation=(self), camera=(self), microphone=()",
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data: blob:; style-src 'self'; "
        "script-src 'self'; object-src 'none'; base-uri 'self'; frame-ancestors 'none'; "
        "form-action 'self'"
    ),
}
# An image opened on its own (a photo in a tab) is a document the browser builds with
# inline styles of its own; the page policy refused them and filled the console with
# errors. An image document holds no author content, so it gets a policy of its own.
IMAGE_POLICY = (
    "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; frame-ancestors 'none'"
)


def select_locale() -> str:
    if not has_request_context():  # a job or a command: the default language
        return LOCALES[0]
    chosen = session.get("lang")
    if chosen in LOCALES:
        return chosen
    user_locale = getattr(current_user, "locale", None)
    return user_locale if user_locale in LOCALES else LOCALES[0]


def translated(text: Any) -> Any:
    """A service's Message in the page's language (`{{ problem.message|translated }}`)."""
    return shown(text, get_translations())


def sentences(*texts: Any) -> str:
    """Sentences one after the other as the page's language writes them."""
    return sentences_in(select_locale(), *texts)


def _load_user(user_id: str) -> Any:
    from dudao.auth.signed_in import signed_in

    return signed_in(db(), user_id)


def _security_headers(response: Response) -> Response:
    if response.mimetype.startswith("image/"):
        response.headers.setdefault("Content-Security-Policy", IMAGE_POLICY)
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    if request.is_secure:
        response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    return response


def _error_page(error: HTTPException) -> tuple[str, int]:
    from dudao.web.access import BadArgument

    detail = error.description if isinstance(error, BadArgument) else ""
    return render_template("errors/error.html", error=error, detail=detail), error.code or 500


def _internal_error(_error: Exception) -> tuple[str, int]:
    try:
        return render_template("errors/error.html", error=None), 500
    except Exception:  # the full page needs the database (user, unread count); it may be the fault
        current_app.logger.exception("The error page itself failed; sending the bare one")
        # Rendered without context processors, which is where the database is touched.
        return current_app.jinja_env.get_template("errors/bare.html").render(), 500


def _template_helpers() -> dict[str, Any]:
    def unread_notifications() -> int:
        from dudao.notifications.services import unread_count

        if not current_user.is_authenticated:
            return 0
        try:
            return unread_count(db(), current_user.id)
        except SQLAlchemyError:  # an error page must still render when the database is down
            db().rollback()
            return 0

    return {
        "can": lambda permission, unit=None: can(current_user, Permission(permission), unit),
        "current_locale": select_locale,
        "unread_notifications": unread_notifications,
        "has_endpoint": lambda endpoint: endpoint in current_app.view_functions,
    }


def _asset(filename: str) -> str:
    """A shared static file, through the current blueprint's own static route when it has
    one: the answering pages fetch theirs under /s/, which the access log writes without
    the member's address (docs/anonymity.md)."""
    own = f"{request.blueprint}.static"
    return url_for(own if own in current_app.view_functions else "static", filename=filename)


def unit_name(unit: Unit | Mapping[str, Any]) -> str:
    """A unit's name in the page's language (`Unit.name_in`: the English one where set);
    `unit` may also be a unit as the API names it (`{"name", "name_en", ...}`)."""
    if isinstance(unit, Mapping):
        return name_in(unit["name"], unit.get("name_en"), select_locale())
    return unit.name_in(select_locale())


def unit_choices(units: Iterable[Unit]) -> list[tuple[int, str]]:
    """Units as the choices of a select field: "code name", the name in the page's language."""
    return [(u.id, f"{u.code} {unit_name(u)}") for u in units]


def _local_time(value: datetime | None, fmt: str = "medium") -> str:
    return format_datetime(value, fmt) if value else ""


def init_app(app: Flask) -> None:
    app.url_map.converters["int"] = IdConverter  # before any route is added
    app.before_request(apply_view_limit)  # before the CSRF check reads the body
    csrf.init_app(app)
    babel.init_app(
        app,
        locale_selector=select_locale,
        default_translation_directories=str(TRANSLATIONS),
    )
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = None
    # "basic", not "strong": strong signs a user out whenever their address changes, and
    # tablets and phones change networks all day. A changed address marks the session
    # not fresh instead.
    login_manager.session_protection = "basic"
    login_manager.user_loader(_load_user)
    limiter.init_app(app)
    from dudao.web.logmask import install as mask_survey_tokens

    mask_survey_tokens()
    app.teardown_appcontext(close_db)
    app.after_request(_security_headers)
    app.register_error_handler(HTTPException, _error_page)
    app.register_error_handler(500, _internal_error)
    app.context_processor(_template_helpers)
    # Globals, not context helpers: macros imported without context (dforms.assets) use them.
    app.jinja_env.globals["asset"] = _asset
    app.jinja_env.globals["unit_name"] = unit_name
    app.jinja_env.globals["sentences"] = sentences
    app.add_template_filter(_local_time, "local_time")
    app.add_template_filter(label, "label")
    app.add_template_filter(translated, "translated")
