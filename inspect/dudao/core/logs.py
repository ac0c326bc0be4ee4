"""Log lines of the long-running processes (`dudao worker`, `dudao cron`) in one form.

Both stamp every line in UTC with an explicit "Z", whatever the process's time zone:
`dudao cron` sets TZ to the organisation's (RQ reads cron strings in local time) while
a worker keeps the machine's, and lines from both (and the database's UTC times) must
be comparable at a glance.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class UTCFormatter(logging.Formatter):
    """ISO 8601 in UTC to the millisecond, e.g. 2026-11-25T23:59:01.250Z."""

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        return utc_stamp(datetime.fromtimestamp(record.created, UTC))


def utc_stamp(moment: datetime, timespec: str = "milliseconds") -> str:
    """An aware moment as ISO 8601 in UTC with a "Z", the form of every log line's time."""
    return moment.astimezone(UTC).isoformat(timespec=timespec).removesuffix("+00:00") + "Z"


def configure_process_logging(level: int = logging.INFO) -> None:
    """Once per process: a stderr handler on the root logger with `UTCFormatter`, before RQ
    logs anything, so RQ adds no handler of its own (it only does when none is in effect)."""
    root = logging.getLogger()
    handler = logging.StreamHandler()
    handler.setFormatter(UTCFormatter(LOG_FORMAT))
    root.addHandler(handler)
    root.setLevel(level)
