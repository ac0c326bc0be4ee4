"""Located problems in a definition file, and the error that carries all of them.

A problem names file, line, column (both 1-based) and the dotted path of the
field (`sections[1].items[3].show_if.item`, indexes 0-based), so an author can
jump straight to it; the loader collects every problem before raising.
"""

from __future__ import annotations

from dataclasses import dataclass

from dudao.core.errors import ValidationError

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


class DefinitionError(ValidationError):
    """A definition cannot be loaded; `problems` lists every located Problem."""

    def __init__(self, problems: list[Problem]) -> None:
        problems = sorted(problems)
        first = problems[0] if problems else None
        count = len(problems)
        if first is None:
            message = "the definition is not valid"
        elif count == 1:
            message = str(first)
        else:
            message = f"{first} (and {count - 1} more problems)"
        super().__init__(message)
        self.problems: list[Problem] = problems  # type: ignore[assignment]
