"""The feedback form."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length


class FeedbackForm(FlaskForm):
    kind = SelectField(_l("Kind"), validators=[DataRequired()])
    unit = SelectField(_l("About the unit"), coerce=int, validators=[DataRequired()])
    category = SelectField(_l("Category"), validators=[DataRequired()])
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    body = TextAreaField(
        _l("Opinion or suggestion"), validators=[DataRequired(), Length(max=10000)]
    )
    attachments = MultipleFileField(
        _l("Attachments (PDF, images, DOCX, XLSX, TXT; at most 5, 10 MB each)")
    )
