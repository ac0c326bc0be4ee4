"""Demo step: the shipped schedules' periods up to today, worked on as a real organisation's
would be by now, so the demo opens on a campaign under way, not on hundreds of overdue checks.

The periods are created by `materialise_all`, what the cron job runs, inside the loader's
transaction (each period in a savepoint). Then, seeded and relative to today, each
inspection gets a story (demo/fieldwork.py does it through the services and dates it):

- a period whose due date has passed: submitted on various working days of its window;
  of those that fell due in the last month, 5 % are still overdue (half of them started),
  3 % were submitted late and 2 % were returned and are not fixed yet;
- the office reviews each submission one to five days later: about 6 % are returned with a
  comment beside an item and sent again fixed within two weeks, the rest approved (one in
  ten of the fixed ones is returned once more, so the returned-inspection rule has
  something to flag); what came in during the last days still waits for review;
- a period still running: submitted, started (a draft saved) or not yet begun in
  proportion to how much of its window has gone.

Answers come from the checklist's items with a pass rate per unit (most units do well, a
few badly); failed items carry their notes and photos and make findings, as on a tablet.
Idempotent: skipped when the schedules have inspections (this step or cron made them).
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from dudao.audit.models import AuditEvent
from dudao.auth.models import User
from dudao.config import Settings
from dudao.demo.data import DemoOrg
from dudao.demo.fieldwork import Crew, Story, Timeline, date_rows, perform, pictures
from dudao.inspections.models import Inspection, InspectionOrigin
from dudao.scheduling.materialise import materialise_all
from dudao.scheduling.recurrence import local_moment, local_today
from dudao.trends.demo import PASSING
from dudao.trends.services import analyze

OVERDUE, LATE, WAITING, RETURNED = 0.05, 0.03, 0.02, 0.06
RETURNED_TWICE = 0.1  # of those returned and fixed
PERIODIC = Inspection.origin == InspectionOrigin.PERIODIC
#: Answers to start from per checklist: the imported history's, for the same spot check.
BASES = {"campaign_spot_check": PASSING}
#: Date items answered with the day of the visit itself.
VISIT_DAY_ITEMS = {"branch_standardisation": ("rec_check_date",)}


def _day(rng: random.Random, first: date, last: date) -> date:
    """A day from `first` to `last`, a working day (Monday to Friday) when there is one
    near: people inspect and review in the week."""
    day = first + timedelta(days=rng.randint(0, max(0, (last - first).days)))
    for shift in (0, 1, -1, 2, -2):
        moved = day + timedelta(days=shift)
        if moved.weekday() < 5 and first <= moved <= max(first, last):
            return moved
    return day


def _reviewed(
    rng: random.Random, story: Story, last: date, twice: random.Random | None = None
) -> Story:
    """The office's part: approve, or return and approve the fixed one (until `last`); with
    `twice`, a few fixed ones are returned once more (drawn from that stream alone, so the
    other stories stay what they were)."""
    assert story.submitted is not None
    review = _day(rng, story.submitted + timedelta(days=1), story.submitted + timedelta(days=5))
    if review > last:
        return story  # waits for the office
    if rng.random() >= RETURNED:
        story.approved = review
        return story
    story.returned = review
    again = _day(rng, review + timedelta(days=2), review + timedelta(days=12))
    if again <= last:
        story.resubmitted = again
        approve = _day(rng, again + timedelta(days=1), again + timedelta(days=3))
        story.approved = approve if approve <= last else None
        if story.approved and twice is not None and twice.random() < RETURNED_TWICE:
            story.returned_again, story.approved = story.approved, None
            back = story.returned_again
            fixed = _day(twice, back + timedelta(days=2), back + timedelta(days=10))
            if fixed <= last:
                story.resubmitted_again = fixed
                approve = _day(twice, fixed + timedelta(days=1), fixed + timedelta(days=3))
                story.approved = approve if approve <= last else None
    return story


def story(
    rng: random.Random, start: date, due: date, today: date, lag: str = "",
    twice: random.Random | None = None,
) -> Story:  # fmt: skip
    """What has happened by `today` to an inspection of the period `start`–`due`; `lag` is
    "overdue", "late" or "returned" (not fixed yet) for the few of a recently due period
    that are not done."""
    last, window = today - timedelta(days=1), max(1, (due - start).days)
    if last < start:
        return Story()
    if due < today:
        if lag == "overdue":
            return Story(draft=_day(rng, start, last)) if rng.random() < 0.5 else Story()
        if lag == "late" and due < last:
            submitted = _day(rng, due + timedelta(days=1), last)
        else:
            early, late = (start + timedelta(days=round(window * f)) for f in (0.2, 0.97))
            submitted = _day(rng, early, late)
        submitted = min(submitted, last)
        if lag == "returned" and submitted < last:
            return Story(
                submitted=submitted, returned=_day(rng, submitted + timedelta(days=1), last)
            )
        return _reviewed(rng, Story(submitted=submitted), last, twice)
    progress, chance = (today - start).days / window, rng.random()
    if chance < 0.55 * progress**2:
        return _reviewed(rng, Story(submitted=_day(rng, start, last)), last, twice)
    if chance < 0.55 * progress**2 + 0.35 * progress:
        return Story(draft=_day(rng, start, last))
    return Story()


def lags(rng: random.Random, count: int, due: date, today: date) -> list[str]:
    """Per inspection of a period that fell due in the last month: 5 % still overdue, 3 %
    submitted late, 2 % returned and not yet fixed, the rest on time (older periods were all
    done); seeded, in a random order."""
    if not today - timedelta(days=31) <= due < today:
        return [""] * count
    marks = [mark for mark, share in (("overdue", OVERDUE), ("late", LATE), ("returned", WAITING))
             for _ in range(round(share * count))]  # fmt: skip
    marks += [""] * (count - len(marks))
    rng.shuffle(marks)
    return marks


def _joined(session: Session, info: dict[str, Any]) -> sessionmaker[Session]:
    """Sessions on the loader's connection and transaction, whose commits are savepoints."""
    session.flush()
    return sessionmaker(
        bind=session.connection(), join_transaction_mode="create_savepoint",
        expire_on_commit=False, info=info,
    )  # fmt: skip


