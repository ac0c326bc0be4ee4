"""Errors that services raise and every surface (web, CLI, job) knows how to show."""

from __future__ import annotations


def N_(text: str) -> str:
    """Marks a message for the translation catalogue; pages translate it when shown."""
    return text


class DudaoError(Exception):
    """Base class: a problem the user can understand and fix; never a bug."""


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
