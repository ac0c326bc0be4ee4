"""`dudao import inspections FILE`: years of results from spreadsheets, all or nothing.

Rows are validated against the pinned definition version (definitions.answers),
scored (definitions.scoring) and stored as closed inspections of origin 'import'
with one approved submission and their findings, in set-based INSERTs. The
submission id is a UUID derived from the natural key (unit, definition, date,
inspector), so importing the same file again finds every row already there.
"""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from dudao.audit.services import record_many
from dudao.auth.models import User
from dudao.core.database import refresh_statistics, utcnow
from dudao.core.errors import N_, Message, ValidationError, quoted
from dudao.definitions.answers import validate_answers
from dudao.definitions.models import DefinitionVersion, FormDefinition
from dudao.definitions.queries import pinned
from dudao.definitions.scoring import score
from dudao.definitions.spec import Definition, ItemType
from dudao.inspections.models import Inspection, InspectionOrigin
from dudao.inspections.submission_models import Finding, ReviewState, Submission
from dudao.inspections.submissions import content_hash, result_json
from dudao.org.import_rows import refused
from dudao.org.models import Unit
from dudao.trends.import_rows import FIXED, read_rows

NAMESPACE = uuid.UUID("5b0f6a52-4f7e-4d1a-9a53-6f1d2c9e8a10")
#: Where a problem is: a spreadsheet's row (the header is row 1) or a JSON Lines line.
ROW, LINE = N_("row %(n)d: %(problem)s"), N_("line %(n)d: %(problem)s")
SAME_AS = {
    ROW: N_("the same unit, definition, date and inspector as row %(other)d"),
    LINE: N_("the same unit, definition, date and inspector as line %(other)d"),
}
SLASHED_DATE = re.compile(r"(\d{4})/(\d{1,2})/(\d{1,2})")
YES_NO_WORDS = {"是": "yes", "否": "no", "不适用": "na"}
#: An imported inspection is a record of the past: a re-import finds it, never changes it.
CHANGED = N_(
    "answers differ from inspection #%(id)d, imported earlier from the same unit, definition, "
    "date and inspector; a re-import does not change an imported inspection"
)
CHUNK = 2000


@dataclass(frozen=True)
class ImportResult:
    rows: int
    created: int
    existing: int


def natural_id(unit: str, definition: str, day: str, inspector: str | None) -> str:
    return str(uuid.uuid5(NAMESPACE, f"{unit}|{definition}|{day}|{inspector or ''}"))


def _day(value: Any) -> date | None:
    """YYYY-MM-DD, YYYY/M/D (a CSV that Excel saved on a Chinese Windows), or a
    spreadsheet's date cell (midnight of that day)."""
    text = str(value or "").strip()
    slashed = SLASHED_DATE.fullmatch(text)
    try:
        if slashed:
            return date(*(int(part) for part in slashed.groups()))
        return date.fromisoformat(text)
    except ValueError:
        pass
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment.date() if moment.time() == time(0) else None


def _cells(definition: Definition, answers: dict[str, Any]) -> dict[str, Any]:
    """A spreadsheet's cells as answers: a multi-choice cell lists option keys separated by
    commas, and a yes/no cell may say 是, 否 or 不适用 as the office's sheets do."""
    out = dict(answers)
    for key, value in answers.items():
        item = definition._index.get(key)
        if item is None or not isinstance(value, str):
            continue
        if item.type == ItemType.MULTI_CHOICE:
            out[key] = [v for v in re.split(r"[,;，；\s]+", value) if v]
        elif item.type == ItemType.YES_NO:
            out[key] = YES_NO_WORDS.get(value.strip().lower(), value)
    return out


def _answer_problem(item: str, value: Any, problem: Any) -> Message:
    """The value as given beside the form's own sentence ("Choose one of the answers
    offered."), which names no value: a file's reader must find the cell."""
    if value in (None, "", [], {}):
        return Message(N_("%(item)s: %(problem)s"), item=item, problem=problem)
    shown = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return Message(N_("%(item)s: %(problem)s (given: %(value)s)"), item=item, problem=problem,
                   value=quoted(shown))  # fmt: skip


