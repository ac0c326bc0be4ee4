"""Forms of the inspection pages: a workflow action, and who is assigned."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, SelectMultipleField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget


class ActionForm(FlaskForm):
    """One workflow action; `expected_version` is the version the page showed."""

    action = HiddenField(validators=[InputRequired()])
    expected_version = IntegerField(validators=[InputRequired()])
    comment = TextAreaField(_l("Comment"), validators=[Optional(), Length(max=4000)])
    reason = TextAreaField(_l("Reason"), validators=[Optional(), Length(max=4000)])

    def fields(self) -> dict[str, str]:
        return {"comment": self.comment.data or "", "reason": self.reason.data or ""}


class AssigneesForm(FlaskForm):
    users = SelectMultipleField(
        _l("Inspectors"),
        coerce=int,
        option_widget=CheckboxInput(),
        widget=ListWidget(prefix_label=False),
        validate_choice=True,
    )
