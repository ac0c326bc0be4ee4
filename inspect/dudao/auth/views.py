"""Sign-in, sign-out and account administration.

Account pages are scoped: an administrator sees accounts with a grant inside their
MANAGE_USERS subtree (or no grant at all); anything else is a 404. See docs/access.md.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from dudao.auth import queries, services, signin
from dudao.auth.forms import (
    ConfirmForm,
    CreateAccountForm,
    GrantForm,
    PasswordForm,
    ProfileForm,
    SignInForm,
)
from dudao.auth.models import RoleGrant, User
from dudao.core.enums import Role
from dudao.core.errors import ValidationError
from dudao.core.permissions import (
    Permission,
    can,
    can_manage_account,
    can_see_account,
    scope_paths,
)
from dudao.org.queries import by_code
from dudao.web.access import public, require_on, requires
from dudao.web.context import db
from dudao.web.extensions import limiter
from dudao.web.form_errors import place_problems
from dudao.web.labels import label
from dudao.web.setup import unit_name
from dudao.web.urls import safe_next

bp = Blueprint("auth", __name__, template_folder="templates")

SIGN_IN_LIMIT = "10 per minute; 50 per hour"


def refused(response: Response) -> bool:
    """Only a refused attempt counts towards the limit (a sign-in or a password change that
    worked redirects): an office whose tablets share one address signs in all morning."""
    return response.status_code != 302


LIST_LIMIT = 200


@bp.route("/login", methods=["GET", "POST"])
@public
@limiter.limit(SIGN_IN_LIMIT, methods=["POST"], deduct_when=refused)
def login() -> Response | str:
    if current_user.is_authenticated:
        return redirect(url_for("web.index"))
    form = SignInForm()
    error = None
    if form.validate_on_submit():
        # One answer for unknown user, wrong password and inactive account.
        user = signin.authenticate(db(), form.username.data or "", form.password.data or "")
        if user is not None:
            db().commit()
            renew_session()
            login_user(user, remember=bool(form.remember.data))
            return redirect(safe_next(request.args.get("next"), url_for("web.index")))
        error = _("Wrong username or password.")
    return render_template("auth/login.html", form=form, error=error)


def renew_session() -> None:
    """Start a new session at sign-in (and at a password change), keeping only the language
    chosen: nothing from before (a CSRF secret planted in the cookie, say) carries over
    into the signed-in one."""
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang


@bp.post("/logout")
@public
def logout() -> Response:
    logout_user()
    return redirect(url_for("auth.login"))


# --- account administration -------------------------------------------------------


def _account(user_id: int) -> User:
    """The account if the viewer may see it; 404 otherwise (guessing ids reveals nothing)."""
    account = db().get(User, user_id)
    if account is None or not can_see_account(current_user, account):
        abort(404)
    return account


def _managed(user_id: int) -> User:
    account = _account(user_id)
    if not can_manage_account(current_user, account):
        abort(403)
    return account


def _inside(path: str, paths: list[str]) -> bool:
    return any(path.startswith(prefix) for prefix in paths)


def _apply_problems(form: FlaskForm, error: ValidationError) -> None:
    """Each service problem beside its field; one that names no field of the form is
    flashed."""
    for text in place_problems(error, form):
        flash(text, "error")


@bp.get("/admin/users")
@requires(Permission.MANAGE_USERS)
def users() -> str:
    search = request.args.get("q", "").strip()
    paths = scope_paths(current_user, Permission.MANAGE_USERS)
    accounts = queries.accounts_in_scope(db(), paths, search, LIST_LIMIT + 1)
    return render_template(
        "auth/users.html",
        users=accounts[:LIST_LIMIT],
        more=len(accounts) > LIST_LIMIT,
        search=search,
        in_scope=lambda g: _inside(g.unit.path, paths),
    )


@bp.route("/admin/users/new", methods=["GET", "POST"])
@requires(Permission.MANAGE_USERS)
def create() -> Response | tuple[str, int] | str:
    form = CreateAccountForm()
    if form.validate_on_submit():
        try:
            account = services.create_user(
                db(),
                current_user,
                form.username.data or "",
                form.display_name.data or "",
                form.password.data or "",
                form.email.data,
                form.locale.data,
            )
        except ValidationError as error:
            db().rollback()
            _apply_problems(form, error)
        else:
            db().commit()
            flash(_("Account %(name)s created. Now give it a role.", name=account.username))
            return redirect(url_for("auth.account", user_id=account.id))
    status = 422 if form.is_submitted() else 200
    return render_template("auth/user_new.html", form=form), status


def _account_page(account: User, status: int = 200, **forms: FlaskForm) -> tuple[str, int]:
    paths = scope_paths(current_user, Permission.MANAGE_USERS)
    profile = forms.get("profile") or ProfileForm(
        formdata=None,
        display_name=account.display_name,
        email=account.email,
        locale=account.locale or "",
    )
    visible = [g for g in account.grants if _inside(g.unit.path, paths)]
    return render_template(
        "auth/user.html",
        account=account,
        manageable=can_manage_account(current_user, account),
        grants=sorted(visible, key=lambda g: (g.unit.code, g.role.value)),
        hidden_grants=len(account.grants) - len(visible),
        profile=profile,
        password=forms.get("password") or PasswordForm(formdata=None),
        grant=forms.get("grant") or GrantForm(formdata=None),
        confirm=ConfirmForm(formdata=None),
    ), status


@bp.route("/admin/users/<int:user_id>", methods=["GET", "POST"])
@requires(Permission.MANAGE_USERS)
def account(user_id: int) -> Response | tuple[str, int]:
    if request.method == "GET":
        return _account_page(_account(user_id))
    found = _managed(user_id)
    form = ProfileForm()
    if form.validate_on_submit():
        try:
            services.update_user(
                db(),
                current_user,
                found,
                form.display_name.data or "",
                form.email.data,
                form.locale.data,
            )
        except ValidationError as error:
            db().rollback()
            _apply_problems(form, error)
        else:
            db().commit()
            flash(_("Saved."))
            return redirect(url_for("auth.account", user_id=found.id))
    return _account_page(found, 422, profile=form)


@bp.post("/admin/users/<int:user_id>/password")
@requires(Permission.MANAGE_USERS)
def reset_password(user_id: int) -> Response | tuple[str, int]:
    found = _managed(user_id)
    form = PasswordForm(account=found.username)
    if form.validate_on_submit():
        try:
            services.set_password(db(), current_user, found, form.password.data or "")
        except ValidationError as error:
            db().rollback()
            _apply_problems(form, error)
        else:
            db().commit()
            flash(_("The password of %(name)s was reset; they choose their own at the "
                    "next sign-in.", name=found.username))  # fmt: skip
            return redirect(url_for("auth.account", user_id=found.id))
    return _account_page(found, 422, password=form)


@bp.post("/admin/users/<int:user_id>/active")
@requires(Permission.MANAGE_USERS)
def set_active(user_id: int) -> Response | tuple[str, int]:
    found = _managed(user_id)
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    make_active = request.form.get("active") == "1"
    try:
        services.set_active(db(), current_user, found, make_active)
    except ValidationError:
        db().rollback()
        flash(_("You cannot deactivate your own account."), "error")
        return redirect(url_for("auth.account", user_id=found.id))
    db().commit()
    flash(_("Account activated.") if make_active else _("Account deactivated."))
    return redirect(url_for("auth.account", user_id=found.id))


@bp.post("/admin/users/<int:user_id>/grants")
@requires(Permission.MANAGE_USERS)
def grant(user_id: int) -> Response | tuple[str, int]:
    found = _account(user_id)
    form = GrantForm()
    if form.validate_on_submit():
        unit = by_code(db(), (form.unit_code.data or "").strip())
        if unit is None or not can(current_user, Permission.MANAGE_USERS, unit):
            # The same words whether the unit is missing or outside the viewer's scope.
            form.unit_code.errors = [_("No unit with this code in your part of the organisation.")]
        else:
            services.grant_role(db(), current_user, found, Role(form.role.data), unit)
            db().commit()
            flash(
                _(
                    "%(name)s is now %(role)s on %(unit)s and every unit below it.",
                    name=found.username,
                    role=label(form.role.data),
                    unit=unit_name(unit),
                )
            )
            return redirect(url_for("auth.account", user_id=found.id))
    return _account_page(found, 422, grant=form)


@bp.post("/admin/users/<int:user_id>/grants/<int:grant_id>/revoke")
@requires(Permission.MANAGE_USERS)
def revoke(user_id: int, grant_id: int) -> Response:
    found = _account(user_id)
    role_grant = db().get(RoleGrant, grant_id)
    if role_grant is None or role_grant.user_id != found.id:
        abort(404)
    require_on(Permission.MANAGE_USERS, role_grant.unit)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    services.revoke_grant(db(), current_user, role_grant.id)
    db().commit()
    flash(_("Role removed."))
    return redirect(url_for("auth.account", user_id=found.id))