def _lookups(
    session: Session, records: list[tuple[int, dict[str, Any]]]
) -> tuple[dict, dict, dict]:
    codes = {str(r.get("unit")) for _n, r in records}
    keys = {str(r.get("definition")) for _n, r in records}
    names = {str(r["inspector"]) for _n, r in records if r.get("inspector")}
    units = dict(session.execute(select(Unit.code, Unit.id).where(Unit.code.in_(codes))).all())
    versions: dict[tuple[str, int | None], int] = {}
    for key, number, current, vid in session.execute(
        select(FormDefinition.key, DefinitionVersion.number, FormDefinition.current_number,
               DefinitionVersion.id)
        .join(DefinitionVersion, DefinitionVersion.definition_id == FormDefinition.id)
        .where(FormDefinition.key.in_(keys))
    ):  # fmt: skip
        versions[(key, number)] = vid
        if number == current:
            versions[(key, None)] = vid
    users = dict(
        session.execute(select(User.username, User.id).where(User.username.in_(names))).all()
    )
    return units, versions, users


def _version(raw: Any) -> int | bool | None:
    """The version number asked for; None for the current one; False when unreadable."""
    if raw in (None, ""):
        return None
    try:
        return int(raw)
    except (TypeError, ValueError):
        return False


def _escaped(value: Any) -> str:
    """A value of the file as repr writes it between its quotes (U+2028 as \\u2028), so
    that the message naming it stays one line; the message's template quotes it."""
    return repr(str(value))[1:-1]


def _fixed_fields(
    record: dict[str, Any], units: dict, versions: dict, users: dict
) -> tuple[list[Message], int | None, date | None]:
    """(what is wrong with a record's fixed fields, its definition version id, its day)."""
    bad = []
    code, key, inspector = record.get("unit"), record.get("definition"), record.get("inspector")
    said = {name: _escaped(record.get(name) or "") for name in FIXED}
    if str(code) not in units:
        bad.append(Message(N_("unit: no unit with the code '%(code)s'"), code=said["unit"]))
    version = _version(record.get("version"))
    version_id = versions.get((str(key), version)) if version is not False else None
    if version is False:
        bad.append(Message(N_("version: not a number '%(value)s'"), value=said["version"]))
    elif version_id is None:
        bad.append(Message(N_("definition: no definition '%(key)s' (or no such version)"),
                           key=said["definition"]))  # fmt: skip
    day = _day(record.get("date"))
    if day is None:
        bad.append(Message(N_("date: '%(value)s' is not a valid date (YYYY-MM-DD)"),
                           value=said["date"]))  # fmt: skip
    if inspector and str(inspector) not in users:
        bad.append(Message(N_("inspector: no account named '%(name)s'"), name=said["inspector"]))
    if not isinstance(record.get("answers"), dict):
        bad.append(Message(N_("answers: must be an object keyed by item key")))
    return bad, version_id, day


