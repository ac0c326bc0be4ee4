"""A request's JSON object, read field by field with the type each field must have.

A field of another type is refused with 422 naming it, instead of being turned into
something else: a list stored as the text "['a']", "abc" taken for a version that then
never matches (a 409 that sends the client to reload instead of to its bug).
"""

from __future__ import annotations

from typing import Any, NoReturn

from flask import request
from flask_babel import gettext as _

from dudao.inspections.api_support import ApiError


class JsonBody(dict[str, Any]):
    def text(self, name: str) -> str:
        """The field's text; "" when it is absent or null."""
        value = self.get(name)
        if value is None:
            return ""
        if not isinstance(value, str):
            _refuse(name, _("%(name)s must be text.", name=name))
        return value

    def number(self, name: str, wrong: str | None = None) -> int | None:
        """The field's whole number; None when it is absent or null."""
        value = self.get(name)
        if value is None or (isinstance(value, int) and not isinstance(value, bool)):
            return value
        _refuse(name, wrong or _("%(name)s must be a whole number.", name=name))

    def flag(self, name: str) -> bool:
        value = self.get(name)
        if value is None or isinstance(value, bool):
            return bool(value)
        _refuse(name, _("%(name)s must be true or false.", name=name))

    def texts(self, name: str, wrong: str) -> list[str]:
        """The field's list of strings; [] when it is absent or null."""
        value = self.get(name)
        if value is None:
            return []
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            _refuse(name, wrong)
        return value

    def mapping(self, name: str, wrong: str) -> dict[str, Any]:
        """The field's object; {} when it is absent or null."""
        value = self.get(name)
        if value is None:
            return {}
        if not isinstance(value, dict):
            _refuse(name, wrong)
        return value


def json_body() -> JsonBody:
    try:
        data = request.get_json(silent=True)
    except RecursionError:  # nested deeper than the parser goes: not a body we take
        data = None
    if not isinstance(data, dict):
        raise ApiError(
            400, "bad_request", _("Send a JSON object with Content-Type application/json.")
        )
    return JsonBody(data)


def _refuse(name: str, wrong: str) -> NoReturn:
    raise ApiError(422, "invalid", wrong, {name: wrong})
