"""Keeps survey tokens out of access logs: /s/<token> and /s/o/<token> are logged as /s/***,
and every answering request (/s, /s/…) without the client's address and browser, since the
answering page promises members that neither is recorded.

Attached to werkzeug's request log (the development server) and gunicorn's
access log; both pass the request line in the record's arguments.
"""

from __future__ import annotations

import logging
import re
from typing import Any

SURVEY_PATH = re.compile(r"/s/(?:o/)?(?!thanks\b)[A-Za-z0-9_\-]{8,}")
MASK = "/s/***"
LOGGERS = ("werkzeug", "gunicorn.access")
#: A request line for /s, /s/… or /s?…, or for /lang, which an answering page's language
#: switch posts to (werkzeug may colour the line with ANSI codes).
SURVEY_REQUEST = re.compile(r"^(?:\x1b\[[\d;]*m)*[A-Z]+ /(?:s|lang)(?=[/? ]|$|\x1b)")
#: werkzeug's message starts with the client's address: "127.0.0.1 - - [date] …".
WERKZEUG_ADDRESS = re.compile(r"^(?!%)\S+(?= - - \[)")
#: gunicorn's atoms that name the client: address, user agent, request headers, environ.
GUNICORN_CLIENT = re.compile(r"^(?:h|a|\{[^}]*\}[ie])$")


def mask(text: str) -> str:
    return SURVEY_PATH.sub(MASK, text)


def _masked(value: Any) -> Any:
    return mask(value) if isinstance(value, str) else value


class TokenMaskFilter(logging.Filter):
    """Rewrites the message and its arguments (tuple or gunicorn's dict) before formatting."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = mask(record.msg)
        if isinstance(record.args, dict):
            # In place: gunicorn's atoms are a dict that answers "-" for an atom it lacks
            # (a header the request did not send); a plain dict would raise at format time.
            atoms = record.args
            answering = _answering(atoms.values())
            for k in list(atoms):
                atoms[k] = "-" if answering and GUNICORN_CLIENT.match(str(k)) else _masked(atoms[k])
        elif isinstance(record.args, tuple):
            if _answering(record.args) and isinstance(record.msg, str):
                record.msg = WERKZEUG_ADDRESS.sub("-", record.msg)
            record.args = tuple(_masked(v) for v in record.args)
        return True


def _answering(values: Any) -> bool:
    return any(isinstance(v, str) and SURVEY_REQUEST.match(v) for v in values)


def install() -> None:
    """Idempotent: one filter per logger however many apps are created."""
    for name in LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, TokenMaskFilter) for f in logger.filters):
            logger.addFilter(TokenMaskFilter())
