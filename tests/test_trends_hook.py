"""A submitted inspection is analysed at once: the workflow listener enqueues the job after
commit, and the job finds the recurring failure with the imported history."""

from __future__ import annotations

from sqlalchemy import select

from dudao.inspections.submissions import submit
from dudao.trends import jobs
from dudao.trends.models import Flag
from tests.inspection_world import PASSING, payload, world  # noqa: F401
from tests.trend_world import load, row


def test_submit_enqueues_the_analysis_and_the_job_flags_a_recurring_failure(
    app,
    session,
    world,  # noqa: F811
    monkeypatch,
    tmp_path,
) -> None:
    load(session, tmp_path, [row("A1-1", 0, leadership="assigned")])
    queued = []
    monkeypatch.setattr(jobs, "enqueue", lambda settings, func, *args: queued.append((func, args)))
    session.info["settings"] = app.extensions["dudao"].settings
    body = payload({**PASSING, "leadership": "assigned"})
    inspection = session.merge(world.inspection)
    submit(session, session.merge(world.inspector), inspection, body["submission_id"], body)
    assert queued == []  # nothing before commit
    session.commit()
    assert queued == [(jobs.analyze_inspection, (inspection.id,))]
    assert jobs.analyze_inspection(inspection.id) == {"created": 1, "updated": 0}
    session.expire_all()
    flag = session.scalar(select(Flag))
    assert (flag.rule, flag.item_key, flag.unit_codes) == ("recurring_failure", "leadership",
                                                          ["A1-1"])  # fmt: skip
    assert inspection.id in flag.evidence["inspection_ids"] and flag.detected
