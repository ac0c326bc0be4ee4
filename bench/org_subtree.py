"""Benchmark: subtree queries and moves on an org tree of 100,000 units.

Builds group → 20 companies → 50 units each → 99 branches each (100,021 units) in
a SQLite file, and also in PostgreSQL when DUDAO_BENCH_DATABASE_URL is set, then
prints timings of `queries.subtree`, `queries.within` and of moving a company
with 5,000 descendants (`services.move_unit`, one prefix rewrite; rolled back).

    python bench/org_subtree.py [--sqlite PATH] [--repeat N]
    DUDAO_BENCH_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/bench \\
        python bench/org_subtree.py --wipe

The PostgreSQL database must be a scratch one: with --wipe its Dudao tables are
dropped and re-created. Target: a subtree query well under 100 ms.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import Engine, func, insert, inspect, select, text

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "inspect"))

import dudao.models  # noqa: E402,F401  (registers every table)
from dudao.core import migrate  # noqa: E402
from dudao.core.database import Base, make_engine, make_session_factory, utcnow  # noqa: E402
from dudao.org import queries, services  # noqa: E402
from dudao.org.models import Unit  # noqa: E402

COMPANIES, UNITS_PER_COMPANY, BRANCHES_PER_UNIT = 20, 50, 99
BATCH = 5000


def build_rows() -> list[dict[str, object]]:
    """All units with ids, paths and depths computed here, for a fast bulk insert."""
    now = utcnow()
    rows: list[dict[str, object]] = []

    def add(code: str, level: str, parent: dict[str, object] | None) -> dict[str, object]:
        unit_id = len(rows) + 1
        row = {
            "id": unit_id,
            "code": code,
            "name": code,
            "level": level,
            "parent_id": parent["id"] if parent else None,
            "path": f"{parent['path'] if parent else '/'}{unit_id}/",
            "depth": parent["depth"] + 1 if parent else 0,  # type: ignore[operator]
            "tags": [],
            "active": True,
            "created_at": now,
            "updated_at": now,
        }
        rows.append(row)
        return row

    group = add("G", "group", None)
    for c in range(COMPANIES):
        company = add(f"C{c:02d}", "company", group)
        for u in range(UNITS_PER_COMPANY):
            unit = add(f"C{c:02d}U{u:02d}", "unit", company)
            for b in range(BRANCHES_PER_UNIT):
                add(f"C{c:02d}U{u:02d}B{b:02d}", "branch", unit)
    return rows


def prepare(engine: Engine, wipe: bool) -> None:
    existing = inspect(engine).get_table_names()
    if "unit" in existing:
        with engine.connect() as connection:
            count = connection.scalar(select(func.count()).select_from(Unit))
        if count and not wipe:
            raise SystemExit(
                f"{engine.url.render_as_string()} already holds {count} units; "
                "use a scratch database and pass --wipe to drop its Dudao tables."
            )
        Base.metadata.drop_all(engine)
        with engine.begin() as connection:
            connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
    migrate.upgrade(engine)


def load(engine: Engine) -> float:
    rows = build_rows()
    started = time.perf_counter()
    with engine.begin() as connection:
        for start in range(0, len(rows), BATCH):
            connection.execute(insert(Unit), rows[start : start + BATCH])
        if engine.dialect.name == "postgresql":
            connection.execute(text("SELECT setval('unit_id_seq', (SELECT max(id) FROM unit))"))
        connection.execute(text("ANALYZE"))
    return time.perf_counter() - started


def timed(label: str, action: Callable[[], object], repeat: int) -> None:
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = action()
        times.append((time.perf_counter() - started) * 1000)
    size = len(result) if hasattr(result, "__len__") else result  # type: ignore[arg-type]
    print(
        f"  {label:<52} median {statistics.median(times):8.2f} ms"
        f"   min {min(times):8.2f} ms   ({size})"
    )


def run(engine: Engine, repeat: int) -> None:
    factory = make_session_factory(engine)
    print(f"\n{engine.dialect.name}: {engine.url.render_as_string()}")
    print(f"  built {len(build_rows()):,} units in {load(engine):.1f} s (bulk insert, no audit)")
    with factory() as session:
        company = session.scalar(select(Unit).where(Unit.code == "C07"))
        unit = session.scalar(select(Unit).where(Unit.code == "C07U25"))
        group = session.scalar(select(Unit).where(Unit.code == "G"))
        scope = [
            session.scalar(select(Unit.path).where(Unit.code == code))
            for code in ("C03U01", "C11", "C19U49")
        ]
        assert company and unit and group

        def count_within(paths: list[str]) -> Callable[[], int]:
            return lambda: session.scalar(
                select(func.count()).select_from(Unit).where(queries.within(paths))
            )

        def ids_within(paths: list[str]) -> Callable[[], list[int]]:
            return lambda: session.scalars(select(Unit.id).where(queries.within(paths))).all()

        timed(
            "subtree(unit): 100 units, ORM objects", lambda: queries.subtree(session, unit), repeat
        )
        timed(
            "subtree(company): 5,001 units, ORM objects",
            lambda: queries.subtree(session, company),
            repeat,
        )
        timed("within([company]): ids only (the SQL part)", ids_within([company.path]), repeat)
        timed("within([company]): count", count_within([company.path]), repeat)
        timed("within(3 scope paths): count", count_within(scope), repeat)
        timed("within([group]): count of all units", count_within([group.path]), repeat)
        session.expunge_all()

    moves: list[float] = []
    for attempt in range(max(1, repeat // 4)):
        with factory() as session:
            company = session.scalar(select(Unit).where(Unit.code == f"C{attempt % COMPANIES:02d}"))
            target = session.scalar(select(Unit).where(Unit.code == "C19U00"))
            assert company and target
            started = time.perf_counter()
            services.move_unit(session, None, company, target)
            session.flush()
            moves.append((time.perf_counter() - started) * 1000)
            moved = session.scalar(
                select(func.count()).select_from(Unit).where(queries.within([target.path]))
            )
            assert moved == 1 + 99 + 5001, moved  # the target unit, its branches, the company
            session.rollback()
    print(
        f"  {'move_unit(company with 5,000 descendants), audited':<52} median "
        f"{statistics.median(moves):8.2f} ms   min {min(moves):8.2f} ms   (rolled back)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sqlite", type=Path, help="SQLite file (default: a temporary one)")
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--wipe", action="store_true", help="drop Dudao tables in the bench DB")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        sqlite_path = args.sqlite or Path(folder) / "bench.sqlite"
        sqlite_path.unlink(missing_ok=True)
        engine = make_engine(f"sqlite:///{sqlite_path}")
        prepare(engine, wipe=True)
        run(engine, args.repeat)
        engine.dispose()
    url = os.environ.get("DUDAO_BENCH_DATABASE_URL", "").strip()
    if url:
        engine = make_engine(url)
        prepare(engine, wipe=args.wipe)
        run(engine, args.repeat)
        engine.dispose()


if __name__ == "__main__":
    main()
