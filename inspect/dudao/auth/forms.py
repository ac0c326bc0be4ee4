"""Sign-in and account administration forms; the services re-check everything."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, Optional, Regexp, ValidationError

from dudao.auth.passwords import MIN_PASSWORD_LENGTH, password_problems
from dudao.core.enums import Role
from dudao.core.errors import Listed
from dudao.web.labels import label
from dudao.web.setup import translated

EMAIL_PATTERN = r"^[^@\s]+@[^@\s]+$"
MAX_PASSWORD_LENGTH = 200
PASSWORD_HINT = _l(
    "At least %(num)d characters; not the username, not one character repeated, not a "
    "very common password.",
    num=MIN_PASSWORD_LENGTH,
)


class SignInForm(FlaskForm):
    username = StringField(_l("Username"), validators=[DataRequired(), Length(max=64)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)])
    remember = BooleanField(_l("Keep me signed in on this device"))


def _locale_choices() -> list[tuple[str, str]]:
    return [("", _l("Default (Chinese)")), ("zh_CN", "中文"), ("en", "English")]


class ProfileForm(FlaskForm):
    display_name = StringField(_l("Display name"), validators=[Optional(), Length(max=200)])
    email = StringField(
        _l("E-mail"),
        validators=[
            Optional(),
            Length(max=254),
            Regexp(EMAIL_PATTERN, message=_l("Enter an e-mail address like name@example.com.")),
        ],
    )
    locale = SelectField(_l("Language"), choices=_locale_choices, validate_choice=True)


class PasswordForm(FlaskForm):
    """A password an administrator chooses for the account `account` (its username)."""

    password = PasswordField(
        _l("New password"),
        validators=[DataRequired(), Length(max=MAX_PASSWORD_LENGTH)],
        description=PASSWORD_HINT,
    )
    confirm = PasswordField(
        _l("Repeat the password"),
        validators=[DataRequired(), EqualTo("password", message=_l("The passwords differ."))],
    )

    def __init__(self, *args: Any, account: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.account = account

    def account_name(self) -> str:
        return self.account

    def validate_password(self, field: PasswordField) -> None:
        """The service's rules (`password_problems`) here too, so that they show together
        with the form's own problems (a repeat that differs); the service checks again."""
        problems = password_problems(field.data or "", self.account_name())
        if problems:
            raise ValidationError(translated(Listed(problems)))


class CreateAccountForm(ProfileForm, PasswordForm):
    username = StringField(
        _l("Username"),
        validators=[
            DataRequired(),
            Length(max=64),
            Regexp(r"^\S+$", message=_l("No spaces, please.")),
        ],
    )

    def validate_username(self, field: StringField) -> None:
        from dudao.auth.services import username_taken
        from dudao.web.context import db

        if username_taken(db(), field.data or ""):
            raise ValidationError(_l("This username is already taken."))

    def account_name(self) -> str:
        return (self.username.data or "").strip()


def _role_choices() -> list[tuple[str, str]]:
    # No role is preselected: giving "admin" must be a deliberate choice.
    return [("", _l("Choose a role")), *((role.value, label(role)) for role in Role)]


class GrantForm(FlaskForm):
    role = SelectField(
        _l("Role"), choices=_role_choices, validate_choice=True, validators=[DataRequired()]
    )
    unit_code = StringField(
        _l("Unit code"),
        validators=[DataRequired(), Length(max=64)],
        description=_l("The role applies to this unit and every unit below it."),
    )


class ChangePasswordForm(FlaskForm):
    """The user's own change. The service checks every field (`change_own_password`), so
    that a wrong current password shows together with the problems of the new one."""

    current_password = PasswordField(
        _l("Current password"), validators=[Length(max=MAX_PASSWORD_LENGTH)]
    )
    password = PasswordField(
        _l("New password"), validators=[Length(max=MAX_PASSWORD_LENGTH)], description=PASSWORD_HINT
    )
    confirm = PasswordField(
        _l("Repeat the new password"), validators=[Length(max=MAX_PASSWORD_LENGTH)]
    )


class ConfirmForm(FlaskForm):
    """Only the CSRF token: for buttons that change one thing (activate, revoke)."""
