"""Demo steps for inspections: the shipped schedules' inspections come from cron; this step
adds the office's ad hoc inspections and one finding with an open rectification task.

- an ad hoc inspection of a branch of HC03 for inspector1 and inspector2;
- an ad hoc inspection of branch_lead's own branch for inspector1 (home HC01, so no conflict),
  to walk the whole loop by hand: fill, return, fix, approve, rectify, verify;
- a submitted and approved inspection of an HC01 branch by inspector3 whose failed item has
  an open rectification task, so company_lead has one to answer and inspector3 or the office
  one to verify.

The schedules' inspections, and the work done on them by now, are the last loader step
(scheduling/demo.py).
"""

from __future__ import annotations

import uuid
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from dudao.auth.models import User
from dudao.definitions.models import DefinitionVersion
from dudao.definitions.queries import current_version
from dudao.demo.data import DemoOrg
from dudao.inspections.models import Inspection, InspectionOrigin
from dudao.inspections.rectifications import open_rectification
from dudao.inspections.reviews import review
from dudao.inspections.services import create_inspection
from dudao.inspections.submission_models import Rectification
from dudao.inspections.submissions import submit
from dudao.org.models import Unit
from dudao.scheduling.recurrence import org_today
from dudao.trends.demo import PASSING
from dudao.workflow.engine import apply

AD_HOC_REASON = "群众来信反映该支部“三会一课”记录不全，请核实"
LOOP_REASON = "督导组随机复查：核实创先争优活动实施方案及群众知晓情况"
RECTIFY_REASON = "复查上季度抽查发现的问题"
TASK_DESCRIPTION = "尽快制定创先争优活动实施方案，明确目标任务，经支委会讨论后公示"
AD_HOC_DEFINITION = "campaign_spot_check"
FAILED_PLAN = {**PASSING, "plan": "no"}  # the history's answers, without a plan


def _ad_hoc(
    session: Session, office: User, unit: Unit, version: DefinitionVersion, due: date,
    reason: str, inspectors: list[User],
) -> Inspection | None:  # fmt: skip
    """One assigned ad hoc inspection, unless one with this reason exists already."""
    found = select(Inspection.id).where(
        Inspection.origin == InspectionOrigin.AD_HOC, Inspection.reason == reason
    )
    if session.scalar(found) is not None:
        return None
    inspection = create_inspection(
        session, office, unit, version, due, InspectionOrigin.AD_HOC, reason=reason,
        assignees=inspectors,
    )  # fmt: skip
    apply(session, office, inspection, "assign")
    return inspection


def _open_task(
    session: Session, users: dict[str, User], unit: Unit, version: DefinitionVersion, today: date
) -> int:
    """inspector3 submits a checklist whose `plan` fails, the office approves it and opens a
    rectification task on the finding for the branch (company_lead's subtree)."""
    if session.scalar(
        select(Rectification.id).where(Rectification.description == TASK_DESCRIPTION)
    ):
        return 0
    office, inspector = users["office"], users["inspector3"]
    inspection = _ad_hoc(session, office, unit, version, today, RECTIFY_REASON, [inspector])
    if inspection is None:
        return 0
    payload = {"answers": FAILED_PLAN, "notes": {"plan": "支部尚未制定实施方案"}}
    outcome = submit(session, inspector, inspection, uuid.uuid4(), payload)
    review(session, office, inspection, outcome.submission, "approve", comment="情况属实")
    [finding] = outcome.submission.findings
    open_rectification(
        session, office, finding, unit, today + timedelta(days=14), TASK_DESCRIPTION,
        verifier_id=inspector.id,
    )  # fmt: skip
    return 2


def load_ad_hoc_inspection(session: Session, org: DemoOrg) -> int:
    """The demo's ad hoc inspections and its open rectification task (each made once)."""
    version = current_version(session, AD_HOC_DEFINITION)
    users = {u.username: u for u in session.scalars(select(User))}
    if version is None or "office" not in users:
        return 0
    today = org_today(session)
    office, created = users["office"], 0
    branches = select(Unit).where(Unit.level == "branch").order_by(Unit.code)
    hc03 = session.scalar(branches.where(Unit.code.like("HC03-%")))
    if hc03 is not None:
        pair = [users[name] for name in ("inspector1", "inspector2") if name in users]
        created += bool(
            _ad_hoc(session, office, hc03, version, today + timedelta(days=14), AD_HOC_REASON, pair)
        )
    lead = next((a for a in org.accounts if a.username == "branch_lead"), None)
    led = session.scalar(select(Unit).where(Unit.code == lead.unit_code)) if lead else None
    if led is not None and "inspector1" in users:
        due = today + timedelta(days=7)
        inspector = [users["inspector1"]]
        created += bool(_ad_hoc(session, office, led, version, due, LOOP_REASON, inspector))
    hc01 = session.scalar(branches.where(Unit.code.like("HC01-%")))
    if hc01 is not None and "inspector3" in users:
        created += _open_task(session, users, hc01, version, today)
    return created
