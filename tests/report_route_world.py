"""Report requests for the route walk: a finished inspection report in company A and in B,
each the one without photos (which every viewer of the inspection may read; the one with
them is walked in test_reports_web.py)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from dudao.inspections.models import Inspection
from dudao.reports.models import ReportKind, ReportRequest, ReportState


def reports_in_and_out(session: Session, inspections: dict[str, int]) -> dict[str, int]:
    data_dir = session.info["settings"].data_dir
    (data_dir / "reports").mkdir(parents=True, exist_ok=True)
    made = {}
    for side, inspection_id in inspections.items():
        inspection = session.get(Inspection, inspection_id)
        assert inspection is not None
        key = f"route-walk-{side}".ljust(64, "0")
        (data_dir / "reports" / f"{key}.pdf").write_bytes(b"%PDF-1.4 route walk\n")
        request = ReportRequest(
            key=key, kind=ReportKind.INSPECTION, unit_id=inspection.unit_id,
            params={"inspection_id": inspection_id, "locale": "zh", "photos": False},
            state=ReportState.DONE,
            file_path=f"reports/{key}.pdf", file_name=f"walk-{side}.pdf",
            progress_done=1, progress_total=1, attempts=1,
        )  # fmt: skip
        session.add(request)
        session.flush()
        made[side] = request.id
    session.commit()
    return made
