"""Benchmark: anonymous questionnaire answers over HTTP to gunicorn with PostgreSQL.

    DUDAO_BENCH_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/postgres \\
        python bench/survey_load.py [--responses 10000] [--clients 50] [--workers 2]

A scratch database `dudao_survey_bench` is dropped and created on that server; Redis is
DUDAO_BENCH_REDIS_URL (default redis://127.0.0.1:6379/13, flushed). The script builds 20
branches with a roster each, opens a member_satisfaction campaign and generates one
invitation per response. 50 client threads then each take invitations from a shared
list and do what a phone does: GET /s/<token> (the page, a CSRF token and a session
cookie), then POST the answers; a 302 to /s/thanks is success. An RQ worker (`dudao
worker`) moves the pending answers into responses in shuffled batches meanwhile.

Afterwards: every invitation must be used, no answer pending, and every answer (each
carries a unique bench marker in its comment) stored exactly once: zero lost, zero
duplicated. 200 invitations are then submitted again and must all be refused. Prints
throughput (answers per second, each answer = GET + POST) and p50/p99 latency.
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlencode

from _common import scratch_database
from sqlalchemy import text

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "inspect"))

from dudao.core import migrate  # noqa: E402
from dudao.core.database import make_engine, make_session_factory, utcnow  # noqa: E402
from dudao.core.enums import UnitLevel  # noqa: E402
from dudao.definitions.queries import current_version  # noqa: E402
from dudao.definitions.services import sync_forms  # noqa: E402
from dudao.org.services import create_unit  # noqa: E402
from dudao.surveys import issuing, services  # noqa: E402
from dudao.surveys.batches import move_all  # noqa: E402
from dudao.surveys.models import CampaignState, RosterMember  # noqa: E402

SCRATCH = "dudao_survey_bench"
BRANCHES = 20
ANSWERS = {
    "identity": "member", "years_known": "over_3", "sat_leadership": "4",
    "sat_meetings": "5", "sat_members": "4", "sat_service": "3", "sat_openness": "4",
    "sat_integrity": "5", "recommend": "8",
}  # fmt: skip
CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|'
                  r'name="csrf_token" value="([^"]+)"')  # fmt: skip


def prepare(url: str, count: int) -> tuple[int, list[str]]:
    """Org, rosters, an open campaign and `count` invitations; returns (campaign id, tokens)."""
    engine = make_engine(url)
    migrate.upgrade(engine)
    factory = make_session_factory(engine)
    with factory() as session:
        sync_forms(session, None, ROOT / "forms")
        group = create_unit(session, None, "G", "集团", UnitLevel.GROUP)
        company = create_unit(session, None, "C", "公司", UnitLevel.COMPANY, group)
        for b in range(BRANCHES):
            branch = create_unit(session, None, f"C-{b:02d}", f"第{b}支部", UnitLevel.BRANCH,
                                 company)  # fmt: skip
            share = count // BRANCHES + (1 if b < count % BRANCHES else 0)
            session.add_all(
                RosterMember(unit_id=branch.id, external_id=f"{b}-{n}") for n in range(share)
            )
        version = current_version(session, "member_satisfaction")
        assert version is not None
        campaign = services.create_campaign(
            session, None, title="bench", version=version, scope_unit=company,
            levels=["branch"], opens_at=utcnow() - timedelta(hours=1),
            closes_at=utcnow() + timedelta(days=1), period_label="bench",
        )  # fmt: skip
        services.set_state(session, None, campaign, CampaignState.OPEN)
        issued = issuing.generate_invitations(session, None, campaign).rows
        session.commit()
        campaign_id = campaign.id
    engine.dispose()
    tokens = [i.token for i in issued]
    random.shuffle(tokens)
    return campaign_id, tokens


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(args: list[str], env: dict, quiet: bool = False) -> subprocess.Popen:
    output = subprocess.DEVNULL if quiet else None
    return subprocess.Popen(
        args, env={**os.environ, **env, "PYTHONPATH": str(ROOT / "inspect")},
        stdout=output, stderr=output,
    )  # fmt: skip


def wait_for(port: int, process: subprocess.Popen) -> None:
    for _ in range(300):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            if process.poll() is not None:
                raise SystemExit("gunicorn exited") from None
            time.sleep(0.1)
    raise SystemExit("gunicorn did not start")


class Client:
    """One phone: a keep-alive connection, its own cookie."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

    def call(
        self, method: str, path: str, body: str | None, headers: dict
    ) -> tuple[int, dict, str]:
        for attempt in range(3):
            try:
                self.connection.request(method, path, body=body, headers=headers)
                response = self.connection.getresponse()
                return response.status, dict(response.getheaders()), response.read().decode()
            except (ConnectionError, http.client.HTTPException, OSError):
                self.connection.close()
                self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
                if attempt == 2 or method == "POST":
                    raise
        raise AssertionError("unreachable")

    def answer(self, token: str, marker: str) -> tuple[int, float]:
        started = time.perf_counter()
        status, headers, body = self.call("GET", f"/s/{token}", None, {})
        if status != 200:
            return status, time.perf_counter() - started
        cookie = headers.get("Set-Cookie", "").split(";", 1)[0]
        match = CSRF.search(body)
        csrf = (match.group(1) or match.group(2)) if match else ""
        form = {f"a_{k}": v for k, v in ANSWERS.items()}
        form.update(csrf_token=csrf, a_comment=marker)
        status, headers, _ = self.call(
            "POST", f"/s/{token}", urlencode(form),
            {"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie},
        )  # fmt: skip
        return status, time.perf_counter() - started


def drive(port: int, tokens: list[str], clients: int) -> tuple[float, list[float], Counter]:
    lock = threading.Lock()
    work = list(enumerate(tokens))
    latencies: list[float] = []
    statuses: Counter = Counter()

    def run() -> None:
        client = Client(port)
        while True:
            with lock:
                if not work:
                    return
                index, token = work.pop()
            try:
                status, seconds = client.answer(token, f"bench-{index:06d}")
            except Exception as exc:
                status, seconds = f"error {type(exc).__name__}", 0.0
            with lock:
                statuses[status] += 1
                latencies.append(seconds)

    threads = [threading.Thread(target=run) for _ in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - started, latencies, statuses


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--responses", type=int, default=10_000)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=8)
    args = parser.parse_args()
    base = os.environ.get("DUDAO_BENCH_DATABASE_URL",
                          "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")  # fmt: skip
    redis = os.environ.get("DUDAO_BENCH_REDIS_URL", "redis://127.0.0.1:6379/13")
    from redis import Redis

    Redis.from_url(redis).flushdb()
    url = scratch_database(base, SCRATCH)
    print(f"preparing {args.responses} invitations ...", flush=True)
    campaign_id, tokens = prepare(url, args.responses)
    with tempfile.TemporaryDirectory() as folder:
        env = {"DUDAO_DATABASE_URL": url, "DUDAO_REDIS_URL": redis,
               "DUDAO_SECRET_KEY": "bench-secret", "DUDAO_INSTANCE_PATH": folder}  # fmt: skip
        port = free_port()
        server = start(
            [sys.executable, "-m", "gunicorn", "-w", str(args.workers), "-k", "gthread",
             "--threads", str(args.threads), "-b", f"127.0.0.1:{port}", "--log-level",
             "warning", "dudao.app:create_app()"], env,
        )  # fmt: skip
        worker = start([sys.executable, "-m", "dudao", "worker"], env, quiet=True)
        try:
            wait_for(port, server)
            total, latencies, statuses = drive(port, tokens, args.clients)
            again, _, refused = drive(port, tokens[:200], 10)
        finally:
            server.terminate()
            worker.terminate()
            server.wait(30)
            worker.wait(30)
    engine = make_engine(url)
    # Fewer than BATCH_MIN answers may still wait: an open campaign moves them when it
    # closes. Flush them as the close would, so that only a real loss counts as lost.
    final = move_all(make_session_factory(engine), minimum=1)
    with engine.connect() as connection:
        used = connection.execute(
            text("SELECT count(*) FROM survey_invitation WHERE used")
        ).scalar()
        pending = connection.execute(text("SELECT count(*) FROM survey_pending_response")).scalar()
        markers = Counter(
            connection.execute(
                text("SELECT answers->>'comment' FROM survey_response WHERE campaign_id = :c"),
                {"c": campaign_id},
            ).scalars()
        )
        batches = connection.execute(
            text("SELECT count(DISTINCT xmin::text) FROM survey_response")
        ).scalar()
    engine.dispose()
    ok = statuses.get(302, 0)
    expected = {f"bench-{i:06d}" for i in range(len(tokens))}
    lost = len(expected - set(markers))
    duplicated = sum(n - 1 for n in markers.values() if n > 1)
    latencies.sort()
    p50 = latencies[len(latencies) // 2] * 1000
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000
    print(f"answers: {len(tokens)} by {args.clients} clients; gunicorn -w {args.workers} "
          f"gthread x{args.threads}; statuses {dict(statuses)}")  # fmt: skip
    print(f"throughput: {len(tokens) / total:.1f} answers/s ({total:.1f} s; GET + POST each)")
    print(f"latency per answer: p50 {p50:.0f} ms, p99 {p99:.0f} ms, "
          f"mean {statistics.fmean(latencies) * 1000:.0f} ms")  # fmt: skip
    print(f"stored: {sum(markers.values())} responses in {batches} batches (final sweep moved "
          f"{final.moved}); invitations used {used}; pending {pending}")  # fmt: skip
    print(f"lost: {lost}; duplicated: {duplicated}; second submissions refused: "
          f"{refused.get(404, 0)}/200 in {again:.1f} s")  # fmt: skip
    good = ok == len(tokens) and lost == 0 and duplicated == 0 and pending == 0
    good = good and used == len(tokens) and refused.get(404, 0) == 200
    print("OK" if good else "FAILED")
    return 0 if good else 1


if __name__ == "__main__":
    raise SystemExit(main())
