"""Benchmark: the analytics heatmap for 250 branches × the shipped 40-item checklist.

Builds a fresh database (SQLite in a temp folder, or the PostgreSQL database named by
DUDAO_BENCH_DATABASE_URL, which is emptied first) with the demo group's 250 branches
and six monthly `branch_standardisation` results per branch (latest submissions, with
seeded failures), then requests the heatmap with one row per branch through the Flask
test client and prints the page's size in bytes (as sent, and gzip-compressed as a reverse
proxy may send it; the app itself does not compress) and the server time: median and p95
of repeated requests.

    python bench/heatmap_bench.py [--repeat 30]

Targets: < 300 ms of server time (issue 8) and at most 300,000 bytes of HTML (it was about
1 MB before the cells lost their per-cell URLs). Exits 1 when either is missed.
"""

from __future__ import annotations

import argparse
import gzip
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, date, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "inspect"))
sys.path.insert(0, str(ROOT))

from sqlalchemy import insert, select, text  # noqa: E402
from tests.factories import make_user  # noqa: E402

import dudao.models  # noqa: E402,F401
from dudao.app import create_app  # noqa: E402
from dudao.config import PROJECT_ROOT, load_settings  # noqa: E402
from dudao.core import migrate  # noqa: E402
from dudao.core.database import make_engine  # noqa: E402
from dudao.definitions.queries import current_version, pinned  # noqa: E402
from dudao.definitions.services import sync_forms  # noqa: E402
from dudao.demo.data import build_demo  # noqa: E402
from dudao.demo.loader import load_org  # noqa: E402
from dudao.inspections.models import Inspection  # noqa: E402
from dudao.inspections.submission_models import Finding, Submission  # noqa: E402
from dudao.org.models import Unit  # noqa: E402

TARGET_MS = 300
TARGET_BYTES = 300_000
MONTHS = [date(2026, m, 15) for m in range(1, 7)]
PASSWORD = "bench-password-1"


def database(folder: Path) -> str:
    url = os.environ.get("DUDAO_BENCH_DATABASE_URL", "").strip()
    if not url:
        return f"sqlite:///{folder / 'bench.sqlite'}"
    engine = make_engine(url)
    with engine.begin() as connection:  # a fresh database: drop everything, migrate again
        connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    engine.dispose()
    return url


def build(session) -> tuple[int, int]:
    """The demo org, the shipped definitions and 6 months of results per branch."""
    load_org(session, build_demo(2026))
    sync_forms(session, None, PROJECT_ROOT / "forms")
    version = current_version(session, "branch_standardisation")
    items = [i.key for i in pinned(session, version.id).items if i.scored]
    branches = list(session.scalars(select(Unit.id).where(Unit.level == "branch")))
    rng = random.Random(8)
    rows = [{"unit_id": b, "definition_version_id": version.id, "workflow": "inspection",
             "state": "closed", "version": 1, "origin": "ad_hoc", "due_date": day,
             "created_at": datetime.now(UTC), "state_changed_at": datetime.now(UTC)}
            for b in branches for day in MONTHS]  # fmt: skip
    ids = session.scalars(insert(Inspection).returning(Inspection.id), rows).all()
    subs = [{"submission_id": str(uuid.uuid4()), "inspection_id": i,
             "definition_version_id": version.id, "content_hash": "bench", "answers": {},
             "notes": {}, "photos": {}, "result": {}, "percent": rng.uniform(60, 100),
             "passed": True, "submitted_at": datetime.now(UTC)} for i in ids]  # fmt: skip
    pks = session.scalars(insert(Submission).returning(Submission.id), subs).all()
    findings = [{"submission_pk": pk, "inspection_id": i, "unit_id": row["unit_id"],
                 "item_key": key, "critical": False, "photo_ids": []}
                for pk, i, row in zip(pks, ids, rows, strict=True)
                for key in items if rng.random() < 0.08]  # fmt: skip
    session.execute(insert(Finding), findings)
    session.commit()
    return len(ids), len(findings)


def figures(times: list[float]) -> tuple[float, float]:
    """Median and 95th percentile (nearest rank) of `times`."""
    ordered = sorted(times)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, round(0.95 * len(ordered)))]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="dudao-heatmap-bench-"))
    url = database(folder)
    engine = make_engine(url)
    migrate.upgrade(engine)
    engine.dispose()
    settings = load_settings({"DUDAO_INSTANCE_PATH": str(folder), "DUDAO_DATABASE_URL": url,
                              "DUDAO_SECRET_KEY": "bench-secret"})  # fmt: skip
    app = create_app(settings, {"RATELIMIT_ENABLED": False, "WTF_CSRF_ENABLED": False})
    with app.app_context():
        session = app.extensions["dudao"].session_factory()
        inspections, findings = build(session)
        root = session.scalar(select(Unit).where(Unit.parent_id.is_(None)))
        make_user(session, "office", PASSWORD, (("office", root),))
        session.commit()
        code = root.code
        session.close()
    print(f"database: {url.split(':')[0]}; 250 branches, {inspections} results, "
          f"{findings} findings, 40-item checklist")  # fmt: skip
    client = app.test_client()
    client.post("/login", data={"username": "office", "password": PASSWORD})
    page = (f"/analytics/heatmap?unit={code}&rows=branches&definition=branch_standardisation"
            "&from=2026-01&to=2026-06")  # fmt: skip
    first = client.get(page)
    body = first.get_data(as_text=True)
    assert first.status_code == 200 and body.count("data-row=") == 251, "heatmap not as expected"
    wall, cpu = [], []
    for _ in range(args.repeat):
        started, started_cpu = time.perf_counter(), time.thread_time()
        response = client.get(page)
        wall.append((time.perf_counter() - started) * 1000)
        cpu.append((time.thread_time() - started_cpu) * 1000)
        assert response.status_code == 200
    median, p95 = figures(wall)
    size, packed = len(first.data), len(gzip.compress(first.data, 6))
    print(f"heatmap page (250 rows × 40 items): {size:,} bytes of HTML as sent (target <= "
          f"{TARGET_BYTES:,}), {packed:,} bytes gzip-compressed (level 6)")  # fmt: skip
    print(f"{args.repeat} requests: median {median:.0f} ms, p95 {p95:.0f} ms "
          f"(target < {TARGET_MS} ms)")  # fmt: skip
    # CPU time of the request (the test client runs the app in this thread): what the
    # request costs when it has a core to itself; wall time includes waiting for one.
    print("CPU time: median {:.0f} ms, p95 {:.0f} ms; load average {:.1f}".format(
        *figures(cpu), os.getloadavg()[0]))  # fmt: skip
    ok = p95 < TARGET_MS and size <= TARGET_BYTES
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
