"""Benchmark: inspection report PDFs (40 items, 10 photos) per second on one core.

    python bench/report_bench.py [--reports 30]

Builds a scratch SQLite instance in a temporary folder: one branch, a 40-item
checklist (4 sections, 4 failed items with notes), 10 photos of 1600x1200 pixels
stored as the tablet API stores them, and a rectification task. Each timed report
does what the job does: read the inspection (a few queries), make the 10 thumbnails
and write the PDF with the embedded, subset CJK font. Target (issue 9): >= 10/s.
The rate is reports per second of the process's CPU time, pinned to one core, so a
busy machine does not distort it; the wall-clock time is printed too. The first
report (font loading) is timed apart.
"""

from __future__ import annotations

import argparse
import io
import os
import sys
import tempfile
import time
import uuid
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "inspect"))

from PIL import Image, ImageDraw  # noqa: E402

from dudao.auth.services import create_user, grant_role  # noqa: E402
from dudao.config import load_settings  # noqa: E402
from dudao.core import migrate  # noqa: E402
from dudao.core.database import make_engine, make_session_factory  # noqa: E402
from dudao.core.enums import Role, UnitLevel  # noqa: E402
from dudao.definitions.queries import current_version  # noqa: E402
from dudao.definitions.services import sync_forms  # noqa: E402
from dudao.inspections.models import InspectionOrigin  # noqa: E402
from dudao.inspections.photos import store_photo  # noqa: E402
from dudao.inspections.rectifications import open_rectification  # noqa: E402
from dudao.inspections.services import create_inspection  # noqa: E402
from dudao.inspections.submissions import submit  # noqa: E402
from dudao.org.services import create_unit  # noqa: E402
from dudao.reports.inspection_data import load_inspection_report  # noqa: E402
from dudao.reports.inspection_pdf import render_inspection_pdf  # noqa: E402
from dudao.workflow.engine import apply  # noqa: E402

ITEMS, FAILED, PHOTOS, TARGET = 40, 4, 10, 10.0


def checklist_yaml() -> str:
    sections = []
    for s in range(4):
        items = "\n".join(
            f"      - {{key: q{n:02d}, type: yes_no, label: 第{n + 1}项：党支部按规定落实相关制度"
            f"并有完整台账记录, required: true, weight: 1"
            f"{', critical: true' if n == 0 else ''}"
            f"{', evidence_on_fail: note' if n < FAILED else ''}}}"
            for n in range(s * 10, s * 10 + 10)
        )
        sections.append(f"  - key: s{s}\n    title: 第{s + 1}部分\n    items:\n{items}")
    items_photo = "      - {key: evidence, type: photo, label: 现场照片, max_count: 10}"
    return (
        "kind: checklist\nkey: bench_report\ntitle: 党支部标准化建设检查表（基准）\n"
        "grades:\n  - {min: 90, label: 优秀}\n  - {min: 60, label: 合格}\n"
        "  - {min: 0, label: 不合格}\n"
        "sections:\n" + "\n".join(sections) + f"\n{items_photo}\n"
    )


def photo(n: int) -> bytes:
    image = Image.new("RGB", (1600, 1200), (30 + 20 * n, 80, 120))
    draw = ImageDraw.Draw(image)
    for k in range(0, 1600, 80):
        draw.line((k, 0, 1600 - k, 1200), fill=(200, 200, 200), width=3)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


def prepare(folder: Path):
    settings = load_settings(
        {"DUDAO_INSTANCE_PATH": str(folder / "instance"), "DUDAO_SECRET_KEY": "bench"}
    )
    engine = make_engine(settings.database_url)
    migrate.upgrade(engine)
    forms = folder / "forms"
    forms.mkdir()
    (forms / "bench_report.yaml").write_text(checklist_yaml(), encoding="utf-8")
    factory = make_session_factory(engine, settings=settings)
    with factory() as session:
        group = create_unit(session, None, "G", "示例集团", UnitLevel.GROUP)
        branch = create_unit(session, None, "B1", "第一党支部", UnitLevel.BRANCH, group)
        inspector = create_user(session, None, "insp", "张检查", "bench password 1")
        grant_role(session, None, inspector, Role.INSPECTOR, group)
        office = create_user(session, None, "office", "李主任", "bench password 1")
        grant_role(session, None, office, Role.OFFICE, group)
        sync_forms(session, None, forms)
        version = current_version(session, "bench_report")
        inspection = create_inspection(
            session, office, branch, version, date(2026, 12, 31), InspectionOrigin.AD_HOC,
            assignees=[inspector],
        )  # fmt: skip
        apply(session, office, inspection, "assign")
        ids = [
            store_photo(session, inspector, inspection, "evidence", photo(n), settings.data_dir,
                        settings.tz)[0].id
            for n in range(PHOTOS)
        ]  # fmt: skip
        answers = {f"q{n:02d}": "no" if n < FAILED else "yes" for n in range(ITEMS)}
        answers["evidence"] = ids
        notes = {f"q{n:02d}": f"第{n + 1}项：台账缺失，现场未见记录" for n in range(FAILED)}
        submit(session, inspector, inspection, str(uuid.uuid4()),
               {"answers": answers, "notes": notes})  # fmt: skip
        session.flush()
        finding = inspection.id and session.get(type(inspection), inspection.id)
        from sqlalchemy import select

        from dudao.inspections.submission_models import Finding

        first = session.scalars(select(Finding).where(Finding.inspection_id == inspection.id))
        open_rectification(session, office, next(iter(first)), branch, date(2027, 1, 31),
                           "补齐台账并公示")  # fmt: skip
        session.commit()
        return settings, factory, finding.id


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=30)
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core
    with tempfile.TemporaryDirectory() as folder:
        settings, factory, inspection_id = prepare(Path(folder))

        def one() -> int:
            with factory() as session:
                report = load_inspection_report(
                    session, inspection_id, settings.data_dir, settings.tz
                )
            return len(render_inspection_pdf(report, tz=settings.tz))

        started = time.perf_counter()
        size = one()
        first = time.perf_counter() - started
        started, cpu = time.perf_counter(), time.process_time()
        for _ in range(args.reports):
            one()
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    rate = args.reports / cpu
    print(f"first report (loads the font): {first * 1000:.0f} ms; PDF size {size / 1024:.0f} KiB")
    print(f"{args.reports} reports of {ITEMS} items and {PHOTOS} photos: {cpu:.2f} s of CPU on "
          f"one core ({elapsed:.2f} s wall clock): {rate:.1f} reports/s ({1000 / rate:.0f} ms "
          f"each); target >= {TARGET:g}/s")  # fmt: skip
    return 0 if rate >= TARGET else 1


if __name__ == "__main__":
    raise SystemExit(main())
