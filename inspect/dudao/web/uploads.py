"""Request size limits per view, and what the browser is told of them.

The app-wide limit (MAX_CONTENT_LENGTH) is below what a form with several attachments
promises, and a 413 loses everything typed in the form: the views that take attachments
raise their own limit, and their file inputs carry the limits for uploads.js, which
refuses a choice beyond them before anything is sent.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

from flask import current_app, request
from flask_babel import gettext as _

F = TypeVar("F", bound=Callable[..., Any])

MB = 1024 * 1024
#: What a form's fields besides its files can add to a request.
FORM_TEXT_BYTES = MB


@dataclass(frozen=True)
class UploadLimits:
    files: int
    file_bytes: int
    suffixes: Iterable[str]  # ".pdf", ...
    unsupported: str  # the service's words for a file of another kind, with %(file)s

    @property
    def file_mb(self) -> int:
        return self.file_bytes // MB

    @property
    def request_bytes(self) -> int:
        return self.files * self.file_bytes + FORM_TEXT_BYTES

    def attributes(self) -> dict[str, Any]:
        """The file input's: the browser's picker offers the suffixes; uploads.js checks
        each choice against all three limits."""
        suffixes = sorted(self.suffixes)
        return {
            "accept": ",".join(suffixes),
            "data_max_files": self.files,
            "data_max_bytes": self.file_bytes,
            "data_too_many": _("Choose at most %(n)s files.", n=self.files),
            "data_too_large": _(
                "%(file)s is larger than %(size)s MB: choose a smaller file.",
                file="{file}", size=self.file_mb,
            ),
            "data_unsupported": _(self.unsupported, file="{file}"),
        }  # fmt: skip


def accepts_uploads(limits: UploadLimits) -> Callable[[F], F]:
    """A view that takes files up to `limits` besides its text."""

    def decorator(view: F) -> F:
        view.max_request_bytes = limits.request_bytes  # type: ignore[attr-defined]
        return view

    return decorator


def apply_view_limit() -> None:
    """Before any other before-request function: the CSRF check reads the body."""
    view = current_app.view_functions.get(request.endpoint or "")
    limit = getattr(view, "max_request_bytes", None)
    if limit is not None:
        request.max_content_length = limit
