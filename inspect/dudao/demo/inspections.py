"""Demo steps for inspections: the shipped schedules and one ad hoc inspection.

The schedules' inspections themselves are created by the materialisation job that
`dudao cron` enqueues as soon as the demo starts, exactly as in production.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from dudao.auth.models import User
from dudao.definitions.queries import current_version
from dudao.demo.data import DemoOrg
from dudao.inspections.models import Inspection, InspectionOrigin
from dudao.inspections.services import create_inspection
from dudao.org.models import Unit
from dudao.scheduling.recurrence import local_today
from dudao.workflow.engine import apply

AD_HOC_REASON = "群众来信反映该支部“三会一课”记录不全，请核实"
AD_HOC_DEFINITION = "campaign_spot_check"


def load_ad_hoc_inspection(session: Session, org: DemoOrg) -> int:
    """One ad hoc inspection of a branch of HC03, assigned to two inspectors by the office."""
    if session.scalar(select(Inspection.id).where(Inspection.origin == InspectionOrigin.AD_HOC)):
        return 0
    version = current_version(session, AD_HOC_DEFINITION)
    branch = session.scalar(
        select(Unit).where(Unit.code.like("HC03-%"), Unit.level == "branch").order_by(Unit.code)
    )
    users = {u.username: u for u in session.scalars(select(User))}
    if version is None or branch is None or "office" not in users:
        return 0
    office = users["office"]
    settings = session.info.get("settings")
    today = local_today(settings.timezone if settings else "Asia/Shanghai")
    inspectors = [users[name] for name in ("inspector1", "inspector2") if name in users]
    inspection = create_inspection(
        session, office, branch, version, today + timedelta(days=14),
        InspectionOrigin.AD_HOC, reason=AD_HOC_REASON, assignees=inspectors,
    )  # fmt: skip
    apply(session, office, inspection, "assign")
    return 1
