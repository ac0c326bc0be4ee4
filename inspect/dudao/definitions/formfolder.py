"""Reading a folder of definition files such as `forms/`, without the database.

The sync reads and checks the whole folder before it writes anything, so that one
bad file stops it with every located problem and nothing half-synced; `dudao forms
check` finds the files the same way.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from dudao.core.errors import N_, Message
from dudao.definitions.loader import LoadedDefinition, load_file
from dudao.definitions.problems import DefinitionError, Problem

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


def _claim_key(first: dict[str, str], loaded: LoadedDefinition) -> Problem | None:
    """Note the file that defines a definition key first (`first`: key -> file); a later
    file with the same key is a problem at its own `key:` line naming the first file."""
    key = loaded.definition.key
    if key not in first:
        first[key] = loaded.filename
        return None
    line, col = loaded.source.locate(("key",)) if loaded.source else (1, 1)
    message = Message(
        N_("definition key '%(key)s' is already defined in %(file)s"), key=key, file=first[key]
    )
    return Problem(loaded.filename, line, col, "key", message)


def load_files(
    files: Iterable[tuple[Path, str]],
) -> tuple[list[tuple[Path, LoadedDefinition]], list[Problem]]:
    """Each file (its path, and its name as problems show it) with its definition, and
    every problem found: unreadable, invalid, or a key that an earlier file defines (for
    the sync and `dudao forms check` alike)."""
    loaded: list[tuple[Path, LoadedDefinition]] = []
    problems: list[Problem] = []
    first_file: dict[str, str] = {}
    for path, shown in files:
        try:
            result = load_file(path, shown)
        except DefinitionError as exc:
            problems.extend(exc.problems)
            continue
        taken = _claim_key(first_file, result)
        if taken is not None:
            problems.append(taken)
            continue
        loaded.append((path, result))
    return loaded, problems


def load_folder(folder: Path) -> tuple[list[tuple[str, LoadedDefinition]], list[Problem]]:
    """Each file's name below `folder` with its definition, and every problem found."""
    named = {path: path.relative_to(folder).as_posix() for path in definition_files(folder)}
    loaded, problems = load_files((path, f"{folder.name}/{name}") for path, name in named.items())
    return [(named[path], result) for path, result in loaded], problems
