"""Errors that services raise and every surface (web, CLI, job) knows how to show."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def N_(text: str) -> str:
    """Marks a message for the translation catalogue; pages translate it when shown."""
    return text


class Message(str):
    """An English sentence that keeps its template (the catalogue's msgid) and values.

    As a str it is the English text, so logs, tests and `str()` read as before; a
    surface shows it in its reader's language with `in_language(gettext)` (the web
    passes flask_babel's gettext, a command the default language's), so the service
    that made it needs no Flask. Values that are Messages (a noun such as "item type")
    are translated too. Mark the template: `Message(N_("unknown field %(name)r"), name=n)`.
    """

    template: str
    params: dict[str, Any]

    def __new__(cls, template: str, /, **params: Any) -> Message:
        self = super().__new__(cls, template % params if params else template)
        self.template, self.params = template, params
        return self

    def in_language(self, gettext: Callable[[str], str]) -> str:
        text = gettext(self.template)
        if not self.params:
            return text
        return text % {name: shown(value, gettext) for name, value in self.params.items()}


def shown(text: Any, gettext: Callable[[str], str]) -> Any:
    """A Message in the language of `gettext`; anything else as it is."""
    return text.in_language(gettext) if isinstance(text, Message) else text


class DudaoError(Exception):
    """Base class: a problem the user can understand and fix; never a bug."""

    def in_language(self, gettext: Callable[[str], str]) -> str:
        """The message for a reader: a Message translated by `gettext`, other text as is
        (pages pass flask_babel's gettext, commands the default language's)."""
        return str(shown(self.args[0], gettext)) if self.args else ""


class ConfigError(DudaoError):
    """The configuration cannot work: a bad URL, an unreachable server."""


class NotFound(DudaoError):
    pass


class PermissionDenied(DudaoError):
    pass


class ValidationError(DudaoError):
    """Bad input; `problems` lists every located problem, not just the first."""

    def __init__(self, message: str, problems: list[str] | None = None) -> None:
        super().__init__(message)
        self.problems = problems or []
