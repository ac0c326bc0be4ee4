"""Shared set-up for the trend tests: imported histories of the campaign spot check."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from dudao.config import PROJECT_ROOT
from dudao.definitions.services import sync_forms
from dudao.trends.importing import import_inspections
from tests.inspection_world import PASSING

TZ = "Asia/Shanghai"
TODAY = date(2026, 11, 25)


def answers(**changes: Any) -> dict[str, Any]:
    return {**PASSING, **changes}


def month(i: int) -> str:
    """The 15th of the i-th month from January 2024."""
    return f"{2024 + i // 12}-{i % 12 + 1:02d}-15"


def row(unit: str, i: int, day: int = 15, inspector: str | None = None, **changes: Any) -> dict:
    return {"unit": unit, "definition": "campaign_spot_check", "date": month(i)[:-2] + f"{day:02d}",
            "inspector": inspector, "answers": answers(**changes)}  # fmt: skip


def load(session: Session, tmp_path: Path, rows: list[dict], name: str = "h.jsonl") -> Any:
    """Import `rows` as JSON Lines (forms synced first); commits."""
    sync_forms(session, None, PROJECT_ROOT / "forms")
    path = tmp_path / name
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    result = import_inspections(session, None, path, TZ)
    session.commit()
    return result
