"""`dudao worker` and `dudao cron` stamp their log lines alike: UTC with an explicit "Z",
though cron runs in the organisation's time zone (TZ=Asia/Shanghai, eight hours ahead)."""

from __future__ import annotations

import os
import re
from datetime import UTC, datetime, timedelta

from rq.cron import CronScheduler

from dudao.core import commands

STAMP = re.compile(r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3})Z (INFO|WARNING) (rq\.[a-z.]+): ")


def _stamps(output: str) -> list[tuple[datetime, str]]:
    found = [STAMP.match(line) for line in output.splitlines()]
    return [(datetime.fromisoformat(m[1]).replace(tzinfo=UTC), m[3]) for m in found if m]


def _recent(moment: datetime) -> bool:
    return abs(datetime.now(UTC) - moment) < timedelta(minutes=5)


def test_worker_and_cron_log_in_utc(app, monkeypatch, process_logging) -> None:
    monkeypatch.setattr(CronScheduler, "start", lambda self: self.log.info("started"))
    runner = app.test_cli_runner()
    cron = runner.invoke(commands.cron_command)
    assert cron.exit_code == 0, cron.output
    assert os.environ["TZ"] == "Asia/Shanghai"  # local time is eight hours off UTC here
    worker = runner.invoke(commands.worker_command, ["--burst", "--simple"])
    assert worker.exit_code == 0, worker.output

    cron_lines, worker_lines = _stamps(cron.output), _stamps(worker.output)
    assert "rq.cron" in {name for _at, name in cron_lines}
    assert "rq.worker" in {name for _at, name in worker_lines}
    assert all(_recent(at) for at, _name in cron_lines + worker_lines)
