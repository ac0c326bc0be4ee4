"""Benchmark: submitting a 40-item checklist through the tablet API under gunicorn with
PostgreSQL, next to a minimal Flask + SQLAlchemy endpoint that inserts the same rows in
one transaction, in the same run. Target (issue 5): the API reaches at least 50 % of the
minimal endpoint's throughput; p50 and p99 latency are reported for both.

    DUDAO_BENCH_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/postgres \\
        python bench/submit_bench.py [--requests 300] [--concurrency 4] [--workers 2] [--rounds 5]

A scratch database `dudao_submit_bench` is dropped and created on that server. Redis:
DUDAO_BENCH_REDIS_URL (default redis://127.0.0.1:6379/14). Each API submission is
validated against the pinned version, scored, stored with 4 findings, moves the
inspection through start and submit (optimistic lock), upserts the draft and appends
3 hash-chained audit events. The minimal endpoint inserts one submission row, 4
finding rows, one draft row and 3 event rows and updates one inspection row.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "inspect"))

from dudao.auth.services import create_user, grant_role  # noqa: E402
from dudao.core import migrate  # noqa: E402
from dudao.core.database import make_engine, make_session_factory  # noqa: E402
from dudao.core.enums import Role, UnitLevel  # noqa: E402
from dudao.definitions.queries import current_version  # noqa: E402
from dudao.definitions.services import sync_forms  # noqa: E402
from dudao.inspections.models import InspectionOrigin  # noqa: E402
from dudao.inspections.services import create_inspection  # noqa: E402
from dudao.org.services import create_unit  # noqa: E402
from dudao.workflow.engine import apply  # noqa: E402

SCRATCH = "dudao_submit_bench"
ITEMS, FAILED = 40, 4
PASSWORD = "bench password 1"
TARGET = 0.5

BASELINE_APP = """
import json, os
from flask import Flask, request, jsonify
from sqlalchemy import create_engine, text
engine = create_engine(os.environ["BENCH_URL"], pool_size=5)
app = Flask("baseline")

@app.post("/submit/<int:inspection_id>")
def submit(inspection_id):
    body = request.get_json()
    answers = body["answers"]
    failed = [k for k, v in answers.items() if v == "no"]
    with engine.begin() as c:
        pk = c.execute(text("INSERT INTO bench_submission (submission_id, inspection_id, answers,"
                            " notes) VALUES (:s, :i, :a, :n) RETURNING id"),
                       {"s": body["submission_id"], "i": inspection_id,
                        "a": json.dumps(answers), "n": json.dumps(body["notes"])}).scalar()
        c.execute(text("INSERT INTO bench_finding (submission_pk, item_key, note)"
                       " VALUES (:p, :k, :n)"),
                  [{"p": pk, "k": k, "n": body["notes"].get(k)} for k in failed])
        c.execute(text("INSERT INTO bench_draft (inspection_id, answers) VALUES (:i, :a)"),
                  {"i": inspection_id, "a": json.dumps(answers)})
        c.execute(text("INSERT INTO bench_event (inspection_id, action) VALUES (:i, :a)"),
                  [{"i": inspection_id, "a": a} for a in ("start", "submit", "submission")])
        c.execute(text("UPDATE bench_inspection SET state = 'submitted', version = version + 1"
                       " WHERE id = :i"), {"i": inspection_id})
    return jsonify({"submission_id": body["submission_id"], "findings": failed}), 201
"""

DUDAO_APP = """
from dudao.app import create_app
app = create_app()
"""

BASELINE_TABLES = """
CREATE TABLE bench_submission (id serial PRIMARY KEY, submission_id varchar(36) UNIQUE NOT NULL,
    inspection_id int NOT NULL, answers json NOT NULL, notes json NOT NULL);
CREATE TABLE bench_finding (id serial PRIMARY KEY, submission_pk int REFERENCES bench_submission,
    item_key varchar(100), note text);
