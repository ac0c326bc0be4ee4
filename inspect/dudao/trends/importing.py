"""`dudao import inspections FILE`: years of results from spreadsheets, all or nothing.

Rows are validated against the pinned definition version (definitions.answers),
scored (definitions.scoring) and stored as closed inspections of origin 'import'
with one approved submission and their findings, in set-based INSERTs. The
submission id is a UUID derived from the natural key (unit, definition, date,
inspector), so importing the same file again finds every row already there.
"""

from __future__ import annotations

import csv
import io
import json
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from dudao.audit.services import record_many
from dudao.auth.models import User
from dudao.core.database import utcnow
from dudao.core.errors import ValidationError
from dudao.definitions.answers import validate_answers
from dudao.definitions.models import DefinitionVersion, FormDefinition
from dudao.definitions.queries import pinned
from dudao.definitions.scoring import score
from dudao.definitions.spec import Definition, ItemType
from dudao.inspections.models import Inspection, InspectionOrigin
from dudao.inspections.submission_models import Finding, ReviewState, Submission
from dudao.inspections.submissions import content_hash, result_json
from dudao.org.models import Unit

NAMESPACE = uuid.UUID("5b0f6a52-4f7e-4d1a-9a53-6f1d2c9e8a10")
FIXED = ("unit", "definition", "date", "inspector")
CHUNK = 2000


@dataclass(frozen=True)
class ImportResult:
    rows: int
    created: int
    existing: int


def natural_id(unit: str, definition: str, day: str, inspector: str | None) -> str:
    return str(uuid.uuid5(NAMESPACE, f"{unit}|{definition}|{day}|{inspector or ''}"))


def read_rows(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """(row number, record) from JSON Lines, CSV or XLSX; numbers as a user sees them."""
    suffix = path.suffix.lower()
    if suffix in (".jsonl", ".ndjson", ".json"):
        for number, line in enumerate(path.read_text(encoding="utf-8-sig").splitlines(), 1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                raise ValidationError(f"{path.name} line {number}: not JSON ({exc.msg}).",
                                      [f"line {number}: {exc.msg}"]) from None  # fmt: skip
            yield number, record if isinstance(record, dict) else {"_bad": True}
    elif suffix == ".csv":
        text = path.read_text(encoding="utf-8-sig")
        for number, row in enumerate(csv.DictReader(io.StringIO(text)), 2):
            yield number, _table_record(row)
    elif suffix == ".xlsx":
        from openpyxl import load_workbook

        sheet = load_workbook(path, read_only=True, data_only=True).worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        header = [str(h).strip() if h is not None else "" for h in next(rows, ())]
        for number, values in enumerate(rows, 2):
            if all(v is None for v in values):
                continue
            yield number, _table_record(dict(zip(header, values, strict=False)))
    else:
        raise ValidationError(f"{path.name}: use .jsonl, .csv or .xlsx.", ["file: unknown type"])


def _table_record(row: dict[str, Any]) -> dict[str, Any]:
    record = {k: row.get(k) for k in FIXED}
    if isinstance(record["date"], datetime):
        record["date"] = record["date"].date().isoformat()
    elif isinstance(record["date"], date):
        record["date"] = record["date"].isoformat()
    answers = {}
    for key, value in row.items():
        if (
            key in FIXED
            or not key
            or value is None
            or (isinstance(value, str) and not value.strip())
        ):
            continue
        answers[key.strip()] = value.strip() if isinstance(value, str) else value
    record["answers"] = answers
    record["_table"] = True
    return record


def _split_lists(definition: Definition, answers: dict[str, Any]) -> dict[str, Any]:
    """A multi-choice cell of a spreadsheet lists option keys separated by commas."""
    out = dict(answers)
    for key, value in answers.items():
        item = definition._index.get(key)
        if item is not None and item.type == ItemType.MULTI_CHOICE and isinstance(value, str):
            out[key] = [v for v in re.split(r"[,;，；\s]+", value) if v]
        elif item is not None and isinstance(value, float) and value.is_integer():
            out[key] = int(value)
    return out


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


def import_inspections(session: Session, actor: Any, path: Path, tz: str) -> ImportResult:
    """Validate every row first; store nothing unless all are good. Caller commits."""
    records = list(read_rows(path))
    units, versions, users = _lookups(session, records)
    problems: list[str] = []
    prepared: list[dict[str, Any]] = []
    seen: dict[str, int] = {}
    for number, record in records:
        where = f"row {number}"
        if record.get("_bad"):
            problems.append(f"{where}: not an object")
            continue
        code, key = str(record.get("unit") or ""), str(record.get("definition") or "")
        raw_version = record.get("version")
        bad = []
        if code not in units:
            bad.append(f"unit: unknown unit {code!r}")
        try:
            number_wanted = int(raw_version) if raw_version not in (None, "") else None
        except (TypeError, ValueError):
            number_wanted = None
            bad.append(f"version: not a number {raw_version!r}")
        version_id = versions.get((key, number_wanted))
        if version_id is None:
            bad.append(f"definition: unknown definition or version {key!r}")
        try:
            day = date.fromisoformat(str(record.get("date") or "").strip())
        except ValueError:
            bad.append(f"date: not a date YYYY-MM-DD {record.get('date')!r}")
            day = None
        inspector = record.get("inspector") or None
        if inspector and str(inspector) not in users:
            bad.append(f"inspector: unknown user {inspector!r}")
        answers = record.get("answers")
        if not isinstance(answers, dict):
            bad.append("answers: must be an object keyed by item key")
        if not bad:
            definition = pinned(session, version_id)
            given = _split_lists(definition, answers) if record.get("_table") else answers
            clean, errors = validate_answers(definition, given)
            bad += [f"{item}: {message}" for item, message in errors.items()]
        if bad:
            problems += [f"{where}: {b}" for b in bad]
            continue
        sid = natural_id(code, key, day.isoformat(), inspector)
        if sid in seen:
            problems.append(
                f"{where}: same unit, definition, date and inspector as row {seen[sid]}"
            )
            continue
        seen[sid] = number
        prepared.append({"sid": sid, "unit_id": units[code], "version_id": version_id,
                         "day": day, "inspector_id": users.get(inspector), "answers": clean,
                         "definition": definition})  # fmt: skip
    if problems:
        raise ValidationError(
            f"{path.name}: {len(problems)} problem(s); nothing was imported.", problems
        )
    existing: set[str] = set()
    sids = list(seen)
    for i in range(0, len(sids), CHUNK):
        existing |= set(session.scalars(
            select(Submission.submission_id).where(Submission.submission_id.in_(sids[i:i + CHUNK]))
        ))  # fmt: skip
    todo = [p for p in prepared if p["sid"] not in existing]
    for i in range(0, len(todo), CHUNK):
        _insert(session, actor, todo[i : i + CHUNK], ZoneInfo(tz))
    if todo:
        record_many(session, actor, [(
            "inspection.import", "inspection", path.name, None,
            {"file": path.name, "rows": len(records), "created": len(todo)},
        )])  # fmt: skip
    session.flush()
    return ImportResult(rows=len(records), created=len(todo), existing=len(existing))


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