def _work(
    session: Session, settings: Settings, org: DemoOrg, today: date, now: datetime, since: int
) -> int:
    """Draw and do every periodic inspection's story; returns how many submissions it made."""
    zone, rng = settings.tz, random.Random(f"{org.seed}-current-period")
    twice = random.Random(f"{org.seed}-returned-twice")
    office = session.scalar(select(User).where(User.username == "office"))
    users = {user.id: user for user in session.scalars(select(User))}
    crew = Crew(office, users, settings.data_dir, zone, pictures(rng), BASES, VISIT_DAY_ITEMS)
    timeline, quality, began = Timeline(zone), {}, {}
    periods: dict[tuple, list[Inspection]] = {}
    for inspection in session.scalars(select(Inspection).where(PERIODIC).order_by(Inspection.id)):
        periods.setdefault((inspection.schedule_id, inspection.period_key), []).append(inspection)
    for inspections in periods.values():
        start, due = inspections[0].period_start or today, inspections[0].due_date
        opened = min(local_moment(start, zone, 8), now)
        for inspection, lag in zip(
            inspections, lags(rng, len(inspections), due, today), strict=True
        ):
            began[inspection.id] = opened
            if inspection.unit_id not in quality:
                quality[inspection.unit_id] = rng.choices((0.02, 0.06, 0.15), (70, 20, 10))[0]
            plan = story(rng, start, due, today, lag, twice)
            perform(session, crew, inspection, plan, rng, quality[inspection.unit_id], timeline)
    date_rows(session, timeline, began, since, now)
    return len(timeline.submissions)


def load_demo_current_period(session: Session, org: DemoOrg) -> int:
    """The schedules' inspections up to today and the work done on them; 0 when they exist.

    The work runs in a session without the settings, so its transitions enqueue no job
    per step (the engine's listeners leave the work to the periodic jobs then): the
    notifications are made at once by `date_rows`, and the trend rules run here once, all
    of them, as last night's full run would have: a flag's evidence then counts the
    inspections its page links to.
    """
    settings = session.info.get("settings")
    office = session.scalar(select(User.id).where(User.username == "office"))
    if settings is None or office is None:
        return 0
    if session.scalar(select(Inspection.id).where(PERIODIC).limit(1)) is not None:
        return 0
    now = datetime.now(UTC)
    today = local_today(settings.timezone, now)
    since = session.scalar(select(func.max(AuditEvent.id))) or 0
    created = materialise_all(_joined(session, {"settings": settings}), settings.timezone,
                              until=today).created  # fmt: skip
    with _joined(session, {})() as work:
        submitted = _work(work, settings, org, today, now, since)
        analyze(work, settings.timezone, today=today)
        work.commit()
    return created + submitted
