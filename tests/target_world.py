"""Pioneer posts and manual target entries for the targets tests and the route walk."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sqlalchemy.orm import Session

from dudao.assessment.queries import TierMove
from dudao.org.models import Unit
from dudao.targets.config import Target, shipped_targets
from dudao.targets.models import PioneerPost, TargetEntry
from dudao.targets.services import EntryFields, PostFields, Upload, add_entry, register_post
from tests.factories import OrgTree

TODAY = date(2026, 11, 25)
#: A shipped target whose progress the office enters by hand.
MANUAL_TARGET = "promoted_practice"


def make_post(session: Session, unit: Unit, name: str = "安全生产先锋岗", **values) -> PioneerPost:
    fields = {
        "unit": unit, "name": name, "member_count": 5, "responsible": "",
        "established_on": date(2026, 3, 1), "description": "带头落实安全规程。", **values,
    }  # fmt: skip
    return register_post(session, None, PostFields(**fields), TODAY)


def make_entry(
    session: Session, unit: Unit, data_dir: Path, amount: int = 1, target: Target | None = None,
    reference: str = "华辰党发〔2026〕12号", upload: Upload | None = None,
) -> TargetEntry:  # fmt: skip
    """An entry towards `target` (default: the shipped manual target)."""
    target = target or shipped_targets().get(MANUAL_TARGET)
    assert target is not None
    fields = EntryFields(unit, date(2026, 9, 1), amount, "经验在集团推广。", reference)
    return add_entry(session, None, target, fields, upload, data_dir, TODAY)


def posts_in_and_out(session: Session, org: OrgTree) -> dict[str, int]:
    found = {
        "in": make_post(session, org.branch_a1).id,
        "out": make_post(session, org.branch_b1).id,
    }
    session.commit()
    return found


def entries_in_and_out(session: Session, org: OrgTree, data_dir: Path) -> dict[str, int]:
    evidence = Upload("notice.pdf", b"%PDF-1.4 walk", "application/pdf")
    found = {
        "in": make_entry(session, org.unit_a1, data_dir, upload=evidence).id,
        "out": make_entry(session, org.unit_b1, data_dir, upload=evidence).id,
    }
    session.commit()
    return found


def tier_moves_up(org: OrgTree) -> list[TierMove]:
    """Moves up a tier as the assessment reports them: branch A1-1 twice, A1-2 and B1-1 once."""
    return [
        TierMove(org.branch_a1.id, org.branch_a1.path, "2026Q1", "C", "B"),
        TierMove(org.branch_a1.id, org.branch_a1.path, "2026Q2", "B", "A"),
        TierMove(org.branch_a2.id, org.branch_a2.path, "2026Q2", "C", "B"),
        TierMove(org.branch_b1.id, org.branch_b1.path, "2026Q3", "B", "A"),
    ]
