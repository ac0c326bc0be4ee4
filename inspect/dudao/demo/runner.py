"""`dudao demo`: Redis, the database, the demo data, a worker, cron and the web server at once.

One process owns everything it starts. Ctrl-C (SIGINT), SIGTERM or SIGHUP stop the
web server, then the worker and cron (terminate, wait, kill), then the embedded
Redis, and exit 0. A child that dies on its own stops the rest and ends with one
sentence and exit code 1. The worker and cron write to log files in the instance
folder, so the terminal keeps the sign-ins and the web requests readable.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import Any

from werkzeug.serving import BaseWSGIServer, get_sockaddr, make_server, select_address_family

from dudao.app import create_app
from dudao.config import Settings, check_data_dir, load_settings
from dudao.core.commands import prepare_database
from dudao.core.database import check_database, transaction
from dudao.core.errors import ConfigError, DudaoError
from dudao.core.queue import EmbeddedRedis, check_redis, connect, redis_url
from dudao.core.runtime import Runtime
from dudao.demo.data import DEFAULT_SEED
from dudao.demo.instance import (
    claim_instance,
    log_folder,
    log_tail,
    open_log,
    process_alive,
    release_instance,
)
from dudao.demo.loader import DemoLoad, load_demo
from dudao.demo.signins import signin_table

CHILD_COMMANDS = (("worker", ("worker",)), ("cron", ("cron",)))
_PR_SET_PDEATHSIG = 1
_PRCTL = ctypes.CDLL(None, use_errno=True).prctl if sys.platform == "linux" else None
STOP_TIMEOUT = 10.0
POLL_SECONDS = 0.3


class StopRequested(BaseException):
    """Raised by the signal handler; a BaseException so no `except Exception` swallows it."""


@dataclass
class DemoOptions:
    host: str = "127.0.0.1"
    port: int = 5000
    seed: int = DEFAULT_SEED
    browser_hint: bool = True


@dataclass
class Child:
    name: str
    process: subprocess.Popen[bytes]
    log: Path


@dataclass
class Demo:
    """Everything one `dudao demo` started, so `stop` can undo exactly that."""

    options: DemoOptions
    echo: Callable[[str], None]
    redis: EmbeddedRedis | None = None
    server: BaseWSGIServer | None = None
    serving: threading.Thread | None = None
    children: list[Child] = field(default_factory=list)
    stopping: bool = False
    deferring: bool = False  # inside a start step that must not be cut in half
    stop_pending: bool = False

    @contextlib.contextmanager
    def uninterrupted(self) -> Iterator[None]:
        """Hold a stop signal until a process has started and been recorded, so stop sees it."""
        self.deferring = True
        try:
            yield
        finally:
            self.deferring = False
        if self.stop_pending and not self.stopping:
            self.stopping = True
            raise StopRequested

    def stop(self) -> None:
        self.stopping = True
        if self.server is not None:
            if self.serving is not None and self.serving.is_alive():
                self.server.shutdown()
                self.serving.join(STOP_TIMEOUT)
            self.server.server_close()
            self.server = None
        for child in self.children:
            _signal_group(child.process, signal.SIGTERM)
        deadline = time.monotonic() + STOP_TIMEOUT
        for child in self.children:
            try:
                child.process.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                self.echo(f"The {child.name} did not stop in time; killing it.")
            _signal_group(child.process, signal.SIGKILL)  # also any forked work-horse left over
            with contextlib.suppress(subprocess.TimeoutExpired):
                child.process.wait(STOP_TIMEOUT)
        self.children = []
        if self.redis is not None:
            self.redis.stop()
            self.redis = None


def run_demo(options: DemoOptions, echo: Callable[[str], None] = print) -> None:
    """Run until a signal (returns normally) or a failure (raises DudaoError after clean-up)."""
    settings = load_settings()
    app = create_app(settings)
    runtime: Runtime = app.extensions["dudao"]
    check_database(runtime.engine)
    check_data_dir(settings)
    listener = _listen(options.host, options.port)
    demo = Demo(options, echo)
    with _signals_raise_stop(demo):
        try:
            claim_instance(settings, demo.echo)
            _start(demo, settings, runtime, app, listener)
            _supervise(demo)
        except StopRequested:
            echo("\nStopping the demo…")
        finally:
            demo.stopping = True
            listener.close()
            demo.stop()
            release_instance(settings)
            runtime.engine.dispose()
    echo("The demo has stopped.")


def _start(
    demo: Demo, settings: Settings, runtime: Runtime, app: Any, listener: socket.socket
) -> None:
    echo = demo.echo
    if settings.redis_url is None:
        demo.redis = EmbeddedRedis(settings)
        with demo.uninterrupted():
            demo.redis.start()
        echo(f"Started the embedded Redis on {redis_url(settings)}.")
    else:
        check_redis(connect(settings), settings)
    with demo.uninterrupted():  # finish a migration rather than roll it back
        prepare_database(runtime)
    with transaction(runtime.session_factory) as session:
        loaded = load_demo(session, demo.options.seed)
    echo(_load_summary(loaded, demo.options.seed))
    environment = _child_environment(settings)
    for name, arguments in CHILD_COMMANDS:
        log = open_log(settings, name)
        with demo.uninterrupted(), log:
            process = subprocess.Popen(
                [sys.executable, "-m", "dudao", *arguments],
                env=environment,
                stdout=log,
                stderr=subprocess.STDOUT,
                process_group=0,
                preexec_fn=_stop_with_parent,
            )
            demo.children.append(Child(name, process, Path(log.name)))
    demo.server = make_server(
        demo.options.host, demo.options.port, app, threaded=True, fd=listener.fileno()
    )
    demo.serving = threading.Thread(
        target=demo.server.serve_forever, kwargs={"poll_interval": 0.5}, name="dudao-web"
    )
    demo.serving.start()
    echo(_banner(demo.options, loaded, log_folder(settings)))


def _supervise(demo: Demo) -> None:
    """Wait for a signal; if a child or the web server ends on its own, stop with an error."""
    while True:
        for child in demo.children:
            code = child.process.poll()
            if code is not None:
                demo.echo(f"The end of {child.log}:\n{log_tail(child.log)}")
                raise DudaoError(
                    f"The {child.name} process stopped unexpectedly (exit code {code}), "
                    f"so the demo was stopped; its log is {child.log}."
                )
        if demo.serving is not None and not demo.serving.is_alive():
            raise DudaoError("The web server stopped unexpectedly, so the demo was stopped.")
        if demo.redis is not None and not process_alive(demo.redis.pid):
            raise DudaoError("The embedded Redis stopped unexpectedly, so the demo was stopped.")
        time.sleep(POLL_SECONDS)


@contextlib.contextmanager
def _signals_raise_stop(demo: Demo) -> Iterator[None]:
    """Turn SIGINT, SIGTERM and SIGHUP into StopRequested once; ignore repeats while stopping."""

    def handler(signum: int, _frame: FrameType | None) -> None:
        if demo.stopping:
            return
        if demo.deferring:
            demo.stop_pending = True
            return
        demo.stopping = True
        raise StopRequested

    signums = [signal.SIGINT, signal.SIGTERM, signal.SIGHUP]
    previous = {signum: signal.signal(signum, handler) for signum in signums}
    try:
        yield
    finally:
        for signum, old in previous.items():
            signal.signal(signum, old)


def _listen(host: str, port: int) -> socket.socket:
    """Bind the port before anything starts, so a taken port costs one sentence and no clean-up."""
    family = select_address_family(host, port)
    listener = socket.socket(family, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        listener.bind(get_sockaddr(host, port, family))
        listener.listen(128)
    except OSError as exc:
        listener.close()
        if exc.errno == errno.EADDRINUSE:
            raise ConfigError(
                f"Port {port} on {host} is already in use; stop what uses it "
                "or choose another port with --port."
            ) from exc
        raise ConfigError(f"Cannot listen on {host}:{port}: {exc.strerror or exc}.") from exc
    return listener


def _child_environment(settings: Settings) -> dict[str, str]:
    environment = dict(os.environ)
    environment["DUDAO_INSTANCE_PATH"] = str(settings.instance_path)
    environment["DUDAO_REDIS_URL"] = redis_url(settings)
    environment.setdefault("PYTHONUNBUFFERED", "1")
    return environment


def _stop_with_parent() -> None:
    """Linux: a child gets SIGTERM if `dudao demo` is killed outright (no clean-up runs then)."""
    if _PRCTL is not None:
        _PRCTL(_PR_SET_PDEATHSIG, signal.SIGTERM)


def _signal_group(process: subprocess.Popen[bytes], signum: int) -> None:
    """Signal the child's process group (it leads its own), reaching forked work-horses too."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signum)


def _load_summary(loaded: DemoLoad, seed: int) -> str:
    if loaded.created == 0:
        return "Found the demo organisation in the database; reusing it."
    units = next((r.created for r in loaded.results if r.name == "organisation"), 0)
    accounts = len(loaded.org.accounts)
    return f"Loaded the demo organisation (seed {seed}): {units} units and {accounts} accounts."


def _banner(options: DemoOptions, loaded: DemoLoad, logs: Path) -> str:
    host = f"[{options.host}]" if ":" in options.host else options.host
    url = f"http://{host}:{options.port}/"
    lines = ["", f"Dudao demo is running at {url}"]
    if options.browser_hint:
        lines.append("Open it in a browser and sign in with one of these accounts:")
    names = ", ".join(f"{name}.log" for name, _arguments in CHILD_COMMANDS)
    lines += ["", signin_table(loaded.org), "", f"Background jobs log to {logs} ({names}).",
              "Press Ctrl-C to stop.", ""]  # fmt: skip
    return "\n".join(lines)
