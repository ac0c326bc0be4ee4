"""The demo inspectors' and office's work on scheduled inspections, through the services.

A `Story` says what happened to one inspection and on which days (drawn by the caller from
the demo seed): a draft saved, a submission, the office's review, a return fixed and sent
again. `perform` does it as the people would, with the real services (photo upload,
`submit`, `review`, the workflow engine: validation, scoring, findings, audit), and keeps
a `Timeline` of when each step happened in the story. `date_rows` then dates the rows to
that story, as the imported history is dated (trends/importing.py): the audit log keeps
when the loader did it, and the rows say when the work was done.
"""

from __future__ import annotations

import io
import random
import uuid
from collections import defaultdict, deque
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from PIL import Image, ImageDraw
from sqlalchemy import select
from sqlalchemy.orm import Session

from dudao.audit.models import AuditEvent
from dudao.auth.models import User
from dudao.definitions.queries import pinned
from dudao.definitions.spec import Definition, ItemType
from dudao.demo.answers import Filled, answer, fill
from dudao.demo.dating import executemany, notify_dated
from dudao.inspections.drafts import save_draft
from dudao.inspections.models import Inspection, InspectionAssignment
from dudao.inspections.photos import store_photo
from dudao.inspections.reviews import review
from dudao.inspections.submission_models import Finding, InspectionDraft, Photo, Submission
from dudao.inspections.submissions import submit
from dudao.scheduling.recurrence import local_moment
from dudao.workflow.engine import apply

RETURN_COMMENT = "请按批注核实后重新提交。"
ITEM_COMMENTS = (
    "与支部台账记录不一致，请再核对。",
    "判定依据不足，请补充说明或照片。",
    "请写明具体问题和整改要求。",
)
FIXED_NOTE = "已按审核意见重新核实。"
REVIEW_SITTING = time(15)


@dataclass
class Story:
    """What happened to one inspection, by day (None: it did not happen)."""

    draft: date | None = None  # started and saved, not submitted
    submitted: date | None = None
    returned: date | None = None  # the office returned it with comments
    resubmitted: date | None = None
    returned_again: date | None = None  # and the fixed one too
    resubmitted_again: date | None = None
    approved: date | None = None

    def rounds(self) -> list[tuple[date, date | None]]:
        """(returned, resubmitted or None) for each time the office returned it."""
        rounds = [(self.returned, self.resubmitted), (self.returned_again, self.resubmitted_again)]
        return [(back, again) for back, again in rounds if back is not None]


@dataclass
class Timeline:
    """When, in the story, each audited step of each inspection happened."""

    zone: ZoneInfo
    steps: dict[int, list[tuple[str, datetime]]] = field(default_factory=lambda: defaultdict(list))
    submissions: list[dict[str, Any]] = field(default_factory=list)  # pk, submitted, reviewed
    photos: list[dict[str, Any]] = field(default_factory=list)  # photo id, uploaded
    reviews: dict[date, int] = field(default_factory=lambda: defaultdict(int))

    def at(self, day: date, rng: random.Random, first: int = 9, last: int = 17) -> datetime:
        return local_moment(day, self.zone, rng.randint(first, last - 1), rng.randint(0, 59))

    def review_at(self, day: date) -> datetime:
        """The office reviews a day's submissions in one sitting from 15:00, one every few
        seconds, so each inspector hears of them as one batch."""
        self.reviews[day] += 1
        start = local_moment(day, self.zone, REVIEW_SITTING.hour, REVIEW_SITTING.minute)
        return start + timedelta(seconds=10 * self.reviews[day])


def pictures(rng: random.Random, count: int = 6) -> list[bytes]:
    """A few small stand-in photos (coloured boards on a wall), seeded."""
    found = []
    for _ in range(count):
        image = Image.new("RGB", (480, 360), tuple(rng.randint(150, 230) for _ in range(3)))
        pen = ImageDraw.Draw(image)
        pen.rectangle((60, 50, 420, 300), fill=(rng.randint(150, 200), 20, 30))
        for row in range(4):
            y = 90 + 50 * row
            pen.rectangle((90, y, 90 + rng.randint(140, 300), y + 18), fill=(240, 220, 160))
        out = io.BytesIO()
        image.save(out, "JPEG", quality=80)
        found.append(out.getvalue())
    return found


