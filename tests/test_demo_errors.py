"""`dudao demo` refused before it starts (database, Redis, port): one sentence on stderr."""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

from tests.demo_world import _environment, _free_port, _invoke, _one_sentence


def test_an_unreachable_database_ends_with_one_sentence(tmp_path: Path) -> None:
    instance = tmp_path / "instance"
    result = subprocess.run(
        [sys.executable, "-m", "dudao", "demo", "--port", str(_free_port())],
        env=_environment(
            instance, DUDAO_DATABASE_URL="postgresql+psycopg://nobody@127.0.0.1:1/nothing"
        ),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert _one_sentence(result.stderr).startswith(
        "Error: Cannot connect to the database at postgresql+psycopg://nobody@127.0.0.1:1/nothing"
    )
    assert not (instance / "redis.sock").exists()


def test_an_invalid_database_url_ends_with_one_sentence(tmp_path: Path) -> None:
    result = _invoke(tmp_path / "instance", DUDAO_DATABASE_URL="no such url")
    assert result.exit_code == 1
    assert "is not a valid database URL" in _one_sentence(result.stderr)


def test_an_unreachable_redis_ends_with_one_sentence(tmp_path: Path) -> None:
    url = f"unix://{tmp_path / 'nobody-listens.sock'}"
    result = _invoke(tmp_path / "instance", "--port", str(_free_port()), DUDAO_REDIS_URL=url)
    assert result.exit_code == 1
    assert _one_sentence(result.stderr).startswith(f"Error: Cannot connect to Redis at {url}")
    assert not (tmp_path / "instance" / "redis.sock").exists()


def test_a_taken_port_ends_with_one_sentence(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = _invoke(tmp_path / "instance", "--port", str(port))
    assert result.exit_code == 1
    assert _one_sentence(result.stderr) == (
        f"Error: Port {port} on 127.0.0.1 is already in use; stop what uses it "
        "or choose another port with --port."
    )
