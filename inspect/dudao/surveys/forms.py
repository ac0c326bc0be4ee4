"""Office forms: a new campaign, a roster upload, and the confirmation of a replacement."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    Field,
    IntegerField,
    SelectField,
    StringField,
    ValidationError,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from dudao.core.enums import UnitLevel
from dudao.surveys.models import MIN_THRESHOLD
from dudao.web.fields import CheckboxesField
from dudao.web.labels import label

#: WTForms' own Chinese for NumberRange(min) says "greater than"; 3 itself is allowed.
AT_LEAST = NumberRange(min=MIN_THRESHOLD, max=1000, message=_l("From %(min)s to %(max)s."))


def within_this_century(_form: object, field: Field) -> None:
    """9999-12-31 would overflow the day after it, which the campaign's end is stored as."""
    if field.data and not 2000 <= field.data.year <= 2099:
        raise ValidationError(_l("Give a date between 2000 and 2099."))


class CampaignForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    definition = SelectField(_l("Questionnaire"), validators=[DataRequired()])
    scope = StringField(
        _l("Units in scope (code of the subtree's top unit)"),
        validators=[DataRequired(), Length(max=64)],
    )
    levels = CheckboxesField(
        _l("Levels that answer"),
        description=_l("None chosen: every unit of the subtree."),
        validators=[Optional()],
    )
    opens_on = DateField(_l("Opens on"), validators=[InputRequired(), within_this_century])
    closes_on = DateField(_l("Closes after"), validators=[InputRequired(), within_this_century])
    period_label = StringField(
        _l("Period"), validators=[DataRequired(), Length(max=40)], description=_l("e.g. 2026 Q4")
    )
    min_group = IntegerField(
        _l("Minimum group size for scores"),
        validators=[Optional(), AT_LEAST],
        description=_l("Empty: the questionnaire's default. Never below 3."),
    )
    min_comment_group = IntegerField(
        _l("Minimum group size for comments"),
        validators=[Optional(), AT_LEAST],
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.levels.choices = [(level.value, label(level)) for level in UnitLevel]

    def validate_closes_on(self, field: Field) -> None:
        """Said with the other mistakes, not only once they are fixed."""
        if self.opens_on.data and field.data and field.data < self.opens_on.data:
            raise ValidationError(_l("The campaign must close after it opens."))


class RosterForm(FlaskForm):
    file = FileField(
        _l("Roster file (CSV or XLSX)"),
        validators=[
            FileRequired(_l("Choose a file to import.")),
            FileAllowed(["csv", "xlsx"], _l("Only CSV and XLSX files can be imported.")),
        ],
    )


#: What the office confirms before a unit's links are replaced, by what is replaced.
UNDERSTOOD = {
    "invitations": _l(
        "I understand: every invitation of this unit not used yet stops working, also slips "
        "already handed out and links already e-mailed."
    ),
    "open_links": _l(
        "I understand: the unit's current open link stops working, also on the posters "
        "already put up."
    ),
    "renew_open_link": _l(
        "I understand: the unit gets a new open link, for the answers left under its cap."
    ),
    "remove_open_link": _l(
        "I understand: the unit's open link stops working, also on the posters already put "
        "up, and no new link is shown."
    ),
}


class ReplaceForm(FlaskForm):
    """A box to tick: replacing voids what people may already hold, so it is never one click."""

    understood = BooleanField(
        validators=[DataRequired(_l("Tick this box to confirm; nothing is replaced until then."))]
    )

    def __init__(self, kind: str, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.understood.label.text = UNDERSTOOD[kind]
