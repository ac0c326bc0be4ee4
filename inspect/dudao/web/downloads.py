"""Files sent under the name people gave them, which is often Chinese.

Werkzeug's plain `filename=` fallback drops what is not ASCII and keeps the rest, so
"检查报告-HC03-1240.pdf" became "-HC03-1240.pdf": a browser that reads only that saves a
file whose name starts with a dash. Here the fallback loses such leftovers too.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path, PurePath
from urllib.parse import quote

from flask import Response, send_file

#: The types of the spreadsheets pages send, by suffix.
SPREADSHEET_TYPES = {
    "csv": "text/csv",  # Werkzeug adds "; charset=utf-8" to a text type: named once
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def send_named(path: Path, name: str, mimetype: str | None = None) -> Response:
    """The file as a download called `name`."""
    response = send_file(path, mimetype=mimetype, as_attachment=True, download_name=name)
    response.headers["Content-Disposition"] = disposition(name)
    return response


def disposition(name: str) -> str:
    """`attachment` with an ASCII `filename` and, for any other name, `filename*` too."""
    suffix = PurePath(name).suffix
    stem = _ascii(name[: len(name) - len(suffix)]).lstrip("-_ .")
    plain = (stem or "download") + _ascii(suffix)
    if plain == name:
        return f'attachment; filename="{name}"'
    return f"attachment; filename=\"{plain}\"; filename*=UTF-8''{quote(name, safe='')}"


def _ascii(text: str) -> str:
    return re.sub(
        r'["\\]', "", unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    )
