"""Forms for keeping the org chart: units, moves, activation and the import upload."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import BooleanField, HiddenField, IntegerField, SelectField, StringField
from wtforms.validators import AnyOf, DataRequired, Length, NumberRange, Optional, Regexp

from dudao.core.enums import UnitLevel
from dudao.org.import_kept import TOKEN
from dudao.org.import_rows import MAX_CODE, MAX_HEADCOUNT, MAX_NAME, TAG_SEPARATORS
from dudao.web.labels import label


def split_tags(text: str | None) -> list[str]:
    """Tags typed as one line, separated by ; or ； or , (as in the import file)."""
    return sorted({tag.strip() for tag in TAG_SEPARATORS.split(text or "") if tag.strip()})


class TagsField(StringField):
    """Tags as one line to type; a unit's list (`UnitForm(obj=unit)`) reads as that line,
    so the page shows it and a form posted without the field keeps it."""

    def process_data(self, value: object) -> None:
        super().process_data("; ".join(value) if isinstance(value, list) else value)


def _level_choices() -> list[tuple[str, str]]:
    return [(level.value, label(level)) for level in UnitLevel]


class UnitForm(FlaskForm):
    """Editing a unit's own fields; its place in the tree changes through MoveUnitForm."""

    name = StringField(_l("Unit name"), validators=[DataRequired(), Length(max=MAX_NAME)])
    name_en = StringField(_l("English name"), validators=[Optional(), Length(max=MAX_NAME)])
    level = SelectField(_l("Level"), validators=[DataRequired()])
    tags = TagsField(
        _l("Tags"),
        validators=[Optional(), Length(max=500)],
        description=_l("Separate tags with ; or ,"),
    )
    headcount = IntegerField(
        _l("Headcount"),
        validators=[
            Optional(),
            NumberRange(min=0, max=MAX_HEADCOUNT, message=_l("From %(min)s to %(max)s.")),
        ],
        render_kw={"min": 0},
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.level.choices = _level_choices()

    def values(self) -> dict[str, object]:
        """The fields as keyword arguments for the org services."""
        return {
            "name": (self.name.data or "").strip(),
            "name_en": (self.name_en.data or "").strip() or None,
            "level": UnitLevel(self.level.data),
            "tags": split_tags(self.tags.data),
            "headcount": self.headcount.data,
        }


class ChildUnitForm(UnitForm):
    """A new unit needs a code, which never changes afterwards (imports match on it)."""

    code = StringField(_l("Code"), validators=[DataRequired(), Length(max=MAX_CODE)])


class MoveUnitForm(FlaskForm):
    parent_code = StringField(
        _l("Code of the new parent unit"), validators=[DataRequired(), Length(max=MAX_CODE)]
    )


class ActiveForm(FlaskForm):
    """Deactivate or reactivate: the wanted state is sent, so a double click is harmless.
    `with_subtree` is "1" once the admin has confirmed that the active units below go too."""

    active = HiddenField(validators=[AnyOf(["0", "1"])])
    with_subtree = HiddenField(validators=[Optional(), AnyOf(["0", "1"])])


class ImportForm(FlaskForm):
    file = FileField(
        _l("Org chart file (CSV or XLSX)"),
        validators=[
            FileRequired(_l("Choose a file to import.")),
            FileAllowed(["csv", "xlsx"], _l("Only CSV and XLSX files can be imported.")),
        ],
    )
    dry_run = BooleanField(_l("Only check the file; change nothing"))


class ImportKeptForm(FlaskForm):
    """Import the file a dry run found correct, as kept for the uploader (org/import_kept.py)."""

    kept = HiddenField(validators=[DataRequired(), Regexp(TOKEN)])
    filename = HiddenField(validators=[DataRequired(), Length(max=255)])
