"""Where a `next` parameter may send the browser (only to a path on this site), and the
numbers a URL may carry."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from werkzeug.routing import IntegerConverter, Map

from dudao.core.database import LARGEST_ID


class IdConverter(IntegerConverter):
    """`<int:…>` with an upper bound: /inspections/99999999999999999999999 is not found
    (404), not an overflow in the database driver (500)."""

    def __init__(self, url_map: Map, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", LARGEST_ID)
        super().__init__(url_map, *args, **kwargs)


def is_safe_path(target: str | None) -> bool:
    """True for a local path such as ``/units/7?tab=x``; False for anything a browser could
    read as another site: ``//evil``, ``/\\evil``, ``https://evil``, control characters."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return False
    if "\\" in target or any(ord(c) < 0x20 or ord(c) == 0x7F for c in target):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc


def safe_next(target: str | None, fallback: str) -> str:
    return target if target is not None and is_safe_path(target) else fallback
