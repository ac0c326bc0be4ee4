"""Forms of the inspection pages: who is assigned (actions: dudao.workflow.actions)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectMultipleField
from wtforms.widgets import CheckboxInput, ListWidget


class AssigneesForm(FlaskForm):
    users = SelectMultipleField(
        _l("Inspectors"),
        coerce=int,
        option_widget=CheckboxInput(),
        widget=ListWidget(prefix_label=False),
        validate_choice=True,
    )
