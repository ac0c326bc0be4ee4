"""Benchmark: CPU instructions per submission of a 40-item checklist, the API next to the
minimal endpoint of bench/submit_bench.py, counted by valgrind's callgrind in process
(Flask's test client, PostgreSQL). Timings on a shared machine move by a quarter from
run to run; an instruction count does not move with the load, so it tells a small
change (a library, one statement) from noise where submit_bench.py cannot.

    DUDAO_BENCH_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/postgres \\
        python bench/submit_instructions.py [--requests 100] [--without-hiredis]

Each side runs in a child under valgrind (about a minute and a half each), warms up
with 50 submissions, and counts only the next --requests. --without-hiredis makes
redis-py use its pure-Python packer and parser. Figures: docs/api.md, Performance.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

WARMUP = 50
SIDES = ("minimal", "api")


def child(side: str, requests: int, server: str) -> None:
    """Prepare a scratch database, warm up, and count `requests` submissions of `side`."""
    import submit_bench as bench  # puts inspect/ on sys.path
    from _common import scratch_database

    url = scratch_database(server, f"dudao_instructions_{side}")
    folder = Path(tempfile.mkdtemp(prefix="dudao-instructions-"))
    try:
        ids, constants = bench.prepare(url, requests + WARMUP, folder)
        client, path, headers = _client(side, url, folder, constants)
        body = bench.answers_body()

        def submit(inspection_id: int) -> None:
            payload = json.dumps({"submission_id": str(uuid.uuid4()), **body})
            response = client.post(path.format(inspection_id), data=payload, headers=headers)
            assert response.status_code == 201, response.data[:300]

        for inspection_id in ids[:WARMUP]:
            submit(inspection_id)
        _collect("on")
        for inspection_id in ids[WARMUP:]:
            submit(inspection_id)
        _collect("off")
    finally:
        shutil.rmtree(folder, ignore_errors=True)
        if side == "api":  # the jobs it enqueued (no worker runs them)
            from redis import Redis
            from rq import Queue

            Queue("default", connection=Redis.from_url(_redis_url())).empty()


def _client(side: str, url: str, folder: Path, constants: dict) -> tuple:
    import submit_bench as bench

    json_headers = {"Content-Type": "application/json"}
    if side == "minimal":
        os.environ.update(constants, BENCH_URL=url)
        namespace: dict = {}
        exec(compile(bench.BASELINE_APP, "minimal endpoint", "exec"), namespace)
        return namespace["app"].test_client(), "/submit/{}", json_headers
    os.environ.update(
        DUDAO_DATABASE_URL=url,
        DUDAO_SECRET_KEY="bench",
        DUDAO_INSTANCE_PATH=str(folder / "instance"),
        DUDAO_REDIS_URL=_redis_url(),
    )
    from dudao.app import create_app

    client = create_app().test_client()
    page = client.get("/login").data
    token = re.search(rb'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page)[1]
    form = {"username": "insp", "password": bench.PASSWORD, "csrf_token": token.decode()}
    assert client.post("/login", data=form).status_code == 302
    csrf = client.get("/api/v1/me").get_json()["csrf_token"]
    return client, "/api/v1/inspections/{}/submissions", {**json_headers, "X-CSRFToken": csrf}


def _redis_url() -> str:
    return os.environ.get("DUDAO_BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")


def _collect(state: str) -> None:
    subprocess.run(["callgrind_control", "-i", state, str(os.getpid())], check=True,
                   capture_output=True)  # fmt: skip


def count(side: str, requests: int, without_hiredis: bool) -> float:
    """Instructions per submission of `side`, from a child run under callgrind."""
    with tempfile.TemporaryDirectory(prefix="dudao-callgrind-") as tmp:
        command = [
            "valgrind", "--tool=callgrind", "--instr-atstart=no",
            f"--callgrind-out-file={tmp}/callgrind.out", sys.executable, __file__,
            "--side", side, "--requests", str(requests),
        ]  # fmt: skip
        if without_hiredis:
            command.append("--without-hiredis")
        done = subprocess.run(command, capture_output=True, text=True)
        found = re.search(r"Collected : (\d+)", done.stderr)
        if done.returncode or not found:
            raise SystemExit(f"{side}: the child failed\n{done.stderr[-3000:]}")
    return int(found[1]) / requests


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument("--without-hiredis", action="store_true")
    parser.add_argument("--side", choices=SIDES, help=argparse.SUPPRESS)
    args = parser.parse_args()
    server = os.environ.get("DUDAO_BENCH_DATABASE_URL")
    if not server:
        raise SystemExit("Set DUDAO_BENCH_DATABASE_URL to a PostgreSQL server URL.")
    if args.without_hiredis:
        sys.modules["hiredis"] = None  # type: ignore[assignment]  # redis-py falls back
    if args.side:
        child(args.side, args.requests, server)
        return 0
    if not shutil.which("valgrind"):
        raise SystemExit("valgrind is not installed (Debian: apt-get install valgrind).")
    per = {side: count(side, args.requests, args.without_hiredis) for side in SIDES}
    from _common import scratch_database

    for side in SIDES:  # the children's scratch databases
        scratch_database(server, f"dudao_instructions_{side}", create=False)
    parser_used = "pure-Python" if args.without_hiredis else "hiredis"
    print(f"{args.requests} submissions of a 40-item checklist each, after {WARMUP} to warm up,"
          f" in process; redis-py with the {parser_used} parser")  # fmt: skip
    for side in SIDES:
        print(f"{side:>8}: {per[side] / 1e6:5.2f} million instructions a submission")
    print(f"minimal / API: {per['minimal'] / per['api']:.0%}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
