"""`dudao demo` as a user runs it: a real process with SQLite and the embedded Redis.

Each run starts the web server, a worker, cron and redis-server; SIGINT must stop
all of them with exit code 0, and a second run must reuse the data. Whatever a
test asserts, the `start_demo` fixture leaves no process behind. The first test watches
a run load the demo; the others that need it loaded start from a copy of it
(`loaded_instance`).
"""

from __future__ import annotations

import ctypes
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import psutil
import pytest
from redis import Redis
from rq import Worker
from rq.cron import CronScheduler
from sqlalchemy import create_engine, text

from dudao.demo.data import DEFAULT_SEED
from tests.demo_copies import demo_template
from tests.demo_world import _environment, _free_port, _invoke, _one_sentence

#: Loading the demo takes ~16 s alone and three times that while the other xdist worker
#: and Chromium share the two cores; 45 s failed a loaded run (the demo was still loading).
START_TIMEOUT = 120
STOP_TIMEOUT = 20
_PR_SET_PDEATHSIG = 1
_prctl = ctypes.CDLL(None, use_errno=True).prctl if sys.platform == "linux" else None


def _die_with_test() -> None:
    """Linux: the demo gets SIGTERM (and stops cleanly) if the test process dies first."""
    if _prctl is not None:
        _prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


