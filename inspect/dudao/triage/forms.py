"""The triage forms beside the workflow actions: saving a queue filter, a comment, and
opening a rectification task for a unit behind a flag (the services check again)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length

from dudao.triage.saved_filters import NAME_MAX
from dudao.triage.services import COMMENT_MAX


class SaveFilterForm(FlaskForm):
    """Name the queue's current filter (`query`: the page's query string)."""

    name = StringField(
        _l("Name this filter"),
        validators=[DataRequired(_l("Give the filter a name.")), Length(max=NAME_MAX)],
    )
    query = HiddenField()


class CommentForm(FlaskForm):
    comment = TextAreaField(
        _l("Comment"), validators=[DataRequired(_l("Write the comment.")), Length(max=COMMENT_MAX)]
    )


class RectifyForm(FlaskForm):
    """`unit` offers the units with a finding behind the flag (set by the view)."""

    unit = SelectField(_l("Unit that puts it right"), coerce=int, validators=[InputRequired()])
    deadline = DateField(_l("Deadline"), validators=[InputRequired(_l("Give a deadline."))])
    description = TextAreaField(
        _l("What has to be put right"),
        validators=[DataRequired(_l("Say what has to be put right.")), Length(max=4000)],
    )
