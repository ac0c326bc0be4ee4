"""Form fields more than one feature's forms use."""

from __future__ import annotations

from typing import Any

from wtforms import HiddenField


class VersionField(HiddenField):
    """The row version a form was made from (the optimistic lock). A posted value that is
    no version (edited, or missing) reads as -1: stale, refused as changed meanwhile,
    never a 500."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        raw = str(valuelist[0]) if valuelist else ""
        self.data = int(raw) if raw.isdigit() else -1
