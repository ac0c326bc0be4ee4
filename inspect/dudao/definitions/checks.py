"""Small typed readers that record a located problem instead of raising.

Each reader returns the normalised value, or `INVALID` after recording a
problem, so validation can go on and report everything in one pass.
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Iterable
from datetime import date
from typing import Any

from dudao.core.errors import N_, Message, name_list
from dudao.definitions.problems import Path
from dudao.definitions.yamlsource import Source

KEY_RE = re.compile(r"^[a-z][a-z0-9_]*$")
KEY_MAX = 64
#: Control characters (other than tab and line breaks) and lone surrogates, e.g. from
#: "\0" or "\u001b" escapes: nothing shows them, and PostgreSQL refuses NUL.
CONTROL_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


class _Invalid:
    def __repr__(self) -> str:
        return "INVALID"

    def __bool__(self) -> bool:
        return False


INVALID: Any = _Invalid()


def describe(value: Any) -> str:
    """How a wrong value reads in a message: its YAML type, not Python's."""
    if value is None:
        return Message(N_("nothing (null)"))
    if isinstance(value, bool):
        return Message(N_("true/false"))
    if isinstance(value, int | float):
        return Message(N_("a number"))
    if isinstance(value, str):
        return Message(N_("text"))
    if isinstance(value, list):
        return Message(N_("a list"))
    if isinstance(value, dict):
        return Message(N_("a mapping"))
    return type(value).__name__


def suggest(name: str, candidates: Iterable[str]) -> str | None:
    """The candidate `name` is probably a typo of, if any."""
    match = difflib.get_close_matches(name, [str(c) for c in candidates], n=1, cutoff=0.6)
    return match[0] if match else None


