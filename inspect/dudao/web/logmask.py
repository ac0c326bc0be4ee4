"""Keeps survey tokens out of access logs: /s/<token> and /s/o/<token> are logged as /s/***.

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
            record.args = {k: _masked(v) for k, v in record.args.items()}
        elif isinstance(record.args, tuple):
            record.args = tuple(_masked(v) for v in record.args)
        return True


def install() -> None:
    """Idempotent: one filter per logger however many apps are created."""
    for name in LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, TokenMaskFilter) for f in logger.filters):
            logger.addFilter(TokenMaskFilter())