@dataclass
class DemoProcess:
    process: subprocess.Popen[bytes]
    log: Path
    port: int
    instance: Path

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def wait_until_serving(self) -> None:
        url = f"http://127.0.0.1:{self.port}/login"
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"dudao demo exited with {self.process.returncode}:\n{self.output()}")
            try:
                with urllib.request.urlopen(url, timeout=2) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.3)
        pytest.fail(f"dudao demo did not answer {url} in {START_TIMEOUT} s:\n{self.output()}")

    def stop(self, signum: int = signal.SIGINT) -> int:
        self.process.send_signal(signum)
        try:
            return self.process.wait(STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            pytest.fail(f"dudao demo did not stop within {STOP_TIMEOUT} s:\n{self.output()}")

    def redis_servers(self) -> list[psutil.Process]:
        socket_path = str(self.instance / "redis.sock")
        return [
            p
            for p in psutil.process_iter(["name", "cmdline"])
            if "redis-server" in (p.info["name"] or "")
            and socket_path in " ".join(p.info["cmdline"] or ())
        ]

    def clean_up(self) -> None:
        """Teardown, whatever happened: stop the demo, then kill anything it left."""
        leftovers: list[psutil.Process] = []
        if self.process.poll() is None:
            leftovers = psutil.Process(self.process.pid).children(recursive=True)
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        for process in [*leftovers, *self.redis_servers()]:
            if not _gone(process):
                process.kill()


@pytest.fixture
def workdir() -> Iterator[Path]:
    """A private folder: concurrent pytest sessions prune each other's tmp_path roots, and a
    short path keeps Redis's socket under the Unix length limit."""
    folder = Path(tempfile.mkdtemp(prefix="dudao-demo-"))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def loaded_instance(
    request: pytest.FixtureRequest, workdir: Path, sqlite_template: str, redis_url: str
) -> Path:
    """The instance folder as a first run leaves it: the demo (seed 2026) in its SQLite file.

    A copy of the one load of the test run (tests/demo_copies.py), for the tests of what
    a run does once started, so that only the first test waits for `dudao demo` to load.
    """
    template = demo_template(request.config, DEFAULT_SEED, sqlite_template, redis_url)
    shutil.copytree(template.instance, workdir / "instance")
    return workdir / "instance"


@pytest.fixture
def start_demo(workdir: Path) -> Iterator[Callable[..., DemoProcess]]:
    started: list[DemoProcess] = []

    def start(log_name: str, *arguments: str) -> DemoProcess:
        port = _free_port()
        instance = workdir / "instance"
        with (workdir / log_name).open("wb") as sink:
            process = subprocess.Popen(
                [sys.executable, "-m", "dudao", "demo", "--port", str(port), *arguments],
                env=_environment(instance),
                stdout=sink,
                stderr=subprocess.STDOUT,
                preexec_fn=_die_with_test,
            )
        started.append(DemoProcess(process, workdir / log_name, port, instance))
        return started[-1]

    yield start
    for demo in started:
        demo.clean_up()


def _children(demo: DemoProcess) -> dict[str, psutil.Process]:
    """The worker and cron child processes, by name, waiting until both registered in Redis."""
    found = {}
    for child in psutil.Process(demo.process.pid).children():
        command = " ".join(child.cmdline())
        for name in ("worker", "cron"):
            if command.endswith(f"dudao {name}"):
                found[name] = child
    assert set(found) == {"worker", "cron"}, demo.output()
    return found


def _wait_registered(connection: Redis) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if Worker.all(connection=connection) and CronScheduler.all(connection):
            return
        time.sleep(0.3)
    pytest.fail("the worker or cron never registered in Redis")


def _gone(process: psutil.Process) -> bool:
    try:
        return not process.is_running() or process.status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


def _wait_gone(processes: list[psutil.Process], timeout: float = 10) -> list[psutil.Process]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        alive = [p for p in processes if not _gone(p)]
        if not alive:
            return []
        time.sleep(0.1)
    return [p for p in processes if not _gone(p)]


#: What the demo loader writes. Audit events are not counted: the periodic jobs that
#: cron starts with the demo (materialising schedules, analysis) legitimately add some.
LOADED = (
    "SELECT count(*) FROM unit",
    "SELECT count(*) FROM user_account",
    "SELECT count(*) FROM definition_version",
    "SELECT count(*) FROM schedule",
    "SELECT count(*) FROM spot_check_draw",
    "SELECT count(*) FROM inspection WHERE origin != 'periodic'",
)


def _counts(instance: Path) -> tuple[int, ...]:
    engine = create_engine(f"sqlite:///{instance / 'dudao.sqlite'}")
    with engine.connect() as connection:
        counts = tuple(connection.execute(text(query)).scalar_one() for query in LOADED)
    engine.dispose()
    return counts


def _run_and_interrupt(
    start_demo: Callable[..., DemoProcess], log_name: str, signum: int = signal.SIGINT
) -> tuple[DemoProcess, str]:
    """Start the demo, check every part is alive, stop it with `signum`, check nothing is left."""
    demo = start_demo(log_name, "--no-browser-hint")
    demo.wait_until_serving()
    children = _children(demo)
    connection = Redis(unix_socket_path=str(demo.instance / "redis.sock"))
    _wait_registered(connection)
    redis_server = psutil.Process(connection.info("server")["process_id"])
    connection.close()
    assert all(not _gone(p) for p in (*children.values(), redis_server))
    horses = [p for c in children.values() for p in c.children(recursive=True)]
    code = demo.stop(signum)
    output = demo.output()
    assert code == 0, output
    left = _wait_gone([*children.values(), *horses, redis_server])
    assert left == [], f"still running after {signal.Signals(signum).name}: {left}\n{output}"
    assert not (demo.instance / "redis.sock").exists()
    assert "Traceback" not in output
    logs = {name: (demo.instance / "logs" / f"{name}.log").read_text() for name in children}
    assert "Listening on default" in logs["worker"], "the worker writes to its log file"
    assert "rq.cron" in logs["cron"] and "rq." not in output, "and not to the terminal"
    assert not any("Traceback" in text for text in logs.values()), logs
    return demo, output


def test_demo_serves_stops_cleanly_and_reuses_its_data(start_demo) -> None:
    demo, first = _run_and_interrupt(start_demo, "first.log")
    assert "Loaded the demo organisation (seed 2026)" in first
    for expected in ("admin", "inspector1", "company_lead", "representative", "demo-2026"):
        assert expected in first
    assert "Open it in a browser" not in first
    assert f"Background jobs log to {demo.instance / 'logs'} (worker.log, cron.log)." in first
    loaded = _counts(demo.instance)
    assert loaded[:2] == (296, 8) and all(loaded)

    demo, second = _run_and_interrupt(start_demo, "second.log", signal.SIGTERM)
    assert "reusing it" in second
    assert _counts(demo.instance) == loaded, "the second run loaded nothing again"


def test_a_child_that_dies_stops_the_demo_with_one_sentence(start_demo, loaded_instance) -> None:
    demo = start_demo("demo.log")
    demo.wait_until_serving()
    assert "reusing it" in demo.output()
    children = _children(demo)
    redis_servers = demo.redis_servers()
    assert len(redis_servers) == 1, demo.output()
    children["worker"].kill()
    code = demo.process.wait(STOP_TIMEOUT)
    output = demo.output()
    assert code == 1, output
    assert "Error: The worker process stopped unexpectedly" in output
    log = demo.instance / "logs" / "worker.log"
    assert f"its log is {log}" in output
    assert f"The end of {log}:\n--- dudao demo started the worker at " in output, output
    assert _wait_gone([children["cron"], *redis_servers]) == [], output


def _wait_for_output(demo: DemoProcess, text: str) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while text not in demo.output():
        assert demo.process.poll() is None, demo.output()
        assert time.monotonic() < deadline, demo.output()
        time.sleep(0.05)


def test_ctrl_c_while_starting_stops_what_was_started(start_demo) -> None:
    demo = start_demo("demo.log")
    _wait_for_output(demo, "Started the embedded Redis")
    servers = demo.redis_servers()
    assert len(servers) == 1, demo.output()
    code = demo.stop(signal.SIGINT)
    output = demo.output()
    assert code == 0, output
    assert _wait_gone(servers) == [], output
    assert "Traceback" not in output


def test_the_next_run_clears_what_a_killed_demo_left_and_refuses_a_twin(
    start_demo, loaded_instance
) -> None:
    killed = start_demo("killed.log")
    _wait_for_output(killed, "Started the embedded Redis")
    left_behind = killed.redis_servers()
    assert len(left_behind) == 1, killed.output()
    killed.process.kill()  # no clean-up runs: redis-server (a daemon) survives
    killed.process.wait()
    assert _wait_gone(left_behind, timeout=1) == left_behind

    demo = start_demo("next.log")
    demo.wait_until_serving()
    assert "Stopped a Redis server that an earlier, killed demo left running." in demo.output()
    assert _wait_gone(left_behind) == []
    twin = _invoke(demo.instance, "--port", str(_free_port()))
    assert twin.exit_code == 1
    assert _one_sentence(twin.stderr).startswith(
        f"Error: Another `dudao demo` (pid {demo.process.pid}) is running"
    )
    assert demo.stop(signal.SIGINT) == 0, demo.output()
    assert not (demo.instance / "demo.pid").exists()
