"""Forms of the inspection and rectification pages (workflow actions: dudao.workflow.actions)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    IntegerField,
    MultipleFileField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import AnyOf, InputRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

TEXT_MAX = 4000


class AssigneesForm(FlaskForm):
    users = SelectMultipleField(
        _l("Inspectors"),
        coerce=int,
        option_widget=CheckboxInput(),
        widget=ListWidget(prefix_label=False),
        validate_choice=True,
    )


class ReviewForm(FlaskForm):
    """The office's decision on the latest submission; item comments come as `c_<item key>`."""

    decision = StringField(validators=[InputRequired(), AnyOf(["approve", "return"])])
    expected_version = IntegerField(validators=[InputRequired()])
    comment = TextAreaField(_l("Comment"), validators=[Optional(), Length(max=TEXT_MAX)])


class RectificationForm(FlaskForm):
    """Open a rectification task for one finding (one form per finding: a prefix per finding)."""

    owner_unit = SelectField(_l("Owner unit"), coerce=int, validate_choice=True)
    deadline = DateField(_l("Deadline"), validators=[InputRequired()])
    description = TextAreaField(
        _l("What has to be put right"), validators=[InputRequired(), Length(max=TEXT_MAX)]
    )


class AnswerForm(FlaskForm):
    """The owner unit's answer to a task: what was done, and photos as evidence (photos a
    refused attempt already stored come back as `kept` ids, so nothing is asked twice)."""

    expected_version = IntegerField(validators=[InputRequired()])
    response = TextAreaField(_l("What was done"), validators=[Length(max=TEXT_MAX)])
    photos = MultipleFileField(_l("Photos as evidence"))
