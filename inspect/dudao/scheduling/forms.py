"""Forms for editing a schedule and creating ad hoc inspections."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import get_translations
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
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

from dudao.core.enums import UnitLevel
from dudao.org.forms import split_tags
from dudao.scheduling.assign import DEFAULT_POOL_COUNT
from dudao.scheduling.recurrence import RecurrenceError, parse_rule
from dudao.web.fields import CheckboxesField, VersionField
from dudao.web.labels import label

#: What a number field takes, said when it gets something else (0 is a number: the
#: field is required with InputRequired, which DataRequired would call missing).
FROM_TO = _l("From %(min)s to %(max)s.")
WHOLE_DAYS = _l("A whole number of days from %(min)s to %(max)s.")


def _level_choices() -> list[tuple[str, str]]:
    return [(level.value, label(level)) for level in UnitLevel]


def split_names(text: str | None) -> list[str]:
    """Usernames or unit codes typed on one line, separated by spaces, commas, semicolons
    or 、 (full-width ones too): the one way the schedule, ad hoc and draw forms read them."""
    return split_tags(",".join((text or "").replace("、", ",").split()))


#: An assignment policy in words, for the form and for the audit log.
POLICY_LABELS = {
    "pool": _l("Drawn at random from a pool"),
    "named": _l("Named inspectors"),
    "unit_lead": _l("The unit's own lead"),
}
#: The form's label for a pool's number of inspectors per inspection.
POOL_COUNT = _l("Inspectors per inspection (pool)")


def _policy_choices() -> list[tuple[str, Any]]:
    return list(POLICY_LABELS.items())


class ScheduleForm(FlaskForm):
    """One schedule; `version` carries the optimistic lock (the version the editor loaded)."""

    version = VersionField()
    name = StringField(_l("Schedule name"), validators=[DataRequired(), Length(max=200)])
    definition_key = SelectField(_l("Checklist"), validators=[DataRequired()])
    scope_code = StringField(
        _l("Scope: code of the subtree root"), validators=[DataRequired(), Length(max=64)]
    )
    levels = CheckboxesField(_l("Levels (none selected: all)"), validators=[Optional()])
    tags = StringField(
        _l("Tags (a unit with any of them; empty: all)"),
        validators=[Optional(), Length(max=500)],
    )
    exclude = StringField(
        _l("Excluded unit codes (with everything below them)"),
        validators=[Optional(), Length(max=1000)],
    )
    rrule = StringField(
        _l("Recurrence (iCalendar RRULE)"),
        validators=[DataRequired(), Length(max=500)],
        description=_l("e.g. FREQ=MONTHLY;BYMONTHDAY=-1 or FREQ=MONTHLY;INTERVAL=3;BYMONTHDAY=1"),
    )
    dtstart = DateField(_l("First period starts"), validators=[InputRequired()])
    window_days = IntegerField(
        _l("Due this many days after the start"),
        validators=[InputRequired(), NumberRange(min=1, max=366, message=WHOLE_DAYS)],
    )
    policy = SelectField(_l("Assignment"), validators=[DataRequired()])
    people = StringField(
        _l("Inspectors or pool (usernames)"), validators=[Optional(), Length(max=1000)]
    )
    count = IntegerField(
        POOL_COUNT,
        validators=[Optional(), NumberRange(min=1, max=20, message=FROM_TO)],
        default=DEFAULT_POOL_COUNT,
    )

    def __init__(self, *args: Any, definitions: list[tuple[str, str]] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.definition_key.choices = list(definitions)
        self.levels.choices = _level_choices()
        self.policy.choices = _policy_choices()

    def validate_rrule(self, field: StringField) -> None:
        try:
            parse_rule(field.data or "", self.dtstart.data or date.today())
        except RecurrenceError as exc:
            raise ValidationError(exc.message.in_language(get_translations())) from None

    def validate_people(self, field: StringField) -> None:
        if self.policy.data in ("named", "pool") and not split_names(field.data):
            raise ValidationError(_l("Name at least one inspector."))

    def assignment(self) -> dict[str, Any]:
        policy = self.policy.data
        names = split_names(self.people.data)
        if policy == "named":
            return {"policy": "named", "inspectors": names}
        if policy == "pool":
            return {"policy": "pool", "pool": names, "count": self.count.data or DEFAULT_POOL_COUNT}
        return {"policy": "unit_lead"}


class ActiveForm(FlaskForm):
    version = VersionField()


class AdHocForm(FlaskForm):
    unit_code = StringField(_l("Unit code"), validators=[DataRequired(), Length(max=64)])
    subtree = BooleanField(_l("Also every active unit below it"))
    levels = CheckboxesField(
        _l("Only these levels (with the units below)"), validators=[Optional()]
    )
    definition_key = SelectField(_l("Checklist"), validators=[DataRequired()])
    due = DateField(_l("Due date"), validators=[InputRequired()])
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(), Length(max=2000)])
    inspectors = StringField(
        _l("Inspectors (usernames, optional)"), validators=[Optional(), Length(max=1000)]
    )

    def __init__(self, *args: Any, definitions: list[tuple[str, str]] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.definition_key.choices = list(definitions)
        self.levels.choices = _level_choices()
