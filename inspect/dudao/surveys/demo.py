"""The demo's finished questionnaire campaign (a `dudao.demo.loader` step).

Members of one unit's branches answered the satisfaction questionnaire: most
branches often enough to be shown, two too rarely, so the results page and the
campaign report show suppression (small and complementary) at work. Answers are
written as the batch job would leave them (random ids, shuffled, no time).
"""

from __future__ import annotations

import random
import uuid
from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from dudao.assessment.periods import key_of_date, label
from dudao.auth.models import User
from dudao.core.database import utcnow
from dudao.definitions.queries import current_version
from dudao.org.models import Unit
from dudao.org.queries import within
from dudao.scheduling.recurrence import org_today
from dudao.surveys import issuing, services
from dudao.surveys.models import Campaign, CampaignState, Invitation, Response, RosterMember

DEMO_TITLE = "党员群众满意度测评（演示）"
DEMO_SCOPE = "HC01-02"
#: Branches (by position) that answered too rarely to be shown on their own; together still
#: fewer than 5, so a neighbouring branch is hidden too (complementary suppression).
FEW = {2: 3, 6: 1}
SATISFACTION = ("sat_leadership", "sat_meetings", "sat_members", "sat_service",
                "sat_openness", "sat_integrity")  # fmt: skip
COMMENTS = (
    "希望支部多组织一些结合业务的主题党日活动。",
    "三会一课有时流于形式，建议多讨论实际问题。",
    "支部书记很负责，遇到困难能及时帮助解决。",
    "党务公开栏更新不够及时。",
    "建议加强对青年党员的培养和帮助。",
    "办事流程比以前简化了很多，点赞。",
    "希望多听听一线职工的意见。",
    "学习材料太多，建议精简，突出重点。",
)


def _answers(chance: random.Random, mean: float) -> dict:
    def point() -> int:
        return max(1, min(5, round(chance.gauss(mean, 0.8))))

    answers: dict = {k: point() for k in SATISFACTION}
    answers.update(
        identity=chance.choice(["member", "member", "public"]),
        years_known=chance.choice(["under_1", "one_to_3", "over_3", "over_3"]),
        recommend=max(0, min(10, round(chance.gauss(mean * 2, 1.5)))),
    )
    if chance.random() < 0.7:
        areas = ["study", "meetings", "service", "openness", "conduct"]
        answers["improve_areas"] = chance.sample(areas, chance.randint(1, 3))
    if chance.random() < 0.35:
        answers["comment"] = chance.choice(COMMENTS)
    return answers


def load_demo_campaign(session: Session, plan: object) -> int:
    """One closed campaign over a demo unit with answers; skipped when it exists or when
    the questionnaire, the office account or the unit is missing."""
    # Also a campaign of an older demo, whose title named its quarter.
    if session.scalar(select(Campaign.id).where(Campaign.title.endswith(DEMO_TITLE))):
        return 0
    office = session.scalar(select(User).where(User.username == "office"))
    scope = session.scalar(select(Unit).where(Unit.code == DEMO_SCOPE))
    version = current_version(session, "member_satisfaction")
    if office is None or scope is None or version is None:
        return 0
    now = utcnow()
    campaign = services.create_campaign(
        session, office, title=DEMO_TITLE, version=version, scope_unit=scope, levels=["branch"],
        opens_at=now - timedelta(days=30), closes_at=now - timedelta(days=2),
        # The quarter it closes in, as the assessment names periods ("2026年第四季度").
        period_label=label(key_of_date(org_today(session) - timedelta(days=2), "quarter")),
    )  # fmt: skip
    branches = [u for u in session.scalars(select(Unit).where(within([scope.path])))
                if u.id != scope.id]  # fmt: skip
    branches.sort(key=lambda u: u.code)
    chance = random.Random(f"dudao-demo-campaign-{DEMO_SCOPE}")
    for branch in branches:
        session.add_all(RosterMember(unit_id=branch.id, external_id=f"{branch.code}-{n:03d}")
                        for n in range(branch.headcount or 10))  # fmt: skip
    session.flush()
    services.set_state(session, office, campaign, CampaignState.OPEN)
    issuing.generate_invitations(session, office, campaign)
    rows = []
    for position, branch in enumerate(branches):
        count = FEW.get(position) or round((branch.headcount or 10) * chance.uniform(0.4, 0.8))
        mean = chance.uniform(3.2, 4.6)
        rows += [(branch.id, _answers(chance, mean)) for _ in range(count)]
        mine = (Invitation.campaign_id == campaign.id, Invitation.unit_id == branch.id)
        used = select(Invitation.id).where(*mine).limit(count)
        session.execute(update(Invitation).where(Invitation.id.in_(used)).values(used=True))
    random.SystemRandom().shuffle(rows)
    session.add_all(Response(id=str(uuid.uuid4()), campaign_id=campaign.id, unit_id=unit_id,
                             period_label=campaign.period_label, answers=answers)
                    for unit_id, answers in rows)  # fmt: skip
    services.set_state(session, office, campaign, CampaignState.CLOSED)
    session.flush()
    return 1 + len(rows)
