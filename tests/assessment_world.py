"""Assessment test data with hand-chosen numbers: inspections with a given percent score,
rectification tasks with a given outcome, questionnaire answers with a given index."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session

from dudao.assessment import config as config_module
from dudao.assessment.config import AssessmentConfig, load_text
from dudao.audit.services import record
from dudao.config import PROJECT_ROOT
from dudao.core.database import utcnow
from dudao.definitions.queries import current_version
from dudao.definitions.services import sync_forms
from dudao.inspections.models import Inspection
from dudao.inspections.submission_models import Finding, Rectification, Submission
from dudao.org.models import Unit
from dudao.surveys.models import Response
from tests.survey_world import campaign_for, close

SATISFACTION_ITEMS = ("sat_leadership", "sat_meetings", "sat_members", "sat_service",
                      "sat_openness", "sat_integrity")  # fmt: skip


def _version(session: Session) -> int:
    version = current_version(session, "campaign_spot_check")
    if version is None:
        sync_forms(session, None, PROJECT_ROOT / "forms")
        version = current_version(session, "campaign_spot_check")
    assert version is not None
    return version.id


def inspection(session: Session, unit: Unit, day: str, percent: float | None,
               state: str = "closed") -> Inspection:  # fmt: skip
    """A counted inspection of `unit` submitted at noon (Beijing) on `day` with `percent`."""
    version = _version(session)
    moment = datetime.fromisoformat(day).replace(hour=4, tzinfo=UTC)
    made = Inspection(unit_id=unit.id, definition_version_id=version, state=state,
                      origin="ad_hoc", due_date=date.fromisoformat(day))  # fmt: skip
    session.add(made)
    session.flush()
    submission = Submission(
        submission_id=str(uuid.uuid4()), inspection_id=made.id, definition_version_id=version,
        content_hash="0" * 64, answers={}, notes={}, photos={}, result={}, percent=percent,
        passed=True, submitted_at=moment,
    )  # fmt: skip
    session.add(submission)
    session.flush()
    return made


def rectification(session: Session, made: Inspection, deadline: str, state: str,
                  done_on: str | None = None) -> Rectification:  # fmt: skip
    """A task on the inspection's unit; `done_on` is when it reached `state` (a date)."""
    submission = session.query(Submission).filter_by(inspection_id=made.id).one()
    finding = Finding(submission_pk=submission.id, inspection_id=made.id,
                      unit_id=made.unit_id, item_key=f"item_{uuid.uuid4().hex[:8]}")  # fmt: skip
    session.add(finding)
    session.flush()
    changed = datetime.fromisoformat(done_on).replace(hour=4, tzinfo=UTC) if done_on else utcnow()
    task = Rectification(finding_id=finding.id, unit_id=made.unit_id, state=state,
                         deadline=date.fromisoformat(deadline), description="整改",
                         state_changed_at=changed)  # fmt: skip
    session.add(task)
    session.flush()
    return task


Answers = dict[str, tuple[Unit, int, int]]


def survey(session: Session, scope: Unit, closes: str, answers: Answers,
           min_group: int | None = None) -> int:  # fmt: skip
    """A finished campaign over `scope` closing on day `closes`: answers as {name: (unit,
    count, level 1–5 for every satisfaction item)}; a level L gives the index 25·(L−1)."""
    made = campaign_for(session, scope, min_group=min_group)
    made.closes_at = datetime.fromisoformat(closes).replace(hour=4, tzinfo=UTC)
    made.opens_at = made.closes_at - timedelta(days=10)
    for unit, count, level in answers.values():
        for _ in range(count):
            session.add(Response(
                id=str(uuid.uuid4()), campaign_id=made.id, unit_id=unit.id,
                period_label=made.period_label,
                answers=dict.fromkeys(SATISFACTION_ITEMS, level),
            ))  # fmt: skip
    session.commit()
    close(session, made)
    return made.id


def config_file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "assessment.yaml"
    path.write_text(text, encoding="utf-8")
    return path


CONFIG = """
period: quarter
levels: [branch]
min_inspections: 2
weights: {inspection: 60, rectification: 20, satisfaction: 20}
tiers:
  - {key: advanced, label: {zh: 一档, en: Tier 1}, min: 90}
  - {key: good, label: {zh: 二档, en: Tier 2}, min: 80}
  - {key: average, label: {zh: 三档, en: Tier 3}, min: 70}
  - {key: lagging, label: {zh: 四档, en: Tier 4}, min: 0}
"""


@pytest.fixture
def configured(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AssessmentConfig:
    """workflows/assessment.yaml replaced by CONFIG (bands 90/80/70/0)."""
    monkeypatch.setattr(config_module, "ASSESSMENT_FILE", config_file(tmp_path, CONFIG))
    return load_text(CONFIG)


def first_quarter(session: Session, org: Any) -> None:
    """2025Q1, computed by hand in the comments."""
    a1 = inspection(session, org.branch_a1, "2025-01-10", 80)
    inspection(session, org.branch_a1, "2025-02-10", 90)  # inspection 85
    rectification(session, a1, "2025-02-28", "verified", "2025-02-20")  # on time
    rectification(session, a1, "2025-02-28", "verified", "2025-03-10")  # late
    rectification(session, a1, "2025-02-28", "in_progress")  # deadline passed: late
    rectification(session, a1, "2025-02-28", "cancelled")  # not counted
    late = rectification(session, a1, "2025-02-28", "verified", "2025-02-20")
    record(session, None, "rectification.submit", "rectification", late.id)  # submitted today
    # a1 rectification 1/4 = 25; satisfaction 75: (60·85 + 20·25 + 20·75) / 100 = 71.0
    inspection(session, org.branch_a2, "2025-01-11", 90)
    inspection(session, org.branch_a2, "2025-03-11", 100)  # 95; no task due; satisfaction 100
    # a2: (60·95 + 20·100) / 80 = 96.25 -> 96.3 (half up)
    b1 = inspection(session, org.branch_b1, "2025-01-12", 70)
    inspection(session, org.branch_b1, "2025-02-12", 72)
    inspection(session, org.branch_b1, "2025-03-12", 74)  # 72
    rectification(session, b1, "2025-03-31", "submitted", "2025-03-30")  # on time: 100
    # b1 satisfaction withheld (3 answers < 5): (60·72 + 20·100) / 80 = 79.0
    inspection(session, org.unit_a1, "2025-01-12", 10)  # not a branch: not assessed
    inspection(session, org.unit_a1, "2025-02-12", 10)
    session.commit()
    survey(session, org.company_a, "2025-03-20",
           {"a1": (org.branch_a1, 10, 4), "a2": (org.branch_a2, 6, 5)})  # fmt: skip
    survey(session, org.company_b, "2025-03-20", {"b1": (org.branch_b1, 3, 5)})