CREATE TABLE bench_draft (id serial PRIMARY KEY, inspection_id int, answers json);
CREATE TABLE bench_event (id serial PRIMARY KEY, inspection_id int, action varchar(64));
CREATE TABLE bench_inspection (id int PRIMARY KEY, state varchar(32), version int);
"""


def checklist_yaml() -> str:
    items = "\n".join(
        f"      - {{key: q{n:02d}, type: yes_no, label: 第{n}项检查内容, required: true, "
        f"weight: 1{', evidence_on_fail: note' if n < FAILED else ''}}}"
        for n in range(ITEMS)
    )
    return (
        "kind: checklist\nkey: bench40\ntitle: 基准检查表\n"
        "grades:\n  - {min: 60, label: 合格}\n  - {min: 0, label: 不合格}\n"
        f"sections:\n  - key: s\n    title: 检查\n    items:\n{items}\n"
    )


def answers_body() -> dict:
    answers = {f"q{n:02d}": "no" if n < FAILED else "yes" for n in range(ITEMS)}
    notes = {f"q{n:02d}": f"第{n}项不合格" for n in range(FAILED)}
    return {"answers": answers, "notes": notes}


def prepare(url: str, count: int, folder: Path) -> list[int]:
    engine = make_engine(url)
    migrate.upgrade(engine)
    with engine.begin() as connection:
        for statement in BASELINE_TABLES.strip().split(";"):
            if statement.strip():
                connection.execute(text(statement))
    forms = folder / "forms"
    forms.mkdir()
    (forms / "bench40.yaml").write_text(checklist_yaml(), encoding="utf-8")
    with make_session_factory(engine)() as session:
        group = create_unit(session, None, "G", "集团", UnitLevel.GROUP)
        branch = create_unit(session, None, "B", "支部", UnitLevel.BRANCH, group)
        inspector = create_user(session, None, "insp", "检查员", PASSWORD)
        grant_role(session, None, inspector, Role.INSPECTOR, group)
        office = create_user(session, None, "office", "办公室", PASSWORD)
        grant_role(session, None, office, Role.OFFICE, group)
        sync_forms(session, None, forms)
        version = current_version(session, "bench40")
        ids = []
        for _ in range(count):
            inspection = create_inspection(
                session, office, branch, version, date(2027, 1, 31), InspectionOrigin.AD_HOC,
                assignees=[inspector],
            )  # fmt: skip
            apply(session, office, inspection, "assign")
            ids.append(inspection.id)
        session.commit()
        session.execute(
            text("INSERT INTO bench_inspection SELECT id, 'assigned', 1 FROM inspection")
        )
        session.commit()
        session.execute(text("ANALYZE"))
        session.commit()
    engine.dispose()
    return ids


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def gunicorn(module: str, folder: Path, env: dict, workers: int) -> tuple[subprocess.Popen, int]:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-w", str(workers), "-b", f"127.0.0.1:{port}",
         "--chdir", str(folder), "--log-level", "warning", f"{module}:app"],
        env={**os.environ, **env, "PYTHONPATH": str(ROOT / "inspect")},
    )  # fmt: skip
    for _ in range(200):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return process, port
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise SystemExit(f"gunicorn {module} did not start")


def request(port: int, method: str, path: str, body: bytes | None, headers: dict):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        return response.status, response.getheaders(), response.read()
    finally:
        connection.close()


def sign_in(port: int) -> dict:
    status, headers, page = request(port, "GET", "/login", None, {})
    cookie = next(v.split(";")[0] for k, v in headers if k.lower() == "set-cookie")
    token = re.search(rb'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page).group(1)
    form = f"username=insp&password={PASSWORD.replace(' ', '+')}&csrf_token={token.decode()}"
    status, headers, _ = request(
        port, "POST", "/login", form.encode(),
        {"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"},
    )  # fmt: skip
    assert status == 302, status
    cookie = next(v.split(";")[0] for k, v in headers if k.lower() == "set-cookie")
    _, _, me = request(port, "GET", "/api/v1/me", None, {"Cookie": cookie})
    return {"Cookie": cookie, "X-CSRFToken": json.loads(me)["csrf_token"]}


def drive(port: int, paths: list[str], headers: dict, concurrency: int) -> tuple[float, list]:
    latencies: list[float] = []
    lock = threading.Lock()
    base = answers_body()

    def one(path: str) -> None:
        body = json.dumps({"submission_id": str(uuid.uuid4()), **base}).encode()
        started = time.perf_counter()
        status, _, data = request(
            port, "POST", path, body, {**headers, "Content-Type": "application/json"}
        )
        elapsed = time.perf_counter() - started
        assert status == 201, (status, data[:300])
        with lock:
            latencies.append(elapsed)

    started = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        list(pool.map(one, paths))
    return time.perf_counter() - started, latencies


def report(label: str, total: float, latencies: list[float]) -> float:
    ordered = sorted(latencies)
    p99 = ordered[max(0, int(len(ordered) * 0.99) - 1)]
    rate = len(ordered) / total
    print(f"{label:>9}: {rate:7.1f} submissions/s   p50 {statistics.median(ordered) * 1000:6.1f} ms"
          f"   p99 {p99 * 1000:6.1f} ms   ({len(ordered)} in {total:.1f} s)")  # fmt: skip
    return rate


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=5, help="alternating rounds of both")
    args = parser.parse_args()
    server = os.environ.get("DUDAO_BENCH_DATABASE_URL")
    if not server:
        raise SystemExit("Set DUDAO_BENCH_DATABASE_URL to a PostgreSQL server URL.")
    base = make_url(server).set(drivername="postgresql+psycopg")
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{SCRATCH}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{SCRATCH}"'))
    url = base.set(database=SCRATCH).render_as_string(hide_password=False)
    warmup = 20
    processes = []
    with tempfile.TemporaryDirectory(prefix="dudao-submit-bench-") as tmp:
        folder = Path(tmp)
        ids = prepare(url, args.requests + warmup, folder)
        (folder / "baseline_app.py").write_text(BASELINE_APP)
        (folder / "dudao_app.py").write_text(DUDAO_APP)
        env = {
            "BENCH_URL": url, "DUDAO_DATABASE_URL": url, "DUDAO_SECRET_KEY": "bench",
            "DUDAO_INSTANCE_PATH": str(folder / "instance"),
            "DUDAO_REDIS_URL": os.environ.get("DUDAO_BENCH_REDIS_URL", "redis://127.0.0.1:6379/14"),
        }  # fmt: skip
        try:
            baseline, baseline_port = gunicorn("baseline_app", folder, env, args.workers)
            dudao, dudao_port = gunicorn("dudao_app", folder, env, args.workers)
            processes = [baseline, dudao]
            headers = sign_in(dudao_port)
            api = [f"/api/v1/inspections/{i}/submissions" for i in ids]
            minimal = [f"/submit/{i}" for i in ids]
            drive(baseline_port, minimal[:warmup], {}, args.concurrency)
            drive(dudao_port, api[:warmup], headers, args.concurrency)
            print(f"{args.requests} submissions of a {ITEMS}-item checklist ({FAILED} failed), "
                  f"concurrency {args.concurrency}, gunicorn -w {args.workers}")  # fmt: skip
            # Alternate rounds of both, so load from other processes hits both alike.
            totals = {"minimal": [0.0, []], "Dudao API": [0.0, []]}
            rounds = max(1, args.rounds)
            for r in range(rounds):
                part = slice(warmup + r * args.requests // rounds,
                             warmup + (r + 1) * args.requests // rounds)  # fmt: skip
                runs = (("minimal", baseline_port, minimal, {}),
                        ("Dudao API", dudao_port, api, headers))  # fmt: skip
                for label, port, paths, auth in runs:
                    elapsed, latencies = drive(port, paths[part], auth, args.concurrency)
                    totals[label][0] += elapsed
                    totals[label][1] += latencies
            ceiling = report("minimal", *totals["minimal"])
            rate = report("Dudao API", *totals["Dudao API"])
        finally:
            for process in processes:
                process.terminate()
                process.wait(10)
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{SCRATCH}" WITH (FORCE)'))
    admin.dispose()
    share = rate / ceiling
    print(f"Dudao API at {share:.0%} of the minimal endpoint (target ≥ {TARGET:.0%})")
    return 0 if share >= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
