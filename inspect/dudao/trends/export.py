"""Every flag as JSON or CSV, with the fields issue 7 lists (evidence as JSON in CSV)."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from dudao.core.spreadsheet import csv_bytes
from dudao.trends.models import Flag

FIELDS = ("id", "rule", "severity", "state", "detected", "units", "scope", "item",
          "definition", "first_detected", "last_detected", "evidence")  # fmt: skip


def flag_rows(session: Session) -> list[dict[str, Any]]:
    return [
        {"id": f.id, "rule": f.rule, "severity": f.severity, "state": f.state,
         "detected": f.detected, "units": list(f.unit_codes), "scope": f.unit.code,
         "item": f.item_key, "definition": f.definition_key,
         "first_detected": f.first_detected, "last_detected": f.last_detected,
         "evidence": f.evidence}
        for f in session.scalars(select(Flag).order_by(Flag.id))
    ]  # fmt: skip


def export_flags(session: Session, fmt: str) -> bytes:
    """JSON, or CSV as the reports' exports write it (UTF-8 with a BOM, so that Excel shows
    the Chinese in the evidence; true/false; the evidence as JSON in one cell)."""
    rows = flag_rows(session)
    if fmt == "json":
        return json.dumps(rows, ensure_ascii=False, indent=1).encode("utf-8")
    cells = (
        [json.dumps(row[name], ensure_ascii=False) if name in ("evidence", "detected")
         else " ".join(row[name]) if name == "units" else row[name] for name in FIELDS]
        for row in rows
    )  # fmt: skip
    return csv_bytes(FIELDS, cells)