def import_inspections(session: Session, actor: Any, path: Path, tz: str) -> ImportResult:
    """Validate every row first; store nothing unless all are good. Caller commits.

    Problems are Messages ("row 3: date: …", "line 3: …" in JSON Lines), every one of
    them, so a user fixes the file once."""
    records = list(read_rows(path))
    units, versions, users = _lookups(session, records)
    problems: list[Message] = []
    prepared: list[dict[str, Any]] = []
    seen: dict[str, int] = {}
    for number, record in records:
        template = ROW if record.get("_table") else LINE
        if "_bad" in record:  # a line that is not JSON, or not an object
            problems.append(Message(template, n=number, problem=record["_bad"]))
            continue
        bad, version_id, day = _fixed_fields(record, units, versions, users)
        code, key = str(record.get("unit")), str(record.get("definition"))
        inspector = record.get("inspector")
        if version_id is not None and isinstance(record.get("answers"), dict):
            definition = pinned(session, version_id)  # the answers too, whatever else is wrong
            given = record["answers"]
            given = _cells(definition, given) if record.get("_table") else given
            clean, errors = validate_answers(definition, given)
            bad += [_answer_problem(item, given.get(item), message)
                    for item, message in errors.items()]  # fmt: skip
        if bad:
            problems += [Message(template, n=number, problem=b) for b in bad]
            continue
        assert day is not None  # no problems: the date is read
        sid = natural_id(code, key, day.isoformat(), inspector)
        if sid in seen:
            same = Message(SAME_AS[template], other=seen[sid])
            problems.append(Message(template, n=number, problem=same))
            continue
        seen[sid] = number
        prepared.append({"sid": sid, "unit_id": units[code], "version_id": version_id,
                         "day": day, "inspector_id": users.get(inspector), "answers": clean,
                         "definition": definition, "where": (template, number)})  # fmt: skip
    existing = _stored(session, list(seen)) if not problems else {}
    for p in prepared:  # a corrected row would otherwise be "already there", in silence
        stored = existing.get(p["sid"])
        if stored is not None and stored[0] != content_hash({"answers": p["answers"]}):
            differs = Message(CHANGED, id=stored[1])
            problems.append(Message(p["where"][0], n=p["where"][1], problem=differs))
    if problems:
        raise ValidationError(refused(path.name, len(problems)), problems)
    todo = [p for p in prepared if p["sid"] not in existing]
    for i in range(0, len(todo), CHUNK):
        _insert(session, actor, todo[i : i + CHUNK], ZoneInfo(tz))
    if todo:
        refresh_statistics(session, Inspection, Submission, Finding)
        record_many(session, actor, [(
            "inspection.import", "inspection", path.name, None,
            {"file": path.name, "rows": len(records), "created": len(todo)},
        )])  # fmt: skip
    session.flush()
    return ImportResult(rows=len(records), created=len(todo), existing=len(existing))


def _stored(session: Session, sids: list[str]) -> dict[str, tuple[str, int]]:
    """The rows imported before: submission id -> (content hash, inspection id)."""
    found: dict[str, tuple[str, int]] = {}
    for i in range(0, len(sids), CHUNK):
        rows = session.execute(
            select(
                Submission.submission_id, Submission.content_hash, Submission.inspection_id
            ).where(Submission.submission_id.in_(sids[i : i + CHUNK]))
        )
        found |= {sid: (digest, inspection) for sid, digest, inspection in rows}
    return found


def _insert(session: Session, actor: Any, batch: list[dict[str, Any]], zone: ZoneInfo) -> None:
    now = utcnow()
    actor_id = getattr(actor, "id", None)
    inspection_ids = session.scalars(
        insert(Inspection).returning(Inspection.id, sort_by_parameter_order=True),
        [{"unit_id": p["unit_id"], "definition_version_id": p["version_id"],
          "workflow": "inspection", "state": "closed", "version": 1,
          "origin": InspectionOrigin.IMPORT, "period_key": p["day"].strftime("%Y-%m"),
          "period_start": p["day"],
          "due_date": p["day"], "reason": None, "created_at": now,
          "created_by_id": actor_id, "state_changed_at": now} for p in batch],
    ).all()  # fmt: skip
    subs = []
    results = []
    for p, inspection_id in zip(batch, inspection_ids, strict=True):
        result = score(p["definition"], p["answers"])
        results.append(result)
        moment = datetime.combine(p["day"], time(12), zone)
        p["moment"] = moment
        subs.append({
            "submission_id": p["sid"], "inspection_id": inspection_id,
            "definition_version_id": p["version_id"],
            "content_hash": content_hash({"answers": p["answers"]}), "answers": p["answers"],
            "notes": {}, "photos": {}, "result": result_json(result), "percent": result.percent,
            "passed": result.passed,
            "grade": None if result.grade is None else result.grade.label.zh,
            "submitted_by_id": p["inspector_id"], "submitted_at": moment,
            "review_state": ReviewState.APPROVED, "item_comments": {},
            "reviewed_at": moment,
        })  # fmt: skip
    sub_pks = session.scalars(
        insert(Submission).returning(Submission.id, sort_by_parameter_order=True), subs
    ).all()
    findings = [
        {"submission_pk": pk, "inspection_id": inspection_id, "unit_id": p["unit_id"],
         "item_key": key, "critical": key in result.failed_critical, "note": None,
         "photo_ids": [], "created_at": p["moment"]}
        for p, inspection_id, pk, result in zip(batch, inspection_ids, sub_pks, results,
                                                 strict=True)
        for key in result.failed
    ]  # fmt: skip
    if findings:
        session.execute(insert(Finding), findings)
