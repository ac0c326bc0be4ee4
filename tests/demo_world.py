"""Shared by the `dudao demo` tests (tests/test_demo_command.py, tests/test_demo_errors.py):
a free port, the environment of a demo process, and the demo run in-process."""

from __future__ import annotations

import os
import socket
from pathlib import Path

from click.testing import CliRunner

from dudao.cli import cli


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _environment(instance: Path, **extra: str) -> dict[str, str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("DUDAO_")}
    environment.update(DUDAO_INSTANCE_PATH=str(instance), PYTHONUNBUFFERED="1", **extra)
    return environment


def _invoke(instance: Path, *arguments: str, **environment: str):
    """In-process, for the failures that stop before anything starts (no second interpreter)."""
    unset = {k: None for k in os.environ if k.startswith("DUDAO_")}
    environment = {**unset, "DUDAO_INSTANCE_PATH": str(instance), **environment}
    return CliRunner().invoke(cli, ["demo", *arguments], env=environment)


def _one_sentence(stderr: str) -> str:
    assert "Traceback" not in stderr
    lines = stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), lines
    return lines[0]
