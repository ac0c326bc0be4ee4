"""Demo step: the office has begun triaging the demo's flags, so the queue shows every
state, an assignee and deadline, a comment, a rectification task opened from a flag, and
two saved filters; most flags stay new for whoever walks the demo.

- the company-wide cross-unit flag: acknowledged, given to `office` with a deadline in two
  weeks, and a comment;
- a critical-failure flag (or, when none has a branch with a lead at or above it who could
  answer a task, another flag with findings): in progress, given to `office` with a
  deadline in a week, and a rectification task for its branch;
- the first flag no longer detected: resolved with a comment; the second: dismissed with
  a reason;
- `office`'s saved filters 高风险未分派 and 我负责的.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from dudao.auth.models import User
from dudao.core.enums import UnitLevel
from dudao.demo.data import DemoOrg
from dudao.inspections.rectifications import has_answerer
from dudao.scheduling.recurrence import org_today
from dudao.trends.models import Flag
from dudao.triage import rectify, saved_filters, services
from dudao.workflow.engine import apply

COMMENT = "已电话通知华辰能源党委，要求各支部两周内开展活动知晓率专项宣传并报送情况。"
TASK = "立即核实现场与汇报材料不一致的问题，补齐活动台账，整改情况经支委会审议后报送。"
RESOLVED = "最近两次检查均已合格，支部已整改到位。"
DISMISSED = "经与检查组核实，系检查表录入错误，不属于倾向性问题。"
FILTERS = {"高风险未分派": "severity=high&assignee=none", "我负责的": "assignee=me"}


def load_demo_triage(session: Session, _org: DemoOrg) -> int:
    """Idempotent: does nothing once any flag has left `new` or has an assignee."""
    office = session.scalar(select(User).where(User.username == "office"))
    flags = list(session.scalars(select(Flag).order_by(Flag.id)))
    if office is None or not flags or any(f.state != "new" or f.assignee_id for f in flags):
        return 0
    today = org_today(session)
    done = 0
    cross = [f for f in flags if f.rule == "cross_unit" and f.unit.level == UnitLevel.COMPANY]
    company = cross[0] if cross else None
    if company is not None:
        apply(session, office, company, "acknowledge")
        services.set_assignee(session, office, company, office, None, today + timedelta(days=14))
        services.add_comment(session, office, company, COMMENT)
        done += 1
    rectified, unit_id = _answerable(session, flags)
    if rectified is not None:
        apply(session, office, rectified, "start")
        services.set_assignee(session, office, rectified, office, None, today + timedelta(days=7))
        rectify.open_for_flag(session, office, rectified, unit_id, today + timedelta(days=14),
                              TASK)  # fmt: skip
        done += 1
    cleared = [f for f in flags if not f.detected and f.state == "new"]
    if cleared:
        apply(session, office, cleared[0], "acknowledge")
        apply(session, office, cleared[0], "resolve", fields={"comment": RESOLVED})
        done += 1
    if len(cleared) > 1:
        apply(session, office, cleared[1], "dismiss", fields={"reason": DISMISSED})
        done += 1
    for name, query in FILTERS.items():
        saved_filters.save_filter(session, office.id, name, query)
    return done


def _answerable(session: Session, flags: list[Flag]) -> tuple[Flag | None, int | None]:
    """The first detected flag, critical failures first, with a unit whose task someone could
    answer (a task for a unit without a lead at or above it is refused), and that unit."""
    for flag in sorted(flags, key=lambda f: f.rule != "critical_failure"):
        if flag.state != "new" or not flag.detected:
            continue
        for unit_id, finding in rectify.findings_by_unit(session, flag).items():
            if has_answerer(session, finding.unit):
                return flag, unit_id
    return None, None
