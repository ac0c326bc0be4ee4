"""Benchmark: history import and trend analysis over 1,000,000 answers.

Builds 1,000 branches under 20 companies, a 40-item checklist, and 25 months of one
inspection per branch (25,000 inspections × 40 answers), imports them with
`dudao import inspections` (JSON Lines, set-based inserts), then times the full
analysis and the incremental analysis of one unit after a submission.

    python bench/trend_scale.py [--units 1000] [--periods 25]
    DUDAO_BENCH_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/bench \\
        python bench/trend_scale.py --wipe

The PostgreSQL database must be a scratch one (--wipe drops its Dudao tables).
Targets: full analysis < 60 s; incremental < 1 s.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import date
from pathlib import Path

import numpy as np
from sqlalchemy import func, insert, select, text

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "inspect"))
sys.path.insert(0, str(ROOT / "bench"))

from _common import bench_app  # noqa: E402

from dudao.core.database import utcnow  # noqa: E402
from dudao.definitions.services import sync_forms  # noqa: E402
from dudao.org.models import Unit  # noqa: E402
from dudao.trends.importing import import_inspections  # noqa: E402
from dudao.trends.models import Flag  # noqa: E402
from dudao.trends.services import UNIT_RULES, analyze  # noqa: E402

ITEMS = 40


def checklist_yaml() -> str:
    items = "\n".join(
        f"      - {{key: q{i:02d}, type: yes_no, required: true, weight: 1,"
        f" label: {{zh: 检查项{i}}}{', critical: true' if i == 0 else ''}}}"
        for i in range(ITEMS)
    )
    return (
        "kind: checklist\nkey: bench_checklist\ntitle: {zh: 基准检查表}\n"
        "sections:\n  - key: s\n    title: {zh: 全部}\n    items:\n" + items + "\n"
    )


def build_org(session, units: int) -> list[str]:
    now = utcnow()
    rows = [{"id": 1, "code": "G", "name": "G", "level": "group", "parent_id": None,
             "path": "/1/", "depth": 0, "tags": [], "active": True, "created_at": now,
             "updated_at": now}]  # fmt: skip
    for c in range(20):
        rows.append(
            {
                **rows[0],
                "id": 2 + c,
                "code": f"C{c:02d}",
                "name": f"C{c:02d}",
                "level": "company",
                "parent_id": 1,
                "path": f"/1/{2 + c}/",
                "depth": 1,
            }
        )
    codes = []
    for u in range(units):
        c = u % 20
        uid = 100 + u
        codes.append(f"B{u:04d}")
        rows.append({**rows[0], "id": uid, "code": codes[-1], "name": codes[-1],
                     "level": "branch", "parent_id": 2 + c, "path": f"/1/{2 + c}/{uid}/",
                     "depth": 2})  # fmt: skip
    session.execute(insert(Unit), rows)
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT setval('unit_id_seq', (SELECT max(id) FROM unit))"))
    return codes


def history_file(folder: Path, codes: list[str], periods: int, seed: int = 1) -> Path:
    rng = np.random.default_rng(seed)
    base = rng.uniform(0.03, 0.12, ITEMS)
    path = folder / "history.jsonl"
    with path.open("w", encoding="utf-8") as out:
        for t in range(periods):
            day = date(2024 + t // 12, t % 12 + 1, 10).isoformat()
            failed = rng.random((len(codes), ITEMS)) < base
            for code, row in zip(codes, failed, strict=True):
                answers = {f"q{i:02d}": "no" if f else "yes" for i, f in enumerate(row)}
                out.write(json.dumps({"unit": code, "definition": "bench_checklist",
                                      "date": day, "answers": answers}) + "\n")  # fmt: skip
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=1000)
    parser.add_argument("--periods", type=int, default=25)
    parser.add_argument("--wipe", action="store_true")
    args = parser.parse_args()
    folder, app = bench_app("dudao-trend-scale-", args.wipe)
    runtime = app.extensions["dudao"]
    forms = folder / "forms"
    forms.mkdir()
    (forms / "bench_checklist.yaml").write_text(checklist_yaml(), encoding="utf-8")
    tz = runtime.settings.timezone
    with app.app_context(), runtime.session_factory() as session:
        codes = build_org(session, args.units)
        sync_forms(session, None, forms)
        session.commit()
        path = history_file(folder, codes, args.periods)
        started = time.perf_counter()
        result = import_inspections(session, None, path, tz)
        session.commit()
        took = time.perf_counter() - started
        answers = result.created * ITEMS
        print(f"{runtime.engine.dialect.name}: imported {result.created} inspections "
              f"({answers:,} answers) in {took:.1f} s")  # fmt: skip
        started = time.perf_counter()
        summary = analyze(session, tz, today=date.today())
        session.commit()
        print(f"full analysis: {time.perf_counter() - started:.1f} s, "
              f"{sum(summary.detected.values())} detections, {summary.created} flags")  # fmt: skip
        started = time.perf_counter()
        again = import_inspections(session, None, path, tz)
        session.rollback()
        print(f"re-import (nothing to do): {time.perf_counter() - started:.1f} s, "
              f"{again.existing} already there")  # fmt: skip
        unit_id = session.scalar(select(Unit.id).where(Unit.code == codes[0]))
        times = []
        for _ in range(5):
            started = time.perf_counter()
            analyze(session, tz, today=date.today(), unit_ids=[unit_id], rules=UNIT_RULES)
            session.commit()
            times.append(time.perf_counter() - started)
        print(f"incremental analysis of one unit: median {sorted(times)[2] * 1000:.0f} ms")
        flags = session.scalar(select(func.count()).select_from(Flag))
        print(f"flags stored: {flags}")


if __name__ == "__main__":
    main()
