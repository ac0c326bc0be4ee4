"""Two materialisations at once, and a worker killed in the middle: each inspection exists once."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap
import threading
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import sessionmaker

from dudao.audit.chain import verify_chain
from dudao.config import PROJECT_ROOT
from dudao.core.database import make_engine
from dudao.core.enums import UnitLevel
from dudao.definitions.services import sync_forms
from dudao.inspections.models import Inspection, InspectionAssignment
from dudao.org.services import create_unit
from dudao.scheduling.materialise import RunReport, materialise_all
from dudao.scheduling.models import Schedule

TZ = "Asia/Shanghai"
UNTIL = date(2026, 6, 1)  # six monthly periods


@pytest.fixture
def many(session, org, user_factory):
    """30 more branches, two schedules with a pool; 6 periods x 33 branches x 2 schedules."""
    sync_forms(session, None, PROJECT_ROOT / "forms")
    for number in range(30):
        create_unit(session, None, f"A1-X{number}", f"支部{number}", UnitLevel.BRANCH, org.unit_a1)
    for name in ("ia", "ib", "ic"):
        user_factory(name, ("inspector", org.group))
    for key in ("one", "two"):
        session.add(
            Schedule(
                key=key,
                name=key,
                definition_key="branch_standardisation",
                scope_unit=org.group,
                levels=["branch"],
                rrule="FREQ=MONTHLY;BYMONTHDAY=1",
                dtstart=date(2026, 1, 1),
                assignment={"policy": "pool", "pool": ["ia", "ib", "ic"], "count": 2},
            )
        )
    session.commit()
    return 6 * 33 * 2


def check_exactly_once(session, expected: int) -> None:
    session.expire_all()
    assert session.scalar(select(func.count()).select_from(Inspection)) == expected
    distinct = session.execute(
        select(func.count()).select_from(
            select(Inspection.schedule_id, Inspection.unit_id, Inspection.period_key)
            .distinct()
            .subquery()
        )
    ).scalar()
    assert distinct == expected
    assert session.scalar(select(func.count()).select_from(InspectionAssignment)) == 2 * expected
    assert set(session.scalars(select(Inspection.state).distinct())) == {"assigned"}
    assert verify_chain(session) == []


def test_two_materialisations_at_the_same_moment(settings, session, many):
    """Separate engines and connections in two threads; on PostgreSQL they truly overlap
    (ON CONFLICT waits for the other transaction), on SQLite the write lock serialises them."""
    barrier = threading.Barrier(2)
    reports: list[RunReport] = []
    errors: list[BaseException] = []

    def worker() -> None:
        engine = make_engine(settings.database_url)
        try:
            factory = sessionmaker(bind=engine, expire_on_commit=False)
            barrier.wait()
            reports.append(materialise_all(factory, TZ, UNTIL))
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            engine.dispose()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert not errors, errors
    assert sum(report.created for report in reports) == many
    check_exactly_once(session, many)


KILLER = textwrap.dedent(
    """
    import os, signal, sys
    from datetime import date
    sys.path.insert(0, {root!r})
    from dudao.config import load_settings
    from dudao.core.runtime import Runtime
    from dudao.scheduling import materialise

    runtime = Runtime(load_settings())
    original, calls = materialise.record_many, []

    def dying(session, actor, entries):
        calls.append(1)
        result = original(session, actor, entries)
        if len(calls) == 3:  # the third period is inserted, assigned and audited: kill
            session.flush()  # before its commit
            os.kill(os.getpid(), signal.SIGKILL)
        return result

    materialise.record_many = dying
    materialise.materialise_all(runtime.session_factory, "Asia/Shanghai", date(2026, 6, 1))
    """
)


def test_a_worker_killed_mid_job_leaves_whole_periods_and_a_rerun_completes(
    app, settings, session, many
):
    env = dict(os.environ)
    env.update(
        DUDAO_DATABASE_URL=settings.database_url,
        DUDAO_INSTANCE_PATH=str(settings.instance_path),
        DUDAO_SECRET_KEY="test-secret",
        DUDAO_REDIS_URL=settings.redis_url or "",
    )
    script = KILLER.format(root=str(PROJECT_ROOT / "inspect"))
    done = subprocess.run([sys.executable, "-c", script], env=env, timeout=120, capture_output=True)
    assert done.returncode == -9, done.stderr.decode()
    session.expire_all()
    # Two periods of the first schedule were committed; the third died with its transaction.
    assert session.scalar(select(func.count()).select_from(Inspection)) == 2 * 33
    assert verify_chain(session) == []
    report = materialise_all(app.extensions["dudao"].session_factory, TZ, UNTIL)
    assert report.created == many - 2 * 33
    check_exactly_once(session, many)


def test_two_dudao_schedules_run_processes_at_once(settings, session, many):
    """Two `dudao schedules run` processes started together (two machines' cron)."""
    env = dict(os.environ)
    env.update(
        DUDAO_DATABASE_URL=settings.database_url,
        DUDAO_INSTANCE_PATH=str(settings.instance_path),
        DUDAO_SECRET_KEY="test-secret",
        DUDAO_REDIS_URL=settings.redis_url or "",
    )
    dudao = str(Path(sys.executable).with_name("dudao"))
    command = [dudao, "schedules", "run", "--until", UNTIL.isoformat(), "--lang", "en"]
    processes = [
        subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        for _ in range(2)
    ]
    outputs = [process.communicate(timeout=180) for process in processes]
    for process, (_out, err) in zip(processes, outputs, strict=True):
        assert process.returncode == 0, err.decode()
    created = [
        int(re.search(r"inspections created: (\d+),", out.decode()).group(1))  # type: ignore[union-attr]
        for out, _ in outputs
    ]
    assert sum(created) == many
    check_exactly_once(session, many)
