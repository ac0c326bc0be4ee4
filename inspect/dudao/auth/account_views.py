"""The signed-in user's own account: the password change, and the rule that an account
with a temporary password (one an administrator chose) opens nothing else until its user
has chosen their own. See docs/access.md, Passwords.
"""

from __future__ import annotations

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_user
from flask_login.config import COOKIE_NAME
from werkzeug.wrappers import Response

from dudao.auth import services
from dudao.auth.forms import ChangePasswordForm
from dudao.auth.models import User
from dudao.auth.views import SIGN_IN_LIMIT, refused, renew_session
from dudao.core.errors import N_, Message, PermissionDenied, ValidationError
from dudao.web.access import signed_in
from dudao.web.context import db
from dudao.web.extensions import limiter
from dudao.web.form_errors import place_problems
from dudao.web.urls import safe_next

bp = Blueprint("account", __name__, template_folder="templates")

#: The tablets' JSON API (inspections.api): it gets a refusal it can read, not a redirect.
API_PATH = "/api/"


@bp.route("/account", methods=["GET", "POST"])
@signed_in
@limiter.limit(SIGN_IN_LIMIT, methods=["POST"], deduct_when=refused)
def own() -> Response | tuple[str, int]:
    """Change one's own password; rate-limited like sign-in, since it checks the current
    one. The other sessions of the account end (the password's fingerprint in their
    cookies no longer matches); this one goes on in a new session."""
    form = ChangePasswordForm()
    if form.validate_on_submit():
        user = db().get(User, current_user.id)
        assert user is not None  # current_user was read from it in this request
        try:
            services.change_own_password(
                db(),
                user,
                form.current_password.data or "",
                form.password.data or "",
                form.confirm.data or "",
            )
        except ValidationError as error:
            db().rollback()
            place_problems(error, form, rest=form.password)
        else:
            db().commit()
            remembered = current_app.config.get("REMEMBER_COOKIE_NAME", COOKIE_NAME)
            renew_session()
            login_user(user, remember=remembered in request.cookies)
            flash(_("Your password is changed. Other devices signed in as you are signed out."))
            return redirect(safe_next(request.args.get("next"), url_for("web.index")))
    status = 422 if form.is_submitted() else 200
    return render_template("auth/account.html", form=form), status


@bp.before_app_request
def password_first() -> Response | None:
    """An account with a temporary password opens only this page, sign-out and the
    language switch: every view that needs an account (and the home page) sends it here.
    Pages anyone may open (a questionnaire) stay open, so nothing typed there is lost."""
    endpoint = request.endpoint or ""
    view = current_app.view_functions.get(endpoint)
    needs_account = getattr(view, "required_permission", None) is not None
    if endpoint == "account.own" or not (needs_account or endpoint == "web.index"):
        return None
    if not getattr(current_user, "must_change_password", False):
        return None
    if request.path.startswith(API_PATH):
        said = N_("Choose your own password first: sign in in the browser and change it.")
        raise PermissionDenied(Message(said))
    here = request.full_path if request.query_string else request.path
    ahead = here if request.method == "GET" and endpoint != "web.index" else None
    return redirect(url_for("account.own", next=ahead))
