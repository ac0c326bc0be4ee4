"""The demo organisation's published spot-check draw (a `dudao.demo.loader` step)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from dudao.auth.models import User
from dudao.definitions.queries import current_version
from dudao.org.models import Unit
from dudao.scheduling.draw_services import create_draw, publish_draw
from dudao.scheduling.models import SpotCheckDraw
from dudao.scheduling.recurrence import org_today

DEMO_TITLE = "演示：党支部标准化建设双随机抽查"
DEMO_SEED = "dudao-demo-spot-check"


def load_demo_draw(session: Session, plan: object) -> int:
    """One published, verifiable draw over the whole demo group; skipped when it exists, or
    when the checklist or the office account is not loaded (nothing to draw with)."""
    if session.scalar(select(SpotCheckDraw.id).where(SpotCheckDraw.title == DEMO_TITLE)):
        return 0
    office = session.scalar(select(User).where(User.username == "office"))
    root = session.scalar(select(Unit).where(Unit.code == plan.root.code))  # type: ignore[attr-defined]
    if office is None or root is None or current_version(session, "branch_standardisation") is None:
        return 0
    params = {"count": 6, "stratify": True, "weighting": True, "inspectors_per_inspection": 2}
    due = org_today(session) + timedelta(days=30)
    draw = create_draw(
        session, office, DEMO_TITLE, "branch_standardisation", root, params, due, seed=DEMO_SEED
    )
    publish_draw(session, office, draw)
    return 1 + len(draw.result["selected"])
