"""Analytics test data with numbers chosen by hand: results (score, failed items), rectification
tasks, scheduled or drawn inspections and satisfaction answers, written as rows so every figure
is known."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from dudao.config import PROJECT_ROOT
from dudao.definitions.queries import current_version
from dudao.definitions.services import sync_forms
from dudao.inspections.models import Inspection
from dudao.inspections.submission_models import Finding, Rectification, Submission
from dudao.org.models import Unit
from dudao.scheduling.models import Schedule, SpotCheckDraw
from dudao.surveys.models import Response
from tests import survey_world

DEFINITION = "campaign_spot_check"
TZ = ZoneInfo("Asia/Shanghai")


def version_id(session: Session, key: str = DEFINITION) -> int:
    if current_version(session, key) is None:
        sync_forms(session, None, PROJECT_ROOT / "forms")
    version = current_version(session, key)
    assert version is not None
    return version.id


def local(day: date, hour: int = 12) -> datetime:
    """A moment on `day` in Shanghai, as UTC."""
    return datetime.combine(day, time(hour), TZ).astimezone(UTC)


def inspection(
    session: Session, unit: Unit, due: date, *, state: str = "closed", key: str = DEFINITION,
    schedule: Schedule | None = None, draw: SpotCheckDraw | None = None,
) -> Inspection:  # fmt: skip
    origin = "periodic" if schedule else "draw" if draw else "ad_hoc"
    row = Inspection(unit_id=unit.id, definition_version_id=version_id(session, key),
                     state=state, origin=origin, due_date=due,
                     schedule_id=schedule.id if schedule else None,
                     period_key=f"{due.isoformat()}-{uuid.uuid4().hex[:6]}" if schedule else None,
                     draw_id=draw.id if draw else None)  # fmt: skip
    session.add(row)
    session.flush()
    return row


def submit(
    session: Session, row: Inspection, percent: float | None, failed: tuple[str, ...] = (),
    at: datetime | None = None,
) -> Submission:  # fmt: skip
    """A submission of `row` with the given score and failed items (each a finding)."""
    sub = Submission(submission_id=str(uuid.uuid4()), inspection_id=row.id,
                     definition_version_id=row.definition_version_id, content_hash="x",
                     answers={}, notes={}, photos={}, result={}, percent=percent,
                     passed=not failed, submitted_at=at or local(row.due_date))  # fmt: skip
    session.add(sub)
    session.flush()
    for key in failed:
        session.add(Finding(submission_pk=sub.id, inspection_id=row.id, unit_id=row.unit_id,
                            item_key=key))  # fmt: skip
    session.flush()
    return sub


def result(session: Session, unit: Unit, due: date, percent: float | None,
           failed: tuple[str, ...] = (), state: str = "closed") -> Inspection:  # fmt: skip
    row = inspection(session, unit, due, state=state)
    submit(session, row, percent, failed)
    return row


def rectification(session: Session, unit: Unit, deadline: date, state: str,
                  closed: date | None = None) -> Rectification:  # fmt: skip
    """A task with `deadline`; `closed` is the local day it reached `state` (its last change)."""
    row = result(session, unit, deadline - timedelta(days=30), 50.0, ("plan",))
    finding = row_finding(session, row)
    task = Rectification(finding_id=finding.id, unit_id=unit.id, state=state,
                         deadline=deadline, description="fix",
                         state_changed_at=local(closed or deadline, 20))  # fmt: skip
    session.add(task)
    session.flush()
    return task


def row_finding(session: Session, row: Inspection) -> Finding:
    found = session.query(Finding).filter(Finding.inspection_id == row.id).first()
    assert found is not None
    return found


def schedule(session: Session, scope: Unit, name: str) -> Schedule:
    made = Schedule(key=f"s_{name}", name=name, definition_key=DEFINITION, scope_unit=scope,
                    rrule="FREQ=MONTHLY", dtstart=date(2026, 1, 1))  # fmt: skip
    session.add(made)
    session.flush()
    return made


def draw(session: Session, title: str) -> SpotCheckDraw:
    made = SpotCheckDraw(title=title, definition_key=DEFINITION, seed="s", algorithm="a",
                         params={}, inputs={}, result={}, result_hash="h",
                         due_date=date(2026, 1, 1))  # fmt: skip
    session.add(made)
    session.flush()
    return made


#: The months the analytics page and browser tests read; the questionnaire items of satisfaction.
RANGE = "from=2026-01&to=2026-05"
SATISFACTION = ("sat_leadership", "sat_meetings", "sat_members", "sat_service", "sat_openness",
                "sat_integrity")  # fmt: skip


def results(session, org):
    """A1-1: Jan fails plan, Feb passes, Mar fails plan + leadership; A1-2 passes once;
    company B's branch fails plan (never visible to company A's office)."""
    ids = {
        "jan": result(session, org.branch_a1, date(2026, 1, 10), 80, ("plan",)).id,
        "feb": result(session, org.branch_a1, date(2026, 2, 10), 100).id,
        "mar": result(session, org.branch_a1, date(2026, 3, 10), 60, ("plan", "leadership")).id,
        "a2": result(session, org.branch_a2, date(2026, 3, 12), 100).id,
        "b": result(session, org.branch_b1, date(2026, 1, 10), 10, ("plan",)).id,
    }
    result(session, org.branch_a1, date(2026, 3, 20), 0, ("plan",), state="returned")
    session.commit()
    return ids


def campaign(session, org, title: str, sizes: dict, final: bool = True):
    campaign = survey_world.campaign_for(session, org.company_a, title=title)
    session.commit()
    for unit, (count, level) in sizes.items():
        for _n in range(count):
            answers = {k: level for k in SATISFACTION}
            answers.update(identity="member", years_known="over_3",
                           recommend=(level - 1) * 10 // 4)  # fmt: skip
            session.add(Response(id=str(uuid.uuid4()), campaign_id=campaign.id, unit_id=unit.id,
                                 period_label=campaign.period_label, answers=answers))  # fmt: skip
    session.commit()
    return survey_world.close(session, campaign) if final else campaign
