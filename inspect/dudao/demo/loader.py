"""Load the demo organisation through the real services, so the audit log has its history.

Loading is a list of steps. Each step is idempotent: it looks for what it would
create and skips what is already there, so a second `dudao demo` reuses the
data and writes no new audit events. Later features add their own step to
`steps()` (for example definitions, schedules, inspections).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from dudao.auth.models import User
from dudao.auth.services import create_user, grant_role
from dudao.core.enums import Role
from dudao.demo.data import DEFAULT_SEED, DemoOrg, build_demo
from dudao.org.models import Unit
from dudao.org.services import create_unit

# A step gets the session and the demo plan and returns how many things it created.
DemoStep = Callable[[Session, DemoOrg], int]


@dataclass(frozen=True)
class StepResult:
    name: str
    created: int


@dataclass(frozen=True)
class DemoLoad:
    org: DemoOrg
    results: tuple[StepResult, ...]

    @property
    def created(self) -> int:
        return sum(result.created for result in self.results)


def load_org(session: Session, org: DemoOrg) -> int:
    """Group, companies, units and branches; skipped as a whole when the root exists."""
    if session.scalar(select(Unit.id).where(Unit.code == org.root.code)) is not None:
        return 0
    created: dict[str, Unit] = {}
    for spec in org.units:
        created[spec.code] = create_unit(
            session,
            None,
            spec.code,
            spec.name,
            spec.level,
            created[spec.parent_code] if spec.parent_code else None,
            name_en=spec.name_en,
            tags=list(spec.tags),
            headcount=spec.headcount,
        )
    return len(created)


def load_accounts(session: Session, org: DemoOrg) -> int:
    """One account per demo sign-in with its role grant; existing accounts are left alone."""
    codes = {account.unit_code for account in org.accounts}
    codes |= {account.home_code for account in org.accounts if account.home_code}
    units = {u.code: u for u in session.scalars(select(Unit).where(Unit.code.in_(codes)))}
    usernames = [account.username for account in org.accounts]
    existing = session.scalars(select(User).where(User.username.in_(usernames)))
    users = {user.username: user for user in existing}
    created = 0
    for account in org.accounts:
        user = users.get(account.username)
        if user is None:
            user = create_user(session, None, account.username, account.display_name, org.password)
            created += 1
        before = len(user.grants)
        grant_role(session, None, user, account.role, units[account.unit_code])
        if account.home_code:
            # A grant in their home company makes it their own: draws and assignments
            # never send them there (回避).
            grant_role(session, None, user, Role.REPRESENTATIVE, units[account.home_code])
        created += len(user.grants) - before
    return created


def steps() -> list[tuple[str, DemoStep]]:
    """Every loader step, in order (later features append theirs; each must be idempotent)."""
    from dudao.assessment.demo import load_demo_assessment
    from dudao.definitions.commands import sync_shipped
    from dudao.demo.inspections import load_ad_hoc_inspection
    from dudao.feedback.demo import load_demo_feedback
    from dudao.scheduling.demo import load_demo_current_period
    from dudao.scheduling.draw_demo import load_demo_draw
    from dudao.scheduling.services import sync_shipped as sync_schedules
    from dudao.surveys.demo import load_demo_campaign
    from dudao.targets.demo import load_demo_targets
    from dudao.trends.demo import load_demo_history, load_demo_questionnaire_flags
    from dudao.triage.demo import load_demo_triage

    return [
        ("organisation", load_org),
        ("accounts", load_accounts),
        ("definitions", sync_shipped),
        ("schedules", sync_schedules),
        ("ad hoc inspection", load_ad_hoc_inspection),
        ("spot-check draw", load_demo_draw),
        ("inspection history and trend flags", load_demo_history),
        ("flag triage begun", load_demo_triage),
        ("rectification history and satisfaction surveys", load_demo_assessment),
        ("questionnaire campaign", load_demo_campaign),
        ("questionnaire flags", load_demo_questionnaire_flags),
        ("representatives' feedback and its theme flag", load_demo_feedback),
        ("campaign targets", load_demo_targets),
        ("schedules' current periods under way", load_demo_current_period),
    ]


def load_demo(session: Session, seed: int = DEFAULT_SEED) -> DemoLoad:
    """Run every step in the caller's transaction; the caller commits once."""
    org = build_demo(seed)
    return DemoLoad(org, tuple(StepResult(name, step(session, org)) for name, step in steps()))
