"""Form fields more than one feature's forms use."""

from __future__ import annotations

from typing import Any

from wtforms import HiddenField, SelectMultipleField
from wtforms.widgets import CheckboxInput, ListWidget


class VersionField(HiddenField):
    """The row version a form was made from (the optimistic lock). A posted value that is
    no version (edited, or missing) reads as -1: stale, refused as changed meanwhile,
    never a 500."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        raw = str(valuelist[0]) if valuelist else ""
        self.data = int(raw) if raw.isdigit() else -1


class CheckboxesField(SelectMultipleField):
    """Several of a few choices as a group of boxes to tick (`_form.html` draws it as a
    fieldset): a multiple select box needs Ctrl-click, and a plain click there drops what
    was chosen before. Posts the same values as the select box did."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()
