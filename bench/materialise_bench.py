"""Benchmark: materialise one year of monthly inspections for 10,000 units.

Builds group → 20 companies → 10 units each → 48 or 49 branches each (10,000
units), 20 inspectors (each with a home company, so conflict avoidance is at
work), and one schedule over the whole group (`FREQ=MONTHLY;BYMONTHDAY=1`, pool
of 20, two inspectors each). Then times `materialise_all` up to the twelfth
month — 120,000 inspections, 240,000 assignments and 240,000 audit events —
and a second, idempotent run, and prints the peak memory (ru_maxrss).

    python bench/materialise_bench.py                       # SQLite in a temp folder
    DUDAO_BENCH_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/postgres \\
        python bench/materialise_bench.py --postgres-only

With DUDAO_BENCH_DATABASE_URL, a scratch database `dudao_materialise_bench` is
dropped and created on that server (the URL's own database is not touched).
Targets: < 30 s and < 500 MB on each database. Run one database per process
for a clean memory figure (--sqlite-only / --postgres-only).
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from _common import scratch_database
from sqlalchemy import func, insert, select, text

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "inspect"))

import dudao.models  # noqa: E402,F401  (registers every table)
from dudao.audit.chain import verify_chain  # noqa: E402
from dudao.auth.models import RoleGrant, User  # noqa: E402
from dudao.core import migrate  # noqa: E402
from dudao.core.database import make_engine, make_session_factory, utcnow  # noqa: E402
from dudao.definitions.services import sync_forms  # noqa: E402
from dudao.inspections.models import Inspection  # noqa: E402
from dudao.org.models import Unit  # noqa: E402
from dudao.scheduling.materialise import materialise_all  # noqa: E402
from dudao.scheduling.models import Schedule  # noqa: E402

TOTAL_UNITS, COMPANIES, UNITS_PER_COMPANY, INSPECTORS = 10_000, 20, 10, 20
SCRATCH = "dudao_materialise_bench"


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def build(factory) -> None:
    """10,000 units, 20 inspectors and one schedule, with plain multi-row inserts."""
    now = utcnow()
    rows = [dict(id=1, code="G", name="集团", level="group", parent_id=None, path="/1/", depth=0)]
    next_id = 2
    parents = []
    for c in range(COMPANIES):
        company = next_id
        rows.append(dict(id=company, code=f"C{c:02d}", name=f"公司{c}", level="company",
                         parent_id=1, path=f"/1/{company}/", depth=1))  # fmt: skip
        next_id += 1
        for u in range(UNITS_PER_COMPANY):
            rows.append(dict(id=next_id, code=f"C{c:02d}-{u:02d}", name=f"单位{c}-{u}",
                             level="unit", parent_id=company,
                             path=f"/1/{company}/{next_id}/", depth=2))  # fmt: skip
            parents.append(rows[-1])
            next_id += 1
    branches = TOTAL_UNITS - len(rows)
    for index in range(branches):
        parent = parents[index % len(parents)]
        rows.append(dict(id=next_id, code=f"{parent['code']}-{index:05d}", name=f"支部{index}",
                         level="branch", parent_id=parent["id"],
                         path=f"{parent['path']}{next_id}/", depth=3))  # fmt: skip
        next_id += 1
    for row in rows:
        row.update(tags=[], active=True, created_at=now, updated_at=now)
    with factory() as session:
        for start in range(0, len(rows), 2000):
            session.execute(insert(Unit), rows[start : start + 2000])
        users = [dict(id=n + 1, username=f"insp{n:02d}", display_name=f"检查员{n}",
                      password_hash="x", active=True, created_at=now)
                 for n in range(INSPECTORS)]  # fmt: skip
        session.execute(insert(User), users)
        grants = []
        for n in range(INSPECTORS):
            grants.append(dict(user_id=n + 1, role="inspector", unit_id=1, created_at=now))
            home = 2 + (n % COMPANIES) * (UNITS_PER_COMPANY + 1)  # a company's id
            grants.append(dict(user_id=n + 1, role="representative", unit_id=home, created_at=now))
        session.execute(insert(RoleGrant), grants)
        sync_forms(session, None, ROOT / "forms")
        session.add(
            Schedule(
                key="bench",
                name="月度检查",
                definition_key="branch_standardisation",
                scope_unit_id=1,
                rrule="FREQ=MONTHLY;BYMONTHDAY=1",
                dtstart=date(2026, 1, 1),
                assignment={"policy": "pool", "pool": [u["username"] for u in users], "count": 2},
            )
        )
        session.commit()
        if session.get_bind().dialect.name == "postgresql":
            session.execute(text("ANALYZE"))
            session.commit()


def run(label: str, url: str) -> bool:
    engine = make_engine(url)
    migrate.upgrade(engine)
    factory = make_session_factory(engine)
    started = time.perf_counter()
    build(factory)
    print(f"[{label}] built 10,000 units in {time.perf_counter() - started:.1f} s")
    started, cpu = time.perf_counter(), time.process_time()
    report = materialise_all(factory, "Asia/Shanghai", date(2026, 12, 15))
    took, cpu = time.perf_counter() - started, time.process_time() - cpu
    load = os.getloadavg()[0]
    peak = peak_mb()
    started = time.perf_counter()
    again = materialise_all(factory, "Asia/Shanghai", date(2026, 12, 15))
    rerun = time.perf_counter() - started
    with factory() as session:
        count = session.scalar(select(func.count()).select_from(Inspection))
        started = time.perf_counter()
        problems = verify_chain(session)
        verify = time.perf_counter() - started
    engine.dispose()
    ok = took < 30 and peak < 500 and count == 120_000 and not problems and again.created == 0
    print(
        f"[{label}] materialised {report.created:,} inspections ({report.periods} periods, "
        f"{report.assigned:,} assigned) in {took:.1f} s (this process's CPU {cpu:.1f} s, "
        f"load average {load:.1f}); peak RSS {peak:.0f} MB; "
        f"rerun {rerun:.1f} s creating {again.created}; audit chain verified in {verify:.1f} s "
        f"({len(problems)} problems) -> {'OK' if ok else 'FAILED'} (targets < 30 s, < 500 MB)"
    )
    return ok


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sqlite-only", action="store_true")
    parser.add_argument("--postgres-only", action="store_true")
    args = parser.parse_args()
    results = []
    if not args.postgres_only:
        with tempfile.TemporaryDirectory() as folder:
            results.append(run("sqlite", f"sqlite:///{folder}/bench.sqlite"))
    pg = os.environ.get("DUDAO_BENCH_DATABASE_URL", "").strip()
    if pg and not args.sqlite_only:
        results.append(run("postgresql", scratch_database(pg, SCRATCH)))
    elif not args.sqlite_only:
        print("[postgresql] skipped: set DUDAO_BENCH_DATABASE_URL to a PostgreSQL server")
    sys.exit(0 if all(results) else 1)


if __name__ == "__main__":
    main()
