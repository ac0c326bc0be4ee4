"""Reading a folder of definition files such as `forms/`, without the database.

The sync reads and checks the whole folder before it writes anything, so that one
bad file stops it with every located problem and nothing half-synced; `dudao forms
check` finds the files the same way.
"""

from __future__ import annotations

from pathlib import Path

from dudao.definitions.loader import LoadedDefinition, load_text
from dudao.definitions.problems import DOCUMENT, DefinitionError, Problem

DEFINITION_SUFFIXES = (".yaml", ".yml", ".json")


def definition_files(folder: Path) -> list[Path]:
    """Definition files below `folder`, sorted; JSON Schema files and dot-folders are skipped."""
    return sorted(
        path
        for path in folder.rglob("*")
        if path.is_file()
        and path.suffix.lower() in DEFINITION_SUFFIXES
        and not path.name.endswith(".schema.json")
        and not any(part.startswith(".") for part in path.relative_to(folder).parts)
    )


def _read(path: Path, shown: str, problems: list[Problem]) -> str | None:
    try:
        return path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        problems.append(Problem(shown, 1, 1, DOCUMENT, f"not UTF-8 text (byte {exc.start})"))
    except OSError as exc:
        problems.append(Problem(shown, 1, 1, DOCUMENT, f"cannot be read: {exc.strerror}"))
    return None


def load_folder(folder: Path) -> tuple[list[tuple[str, LoadedDefinition]], list[Problem]]:
    """Each file's name below `folder` with its definition, and every problem found
    (unreadable, invalid, or a key that an earlier file already defines)."""
    loaded: list[tuple[str, LoadedDefinition]] = []
    problems: list[Problem] = []
    first_file: dict[str, str] = {}
    for path in definition_files(folder):
        name = path.relative_to(folder).as_posix()
        shown = f"{folder.name}/{name}"
        text = _read(path, shown, problems)
        if text is None:
            continue
        try:
            result = load_text(text, shown)
        except DefinitionError as exc:
            problems.extend(exc.problems)
            continue
        key = result.definition.key
        if key in first_file:
            problems.append(
                Problem(shown, 1, 1, "key", f"{key!r} is already defined in {first_file[key]}")
            )
            continue
        first_file[key] = shown
        loaded.append((name, result))
    return loaded, problems
