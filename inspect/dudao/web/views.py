"""The home page that sends each role to its work, the language switch and the icon."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, session, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from dudao.scheduling.recurrence import org_today
from dudao.web.access import public
from dudao.web.context import db
from dudao.web.home import attention
from dudao.web.setup import LOCALES
from dudao.web.urls import safe_next

bp = Blueprint("web", __name__)


@bp.get("/")
@public
def index() -> Response | str:
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login"))
    return render_template("home.html", attention=attention(db(), current_user, org_today(db())))


@bp.get("/favicon.ico")
@public
def favicon() -> Response:
    """Browsers ask for /favicon.ico where no page names the icon (a photo or a PDF opened
    on its own); without this, each such view logged a 404."""
    return redirect(url_for("static", filename="favicon.svg"), code=301)


@bp.post("/lang")
@public
def set_language() -> Response:
    lang = request.form.get("lang", "")
    if lang in LOCALES:
        session["lang"] = lang
    return redirect(safe_next(request.form.get("next"), url_for("web.index")))
