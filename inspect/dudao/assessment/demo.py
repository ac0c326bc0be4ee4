"""Demo step: the other two assessment components for the demo's imported inspection history.

The history step (trends/demo.py) imports a year of monthly spot checks for the branches
of the first two companies; the assessment also weighs rectification timeliness and
member satisfaction. This step adds, seeded and for the same branches and months:

- a rectification task for every finding whose 30-day deadline has passed, stored as
  history (verified, most before the deadline, some after; one `rectification.import`
  audit event), like the imported inspections they come from; a few of the last weeks'
  are still not done and were escalated to overdue by the workflow's timer, so the
  overdue-rectification rule has something to flag;
- one member-satisfaction campaign per quarter of the history, created and closed
  through the survey services, with anonymous answers already in (a few branches have
  fewer than the threshold of 5, so the pages show the suppression at work).

Idempotent: skipped when the demo's campaigns exist.
"""

from __future__ import annotations

import random
import uuid
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from dudao.assessment.periods import bounds, key_of_date, label, local_date
from dudao.audit.services import record_many
from dudao.core.database import org_timezone, utcnow
from dudao.definitions.queries import current_version
from dudao.demo.data import DemoOrg
from dudao.inspections.models import Inspection, InspectionOrigin
from dudao.inspections.submission_models import Finding, Rectification, Submission
from dudao.org.models import Unit
from dudao.scheduling.recurrence import local_moment, org_today
from dudao.surveys import services as surveys
from dudao.surveys.models import Campaign, CampaignState, Response
from dudao.trends.services import analyze

TITLE = "{period}党支部建设满意度测评"
SCALES = ("sat_leadership", "sat_meetings", "sat_members", "sat_service", "sat_openness",
          "sat_integrity")  # fmt: skip


def _tasks(session: Session, rng: random.Random, tz: str, today: date, late: random.Random) -> int:
    findings = session.execute(
        select(Finding.id, Finding.unit_id, Submission.submitted_at)
        .join(Submission, Submission.id == Finding.submission_pk)
        .join(Inspection, Inspection.id == Finding.inspection_id)
        .where(Inspection.origin == InspectionOrigin.IMPORT)
        .order_by(Finding.id)
    ).all()
    zone, made, overdue, now = ZoneInfo(tz), 0, 0, utcnow()
    for finding_id, unit_id, submitted_at in findings:
        found = local_date(submitted_at, tz)
        deadline = found + timedelta(days=30)
        if deadline >= today - timedelta(days=7):
            continue
        done_late = rng.random() < 0.18
        days = rng.randint(2, 30) if done_late else -rng.randint(0, 20)
        # Verified late, but not after today: a demo on any date has no future history.
        done = min(today, max(found + timedelta(days=1), deadline + timedelta(days=days)))
        # (`late` is a random stream of its own, so the other figures stay what they were.)
        still_open = deadline >= today - timedelta(days=40) and late.random() < 0.05
        session.add(Rectification(
            finding_id=finding_id, unit_id=unit_id, deadline=deadline,
            description="按检查发现的问题完成整改", created_at=local_moment(found, zone, 18),
            **({"state": "overdue", "response": None,
                "state_changed_at": local_moment(deadline + timedelta(days=1), zone, 0, 5)}
               if still_open else
               {"state": "verified", "response": "已整改完毕，附整改材料。",
                # At 10:00 on the day, unless that is still to come (a demo started
                # before 10:00 of its first day verified tasks in the future).
                "state_changed_at": min(local_moment(done, zone, 10), now)}),
        ))  # fmt: skip
        made, overdue = made + 1, overdue + still_open
    if made:
        record_many(session, None, [("rectification.import", "rectification", "demo", None,
                                     {"created": made, "source": "demo history"})])  # fmt: skip
    if overdue:
        session.flush()
        analyze(session, tz, today=today, rules=("overdue_rectification",))
    return made


def _answers(rng: random.Random, level: float) -> dict[str, object]:
    answers: dict[str, object] = {
        "identity": rng.choice(["member", "member", "public"]),
        "years_known": rng.choice(["one_to_3", "over_3", "over_3"]),
        "recommend": max(0, min(10, round(2 * level + rng.gauss(0, 1)))),
    }
    for key in SCALES:
        answers[key] = max(1, min(5, round(level + rng.gauss(0, 0.7))))
    return answers


def _campaigns(session: Session, org: DemoOrg, rng: random.Random, tz: str, today: date) -> int:
    version = current_version(session, "member_satisfaction")
    root = session.scalar(select(Unit).where(Unit.code == org.root.code))
    if version is None or root is None:
        return 0
    companies = {u.code for u in org.units if u.level == "company"}
    first_two = sorted(companies)[:2]
    branches = list(session.scalars(
        select(Unit).where(Unit.level == "branch").order_by(Unit.code)
    ))  # fmt: skip
    branches = [b for b in branches if b.code[:4] in first_two]
    base = {b.id: rng.uniform(3.6, 4.7) for b in branches}
    # Two branches whose members' satisfaction falls sharply in the latest campaign (about
    # 37 index points): what the questionnaire-decline rule is for.
    # (Drawn apart, so the other figures stay what they were.)
    falling = {b.id for b in random.Random(f"{org.seed}-falling").sample(branches, 2)}
    index = today.year * 12 + today.month - 1  # the history: the 12 months before this one
    months = [date((index - n) // 12, (index - n) % 12 + 1, 1) for n in range(1, 13)]
    quarters = sorted({key_of_date(m, "quarter") for m in months} - {key_of_date(today, "quarter")})
    made = 0
    for quarter in quarters:
        latest = quarter == quarters[-1]
        end = bounds(quarter)[1]
        closes = datetime.combine(end - timedelta(days=8), time(18), ZoneInfo(tz))
        campaign = surveys.create_campaign(
            session, None, title=TITLE.format(period=label(quarter)), version=version,
            scope_unit=root, levels=["branch"], opens_at=closes - timedelta(days=14),
            closes_at=closes, period_label=label(quarter),
        )  # fmt: skip
        surveys.set_state(session, None, campaign, CampaignState.OPEN)
        for branch in branches:
            count = rng.randint(3, 4) if rng.random() < 0.04 else rng.randint(6, 14)
            level = base[branch.id] + rng.uniform(-0.35, 0.35)
            if latest and branch.id in falling:
                count, level = max(count, 10), level - 1.5
            for _ in range(count):
                session.add(Response(id=str(uuid.UUID(int=rng.getrandbits(128))),
                                     campaign_id=campaign.id, unit_id=branch.id,
                                     period_label=campaign.period_label,
                                     answers=_answers(rng, level)))  # fmt: skip
        session.flush()
        surveys.set_state(session, None, campaign, CampaignState.CLOSED)
        made += 1
    return made


def load_demo_assessment(session: Session, org: DemoOrg) -> int:
    if session.scalar(select(Campaign.id).where(Campaign.title.like("%党支部建设满意度测评"))):
        return 0
    tz, today = org_timezone(session), org_today(session)
    rng = random.Random(f"{org.seed}-assessment")
    late = random.Random(f"{org.seed}-overdue")
    return _tasks(session, rng, tz, today, late) + _campaigns(session, org, rng, tz, today)
