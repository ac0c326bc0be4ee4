"""Located problems in a definition file, and the error that carries all of them.

A problem names file, line, column (both 1-based) and the dotted path of the
field (`sections[1].items[3].show_if.item`, indexes 0-based), so an author can
jump straight to it; the loader collects every problem before raising. The
message is a `Message` (English as a str, translatable where it is shown: the
upload page in the reader's language, `dudao forms check` in the default one);
the location stays as it is in every language.
"""

from __future__ import annotations

from dataclasses import dataclass

from dudao.core.errors import N_, Language, Message, Plural, ValidationError, field_problem

Path = tuple[str | int, ...]

#: The path shown for problems with the document as a whole (syntax, empty file).
DOCUMENT = "<document>"


def format_path(path: Path) -> str:
    """`("sections", 1, "items", 3, "key")` -> `sections[1].items[3].key`."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else part
    return text or DOCUMENT


@dataclass(frozen=True, order=True)
class Problem:
    file: str
    line: int
    col: int
    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}: {self.path}: {self.message}"

    def as_message(self) -> Message:
        """The whole line as a Message, for lists of sentences (an XLSForm's problems)."""
        return field_problem(f"{self.file}:{self.line}:{self.col}: {self.path}", self.message)

    def shown(self, language: Language) -> str:
        """`file:line:col: path: message` with the message in `language`."""
        return self.as_message().in_language(language)


class DefinitionError(ValidationError):
    """A definition cannot be loaded; `problems` lists every located Problem."""

    def __init__(self, problems: list[Problem]) -> None:
        problems = sorted(problems)
        first = problems[0] if problems else None
        count = len(problems)
        # A Message reads as the English line it always was and is shown in the reader's
        # language where an error is shown (a command's message, a page's flash).
        if first is None:
            message = Message(N_("the definition is not valid"))
        elif count == 1:
            message = first.as_message()
        else:
            message = Plural("%(first)s (and %(num)d more problem)",
                             "%(first)s (and %(num)d more problems)",
                             num=count - 1, first=first.as_message())  # fmt: skip
        super().__init__(message)
        self.problems: list[Problem] = problems  # type: ignore[assignment]
