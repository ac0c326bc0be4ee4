"""Request size limits per view, and what the browser is told of them.

The app-wide limit (MAX_CONTENT_LENGTH) is below what a form with several attachments
promises, and a 413 loses everything typed in the form: the views that take attachments
raise their own limit, and their file inputs carry the limits for uploads.js, which
refuses an oversized choice before anything is sent.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask import current_app, request
from flask_babel import gettext as _

F = TypeVar("F", bound=Callable[..., Any])

MB = 1024 * 1024
#: What a form's fields besides its files can add to a request.
FORM_TEXT_BYTES = MB


def accepts_uploads(files: int, file_bytes: int) -> Callable[[F], F]:
    """A view that takes up to `files` files of `file_bytes` each besides its text."""

    def decorator(view: F) -> F:
        view.max_request_bytes = files * file_bytes + FORM_TEXT_BYTES  # type: ignore[attr-defined]
        return view

    return decorator


def apply_view_limit() -> None:
    """Before any other before-request function: the CSRF check reads the body."""
    view = current_app.view_functions.get(request.endpoint or "")
    limit = getattr(view, "max_request_bytes", None)
    if limit is not None:
        request.max_content_length = limit


def limits(files: int, file_bytes: int) -> dict[str, Any]:
    """The data attributes of a file input that uploads.js checks on each choice."""
    return {
        "data_max_files": files,
        "data_max_bytes": file_bytes,
        "data_too_many": _("Choose at most %(n)s files.", n=files),
        "data_too_large": _(
            "%(file)s is larger than %(size)s MB: choose a smaller file.",
            file="{file}", size=file_bytes // MB,
        ),
    }  # fmt: skip