class Checker:
    """Records problems against a Source while reading typed values out of plain data."""

    def __init__(self, source: Source) -> None:
        self.source = source

    def add(self, path: Path, message: str, *, key: bool = False) -> Any:
        """Record a problem (a `Message`, so it can be shown translated); INVALID."""
        self.source.add(path, message, key=key)
        return INVALID

    def mapping(self, value: Any, path: Path, what: str | None = None) -> dict[str, Any] | Any:
        if not isinstance(value, dict):
            what = what or Message(N_("a mapping"))
            got = describe(value)
            return self.add(path, Message(N_("expected %(what)s, got %(got)s"), what=what, got=got))
        return value

    def fields(
        self,
        data: dict[str, Any],
        path: Path,
        allowed: Iterable[str],
        elsewhere: dict[str, str] | None = None,
    ) -> None:
        """Report each field not in `allowed`: misplaced ones say why, others get a hint."""
        allowed = list(allowed)
        elsewhere = elsewhere or {}
        for name in data:
            if name in allowed:
                continue
            if name in elsewhere:
                self.add((*path, name), elsewhere[name], key=True)
            else:
                match = suggest(name, [*allowed, *elsewhere])
                message = (
                    Message(
                        N_("unknown field '%(name)s'; did you mean '%(match)s'?"),
                        name=name,
                        match=match,
                    )
                    if match
                    else Message(N_("unknown field '%(name)s'"), name=name)
                )
                self.add((*path, name), message, key=True)

    def require(self, data: dict[str, Any], path: Path, name: str) -> bool:
        if data.get(name) is None:
            self.add((*path, name), Message(N_("missing required field '%(name)s'"), name=name))
            return False
        return True

    def text(self, value: Any, path: Path, *, max_length: int = 2000) -> str | Any:
        if not isinstance(value, str):
            got = describe(value)
            message = (
                Message(N_("expected text, got %(got)s (put it in quotes)"), got=got)
                if isinstance(value, int | float | bool)
                else Message(N_("expected text, got %(got)s"), got=got)
            )
            return self.add(path, message)
        if not value.strip():
            return self.add(path, Message(N_("must not be empty")))
        if len(value) > max_length:
            return self.add(path, Message(N_("is longer than %(max)d characters"), max=max_length))
        bad = CONTROL_RE.search(value)
        if bad:
            return self.add(
                path,
                Message(N_("contains the control character U+%(code)04X"), code=ord(bad.group())),
            )
        return value

    def local_text(
        self, value: Any, path: Path, *, max_length: int = 2000
    ) -> dict[str, str | None] | Any:
        """A plain (Chinese) string or {zh: ..., en: ...} -> {"zh": ..., "en": ... or None}."""
        if not isinstance(value, dict):
            zh = self.text(value, path, max_length=max_length)
            return INVALID if zh is INVALID else {"zh": zh, "en": None}
        self.fields(value, path, ("zh", "en"))
        if not self.require(value, path, "zh"):
            return INVALID
        zh = self.text(value["zh"], (*path, "zh"), max_length=max_length)
        en = (
            None
            if value.get("en") is None
            else self.text(value["en"], (*path, "en"), max_length=max_length)
        )
        if zh is INVALID or en is INVALID:
            return INVALID
        return {"zh": zh, "en": en}

    def key(self, value: Any, path: Path) -> str | Any:
        if not isinstance(value, str):
            return self.add(
                path, Message(N_("expected a key (text), got %(got)s"), got=describe(value))
            )
        if not KEY_RE.match(value) or len(value) > KEY_MAX:
            return self.add(
                path,
                Message(
                    N_(
                        "'%(value)s' is not a valid key: use lower-case letters, digits and '_', "
                        "starting with a letter (at most %(max)d characters)"
                    ),
                    value=value,
                    max=KEY_MAX,
                ),
            )
        return value

    def date(self, value: Any, path: Path, example: str) -> date | Any:
        """A day written YYYY-MM-DD (quoted or not: the YAML reader keeps scalars as text)."""
        if isinstance(value, str):
            try:
                return date.fromisoformat(value)
            except ValueError:
                pass
        expected = N_("expected a date as YYYY-MM-DD (e.g. %(example)s)")
        return self.add(path, Message(expected, example=example))

    def boolean(self, value: Any, path: Path) -> bool | Any:
        if not isinstance(value, bool):
            return self.add(
                path, Message(N_("expected true or false, got %(got)s"), got=describe(value))
            )
        return value

    def integer(
        self, value: Any, path: Path, low: int | None = None, high: int | None = None
    ) -> int | Any:
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int):
            return self.add(
                path, Message(N_("expected a whole number, got %(got)s"), got=describe(value))
            )
        return self._range(value, path, low, high)

    def number(
        self, value: Any, path: Path, low: float | None = None, high: float | None = None
    ) -> int | float | Any:
        if isinstance(value, bool) or not isinstance(value, int | float):
            return self.add(
                path, Message(N_("expected a number, got %(got)s"), got=describe(value))
            )
        if isinstance(value, float) and not math.isfinite(value):
            return self.add(path, Message(N_("expected a finite number")))
        if isinstance(value, int) and abs(value) > 10**15:
            return self.add(path, Message(N_("is too large")))
        return self._range(value, path, low, high)

    def _range(self, value: Any, path: Path, low: float | None, high: float | None) -> Any:
        if low is not None and high is not None and not low <= value <= high:
            return self.add(
                path,
                Message(
                    N_("must be between %(low)s and %(high)s, got %(value)s"),
                    low=low,
                    high=high,
                    value=value,
                ),
            )
        if low is not None and value < low:
            return self.add(
                path, Message(N_("must be at least %(low)s, got %(value)s"), low=low, value=value)
            )
        if high is not None and value > high:
            return self.add(
                path,
                Message(N_("must be at most %(high)s, got %(value)s"), high=high, value=value),
            )
        return value

    def choice(self, value: Any, path: Path, choices: Iterable[str], what: str) -> str | Any:
        if isinstance(value, str) and isinstance(choices, tuple | list) and value in choices:
            return value
        choices = [str(choice) for choice in choices]
        listed = name_list(choices)
        if not isinstance(value, str):
            return self.add(
                path,
                Message(
                    N_("expected one of %(choices)s, got %(got)s"),
                    choices=listed,
                    got=describe(value),
                ),
            )
        if value not in choices:
            match = suggest(value, choices)
            message = (
                Message(
                    N_(
                        "unknown %(what)s '%(value)s'; did you mean '%(match)s'? "
                        "(one of: %(choices)s)"
                    ),
                    what=what,
                    value=value,
                    match=match,
                    choices=listed,
                )
                if match
                else Message(
                    N_("unknown %(what)s '%(value)s' (one of: %(choices)s)"),
                    what=what,
                    value=value,
                    choices=listed,
                )
            )
            return self.add(path, message)
        return value

    def sequence(
        self, value: Any, path: Path, what: str, *, empty_ok: bool = False
    ) -> list[Any] | Any:
        if not isinstance(value, list):
            return self.add(
                path,
                Message(
                    N_("expected a list of %(what)s, got %(got)s"), what=what, got=describe(value)
                ),
            )
        if not value and not empty_ok:
            return self.add(path, Message(N_("cannot be an empty list of %(what)s"), what=what))
        return value

    def optional(self, data: dict[str, Any], name: str, default: Any) -> Any:
        """A missing or null field means its default."""
        value = data.get(name)
        return default if value is None else value
