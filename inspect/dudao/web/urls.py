"""Where a `next` parameter may send the browser: only to a path on this site."""

from __future__ import annotations

from urllib.parse import urlsplit


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