@dataclass
class Crew:
    """Who works and with what: the office reviewer, users by id, the settings' photo
    folder and time zone, stand-in photos, answers to start from per definition, and per
    definition the (date) items that take the day of the visit."""

    office: User
    users: dict[int, User]
    data_dir: Path
    zone: ZoneInfo
    images: list[bytes]
    bases: dict[str, dict[str, Any]]
    visit_day_items: dict[str, tuple[str, ...]]


def _photos(
    session: Session, crew: Crew, who: User, inspection: Inspection, filled: Filled,
    rng: random.Random, moment: datetime, timeline: Timeline,
) -> dict[str, list[str]]:  # fmt: skip
    """Upload the photos `filled` needs; a photo item's ids are its answer, the rest are
    returned as evidence per failed item."""
    definition = pinned(session, inspection.definition_version_id)
    evidence: dict[str, list[str]] = {}
    for key, count in filled.photos.items():
        ids = []
        for data in rng.sample(crew.images, count):
            photo, _new = store_photo(session, who, inspection, key, data, crew.data_dir, crew.zone)
            ids.append(photo.id)
            timeline.photos.append({"pk": photo.id, "at": moment - timedelta(minutes=20)})
        if definition.item(key).type is ItemType.PHOTO:
            filled.answers[key] = ids
        else:
            evidence[key] = ids
    return evidence


def _submit(
    session: Session, who: User, inspection: Inspection, payload: dict[str, Any],
    rng: random.Random, moment: datetime, timeline: Timeline,
) -> tuple[Submission, dict[str, Any]]:  # fmt: skip
    outcome = submit(session, who, inspection, uuid.UUID(int=rng.getrandbits(128)), payload)
    steps = timeline.steps[inspection.id]
    steps += [("start", moment - timedelta(minutes=90)), ("submit", moment)]
    row = {"pk": outcome.submission.id, "submitted": moment, "reviewed": None}
    timeline.submissions.append(row)
    return outcome.submission, row


def _review(
    session: Session, crew: Crew, inspection: Inspection, submission: Submission,
    row: dict[str, Any], decision: str, moment: datetime, timeline: Timeline,
    item_comments: dict[str, str] | None = None,
) -> None:  # fmt: skip
    comment = RETURN_COMMENT if decision == "return" else ""
    review(session, crew.office, inspection, submission, decision, comment=comment,
           item_comments=item_comments)  # fmt: skip
    row["reviewed"] = moment
    timeline.steps[inspection.id].append((decision, moment))


def _fix(definition: Definition, filled: Filled, key: str, rng: random.Random, day: date) -> None:
    """The inspector's answer to a returned item: a passing answer if it had failed, and a
    note either way."""
    if key in filled.failed:
        filled.answers[key] = answer(definition.item(key), rng, day, True)
    filled.notes[key] = FIXED_NOTE


def _questionable(definition: Definition, filled: Filled) -> list[str]:
    """Items the office may query: failed ones first, else any scored answer; never one that
    shows or hides others (its fix would change what the checklist asks)."""
    drivers = {key for item in definition.items if item.show_if for key in item.show_if.items()}
    failed = [key for key in filled.failed if key not in drivers]
    scored = [key for key in filled.answers if definition.item(key).scored]
    return failed or [key for key in scored if key not in drivers]


