"""Settings files read again when they change, so an edit takes effect without a restart."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")
_cache: dict[tuple[Callable[[Path], Any], Path], tuple[int, Any]] = {}


def when_changed(path: Path, load: Callable[[Path], T]) -> T:
    """`load(path)`, kept until the file's modification time changes; FileNotFoundError
    when there is no file (the caller knows its default)."""
    mtime = path.stat().st_mtime_ns
    cached = _cache.get((load, path))
    if cached is None or cached[0] != mtime:
        cached = _cache[(load, path)] = (mtime, load(path))
    return cached[1]
