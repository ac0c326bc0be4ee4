"""Errors that services raise and every surface (web, CLI, job) knows how to show."""

from __future__ import annotations

from collections.abc import Iterable
from gettext import NullTranslations
from typing import Any, Protocol


class Language(Protocol):
    """A catalogue's lookups: babel's Translations (commands, jobs) or flask_babel's
    `get_translations()` (the page's language)."""

    def gettext(self, message: str) -> str: ...

    def ngettext(self, singular: str, plural: str, n: int) -> str: ...


_HEADER = ""  # a name, not a literal: extraction would take "" for a message


def language_code(language: Language) -> str:
    """The catalogue's language ("zh_CN") as its header states it: gettext keeps the header
    as the translation of "" (flask_babel's merged catalogue keeps no `info()`). English,
    the source language, has no catalogue."""
    for line in language.gettext(_HEADER).splitlines():
        name, _sep, value = line.partition(":")
        if name.strip().lower() == "language" and value.strip():
            return value.strip()
    return "en"


def N_(text: str) -> str:
    """Marks a message for the translation catalogue; pages translate it when shown."""
    return text


class Message(str):
    """An English sentence that keeps its template (the catalogue's msgid) and values.

    As a str it is the English text, so logs, tests and `str()` read as before; a
    surface shows it in its reader's language with `in_language(language)` (the web
    passes the page's catalogue, a command the default language's), so the service
    that made it needs no Flask. Values that are Messages (a noun such as "item type")
    are translated too. Mark the template: `Message(N_("unknown field '%(name)s'"), name=n)`.
    """

    template: str
    params: dict[str, Any]

    def __new__(cls, template: str, /, **params: Any) -> Message:
        english = {name: shown(value, SOURCE) for name, value in params.items()}
        self = super().__new__(cls, template % english if params else template)
        self.template, self.params = template, params
        return self

    def in_language(self, language: Language) -> str:
        text = self._template_in(language)
        if not self.params:
            return text
        return text % {name: shown(value, language) for name, value in self.params.items()}

    def _template_in(self, language: Language) -> str:
        return language.gettext(self.template)


class Plural(Message):
    """A Message whose words follow a count, `num`: `Plural("Add at most %(num)d photo.",
    "Add at most %(num)d photos.", num=n)` (the catalogue holds both forms; extraction
    knows `Plural` as it knows ngettext)."""

    plural: str

    def __new__(cls, singular: str, plural: str, /, *, num: int, **params: Any) -> Plural:
        self = super().__new__(cls, singular if num == 1 else plural, num=num, **params)
        self.template, self.plural = singular, plural
        return self  # type: ignore[return-value]

    def _template_in(self, language: Language) -> str:
        return language.ngettext(self.template, self.plural, self.params["num"])


class Listed(Message):
    """Texts joined by a separator ("a; b"), each Message among them, and the separator
    (full-width in Chinese), in the reader's language. `name_list` lists words instead."""

    parts: tuple[Any, ...]
    separator: str

    def __new__(cls, parts: Iterable[Any], separator: str | None = None) -> Listed:
        parts, separator = tuple(parts), separator or LIST_SEPARATOR
        self = str.__new__(cls, separator.join(str(part) for part in parts))
        self.template, self.params, self.parts, self.separator = str(self), {}, parts, separator
        return self

    def in_language(self, language: Language) -> str:
        separator = language.gettext(self.separator)
        return separator.join(str(shown(part, language)) for part in self.parts)


# TRANSLATORS: between the entries of a list of problems or conditions ("a; b").
LIST_SEPARATOR = N_("; ")
# TRANSLATORS: between names or words listed in a sentence ("FREQ, INTERVAL"; 、 in Chinese).
NAME_SEPARATOR = N_(", ")


def name_list(parts: Iterable[Any]) -> Listed:
    """Names or words in a sentence, "a, b" in English and "a、b" in Chinese."""
    return Listed(parts, NAME_SEPARATOR)


def quoted(text: Any) -> Message:
    """A value quoted as the reader's language quotes it: 'pass' in English, “pass” in Chinese
    (a message's own template writes '%(name)s', translated “%(name)s”)."""
    # TRANSLATORS: a value quoted in a sentence; “%(text)s” in Chinese.
    return Message(N_("'%(text)s'"), text=text)


class FieldProblem(Message):
    """`field: problem`, a ValidationError's problem that a view places beside its field:
    the field's name as it is, the problem in the reader's language (the template is not
    in the catalogue). Views read `field` rather than splitting the text at ": ", which
    a translated problem may itself contain."""

    @property
    def field(self) -> str:
        return self.params["field"]

    @property
    def problem(self) -> Any:
        return self.params["problem"]


def field_problem(field: str, problem: Any) -> FieldProblem:
    return FieldProblem("%(field)s: %(problem)s", field=field, problem=problem)


def by_field(problems: Iterable[Any], language: Language) -> tuple[dict[str, list[str]], list[str]]:
    """A ValidationError's problems in the reader's language: those that name a field
    under it, and the others, whole, in their order."""
    fields: dict[str, list[str]] = {}
    others = []
    for problem in problems:
        if isinstance(problem, FieldProblem):
            fields.setdefault(problem.field, []).append(str(shown(problem.problem, language)))
        else:
            others.append(str(shown(problem, language)))
    return fields, others


#: The source language, English: what a Message reads as a str (logs, tests).
SOURCE = NullTranslations()


def shown(text: Any, language: Language) -> Any:
    """A Message in `language`, or a text written in both languages (a definition's or a
    workflow's label, which has `in_language` too); anything else as it is."""
    in_language = getattr(text, "in_language", None)
    return in_language(language) if callable(in_language) else text


class DudaoError(Exception):
    """Base class: a problem the user can understand and fix; never a bug."""

    @property
    def message(self) -> Any:
        """What it was raised with: a Message, to show later in its reader's language."""
        return self.args[0] if self.args else ""

    def in_language(self, language: Language) -> str:
        """The message for a reader: a Message in `language`, other text as is (pages
        pass the page's catalogue, commands the default language's)."""
        return str(shown(self.message, language))


class Invalid(ValueError):
    """A value that cannot be used (an answer, a recurrence rule, an XLSForm expression),
    raised with a Message that the caller places beside its field or line."""

    @property
    def message(self) -> Message:
        return self.args[0]


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

    def names(self, field: str) -> bool:
        """Whether one of the problems is about `field` (a FieldProblem)."""
        return any(getattr(problem, "field", None) == field for problem in self.problems)

    @classmethod
    def of_field(cls, field: str, message: Any) -> ValidationError:
        """A refusal for one field's sake: `message`, placed beside `field` as well."""
        return cls(message, [field_problem(field, message)])