def perform(
    session: Session, crew: Crew, inspection: Inspection, story: Story, rng: random.Random,
    fail_rate: float, timeline: Timeline,
) -> None:  # fmt: skip
    """Do `story` to `inspection` through the services, recording its moments (nothing
    when nobody is assigned: a schedule without inspectors leaves it planned)."""
    day = story.draft or story.submitted
    if day is None or not inspection.assignee_ids:
        return
    who = crew.users[rng.choice(sorted(inspection.assignee_ids))]
    definition = pinned(session, inspection.definition_version_id)
    visit_day = dict.fromkeys(crew.visit_day_items.get(definition.key, ()), day.isoformat())
    base = {**crew.bases.get(definition.key, {}), **visit_day}
    filled = fill(definition, rng, day, fail_rate, base)
    if story.submitted is None:
        moment = timeline.at(day, rng)
        apply(session, who, inspection, "start")
        save_draft(session, who, inspection, {"answers": filled.partial(rng)})
        timeline.steps[inspection.id].append(("start", moment))
        return
    moment = timeline.at(story.submitted, rng, 10)
    photos = _photos(session, crew, who, inspection, filled, rng, moment, timeline)
    payload = {"answers": filled.answers, "notes": filled.notes, "photos": photos}
    submission, row = _submit(session, who, inspection, payload, rng, moment, timeline)
    for n, (returned, resubmitted) in enumerate(story.rounds()):
        # A second round draws from a stream of its own: every other inspection's story
        # stays what it was without one.
        draw = rng if n == 0 else random.Random(f"{inspection.id}-returned-again")
        key = draw.choice(_questionable(definition, filled))
        comments = {key: draw.choice(ITEM_COMMENTS)}
        moment = timeline.review_at(returned)
        _review(session, crew, inspection, submission, row, "return", moment, timeline, comments)
        if resubmitted is None:
            return
        _fix(definition, filled, key, draw, resubmitted)
        payload = {"answers": filled.answers, "notes": filled.notes, "photos": photos}
        moment = timeline.at(resubmitted, draw, 10)
        submission, row = _submit(session, who, inspection, payload, draw, moment, timeline)
    if story.approved is not None:
        moment = timeline.review_at(story.approved)
        _review(session, crew, inspection, submission, row, "approve", moment, timeline)


def date_rows(
    session: Session, timeline: Timeline, created: dict[int, datetime], since_event: int,
    now: datetime,
) -> int:  # fmt: skip
    """Date the inspections (`created`: when each period began), the work's rows and the
    notifications of its steps to the story (`notify_dated`); returns how many
    notifications were made."""
    changed = [
        {"pk": iid, "created": at, "changed": (timeline.steps.get(iid) or [("", at)])[-1][1]}
        for iid, at in created.items()
    ]
    executemany(session, Inspection.__table__, "id", changed,
                created_at="created", state_changed_at="changed")  # fmt: skip
    executemany(session, InspectionAssignment.__table__, "inspection_id",
                [{"pk": r["pk"], "created": r["created"]} for r in changed],
                assigned_at="created")  # fmt: skip
    worked = [
        {"pk": r["pk"], "changed": r["changed"]} for r in changed if r["pk"] in timeline.steps
    ]
    executemany(session, InspectionDraft.__table__, "inspection_id", worked, updated_at="changed")
    executemany(session, Submission.__table__, "id", timeline.submissions,
                submitted_at="submitted", reviewed_at="reviewed")  # fmt: skip
    executemany(session, Finding.__table__, "submission_pk",
                [{"pk": r["pk"], "submitted": r["submitted"]} for r in timeline.submissions],
                created_at="submitted")  # fmt: skip
    executemany(session, Photo.__table__, "id", timeline.photos, created_at="at")
    events = session.scalars(
        select(AuditEvent)
        .where(AuditEvent.id > since_event, AuditEvent.entity_type == "inspection")
        .order_by(AuditEvent.id)
    ).all()  # fmt: skip
    queues: dict[tuple[int, str], deque[datetime]] = defaultdict(deque)
    for iid, steps in timeline.steps.items():
        for action, at in steps:
            queues[(iid, action)].append(at)

    def moment(event: AuditEvent) -> datetime | None:  # called in the events' order
        iid, step = int(event.entity_id), event.action.rsplit(".", 1)[-1]
        queue = queues.get((iid, step))
        return created.get(iid) if step == "assign" else (queue.popleft() if queue else None)

    made = notify_dated(session, events, moment, now)
    session.expire_all()
    return made
