"""Sign-in, sign-out and account administration."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from werkzeug.wrappers import Response

from dudao.auth.forms import SignInForm
from dudao.auth.services import authenticate
from dudao.core.permissions import Permission
from dudao.web.access import public, requires
from dudao.web.context import db
from dudao.web.extensions import limiter

bp = Blueprint("auth", __name__, template_folder="templates")

SIGN_IN_LIMIT = "10 per minute; 50 per hour"


def _safe_next(target: str | None) -> str:
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return url_for("web.index")


@bp.route("/login", methods=["GET", "POST"])
@public
@limiter.limit(SIGN_IN_LIMIT, methods=["POST"])
def login() -> Response | str:
    if current_user.is_authenticated:
        return redirect(url_for("web.index"))
    form = SignInForm()
    error = None
    if form.validate_on_submit():
        user = authenticate(db(), form.username.data or "", form.password.data or "")
        if user is not None:
            db().commit()
            login_user(user, remember=bool(form.remember.data))
            return redirect(_safe_next(request.args.get("next")))
        error = _("Wrong username or password.")
    return render_template("auth/login.html", form=form, error=error)


@bp.post("/logout")
@public
def logout() -> Response:
    logout_user()
    return redirect(url_for("auth.login"))


@bp.get("/admin/users")
@requires(Permission.MANAGE_USERS)
def users() -> str:
    from sqlalchemy import select

    from dudao.auth.models import User

    accounts = db().scalars(select(User).order_by(User.username)).all()
    return render_template("auth/users.html", users=accounts)
