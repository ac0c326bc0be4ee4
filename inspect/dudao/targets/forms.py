"""The pioneer post form, its retirement, and the office's entry (and correction) form.

Dates lie between services.EARLIEST and the organisation's today, which the view sets on
the form (`form.today`) before validating.
"""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileSize
from wtforms import (
    DateField,
    Field,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from dudao.feedback.services import ALLOWED_SUFFIXES, MAX_ATTACHMENT_BYTES
from dudao.targets.services import EARLIEST, EARLIEST_MESSAGE
from dudao.web.fields import VersionField

MAX_MEMBERS = 500
EVIDENCE_TYPES = sorted(suffix.lstrip(".") for suffix in ALLOWED_SUFFIXES)
MAX_AMOUNT = 100_000


class IsoDateField(DateField):
    """A date input holding YYYY-MM-DD, the only form it shows: strftime's %Y writes year 1
    as "1", and the browser then shows an empty field."""

    def __init__(self, label: str, **kwargs: object) -> None:
        super().__init__(label, render_kw={"min": EARLIEST.isoformat()}, **kwargs)

    def _value(self) -> str:
        if self.raw_data:
            return " ".join(self.raw_data)
        return self.data.isoformat() if self.data else ""


class _Dated(FlaskForm):
    today: date = date.max

    def _in_range(self, field: Field) -> None:
        if field.data and field.data > self.today:
            raise ValidationError(_l("The date cannot be in the future."))
        if field.data and field.data < EARLIEST:
            raise ValidationError(_l(EARLIEST_MESSAGE, earliest=EARLIEST.isoformat()))


class PioneerPostForm(_Dated):
    unit = SelectField(_l("Party branch"), coerce=int, validators=[DataRequired()])
    name = StringField(_l("Name of the post"), validators=[DataRequired(), Length(max=200)])
    member_count = IntegerField(
        _l("Members on the post"), validators=[InputRequired(), NumberRange(1, MAX_MEMBERS)]
    )
    responsible = StringField(
        _l("Members responsible (optional)"), validators=[Optional(), Length(max=200)]
    )
    established_on = IsoDateField(_l("Established on"), validators=[InputRequired()])
    description = TextAreaField(
        _l("What the post does"), validators=[DataRequired(), Length(max=2000)]
    )
    version = VersionField()

    def validate_established_on(self, field: Field) -> None:
        self._in_range(field)


class RetireForm(_Dated):
    retired_on = IsoDateField(_l("Retired on"), validators=[InputRequired()])
    reason = StringField(_l("Why it is retired"), validators=[DataRequired(), Length(max=500)])
    version = VersionField()
    established_on: date = date.min

    def validate_retired_on(self, field: Field) -> None:
        self._in_range(field)
        if field.data and field.data < self.established_on:
            raise ValidationError(_l("The post cannot be retired before it was established."))


class EntryForm(_Dated):
    unit = SelectField(_l("Achieved at (unit)"), coerce=int, validators=[DataRequired()])
    entry_date = IsoDateField(_l("Date"), validators=[InputRequired()])
    amount = IntegerField(_l("Amount"), validators=[InputRequired(), NumberRange(1, MAX_AMOUNT)])
    description = TextAreaField(
        _l("What was achieved"), validators=[DataRequired(), Length(max=2000)]
    )
    reference = StringField(
        _l("Reference (document number or link)"), validators=[Optional(), Length(max=500)]
    )
    evidence = FileField(
        _l("Evidence file (PDF, image, DOCX, XLSX or TXT; at most 10 MB)"),
        validators=[
            FileAllowed(EVIDENCE_TYPES, _l("Attach only PDF, images, DOCX, XLSX or TXT files.")),
            FileSize(MAX_ATTACHMENT_BYTES, message=_l("The file is larger than 10 MB.")),
        ],
    )
    #: Only a correction needs a reason; it may also carry the old evidence over.
    correction = False

    def validate_entry_date(self, field: Field) -> None:
        self._in_range(field)

    def validate_evidence(self, field: Field) -> None:
        if not self.correction and not field.data and not (self.reference.data or "").strip():
            raise ValidationError(_l("Attach an evidence file or give a reference."))


class CorrectionForm(EntryForm):
    amount = IntegerField(
        _l("Amount (0 withdraws the entry)"),
        validators=[InputRequired(), NumberRange(0, MAX_AMOUNT)],
    )
    reason = StringField(_l("Why it is corrected"), validators=[DataRequired(), Length(max=500)])
    correction = True
