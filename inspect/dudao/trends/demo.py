"""Demo step: a year of imported checklist history with a few planted problems, analysed.

Branches of the first two companies get one campaign spot check a month for the 12
months before this one (seeded). Planted: the branches of one company start failing
the `known_rate` item in the last two months (a cross-unit problem), one branch fails
`leadership` three times running (recurring), one branch fails the critical item
`site_matches` last month, and one branch's results slide over the last five months
(deterioration). Idempotent: skipped when imported history exists. A later step runs
the questionnaire rule over the campaigns loaded after the history.
"""

from __future__ import annotations

import json
import random
import tempfile
from datetime import date
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from dudao.core.database import org_timezone
from dudao.demo.data import DemoOrg
from dudao.inspections.models import Inspection, InspectionOrigin
from dudao.scheduling.recurrence import org_today
from dudao.trends.importing import import_inspections
from dudao.trends.models import Flag
from dudao.trends.services import analyze

PASSING = {
    "plan": "yes", "leadership": "secretary_leads", "start_date": "2026-01-05",
    "activities": ["pledges", "model_posts"], "pledges_public": "yes", "pledges_total": 10,
    "pledges_kept_rate": 90, "interviews": 10, "known_rate": "most", "public_rating": 8,
    "site_matches": "yes", "site_impression": 4,
}  # fmt: skip


def _months(today: date, count: int) -> list[date]:
    months = []
    year, month = today.year, today.month
    for _ in range(count):
        month -= 1
        if month == 0:
            year, month = year - 1, 12
        months.append(date(year, month, 12))
    return months[::-1]


def history_rows(org: DemoOrg, today: date) -> list[dict]:
    rng = random.Random(org.seed)
    companies = [u.code for u in org.units if u.level == "company"][:2]
    branches = [
        u.code for u in org.units if u.level == "branch" and u.code[:4] in companies
    ]  # fmt: skip
    months = _months(today, 12)
    spreading = {b for b in branches if b.startswith(companies[0])}  # one company's branches
    recurring, critical, sliding = branches[-1], branches[-2], branches[-3]
    rows = []
    for code in branches:
        for i, day in enumerate(months):
            answers = dict(PASSING)
            answers["public_rating"] = rng.choice([7, 8, 8, 9, 10]) if rng.random() > 0.05 else 5
            answers["site_impression"] = rng.choice([3, 4, 4]) if rng.random() > 0.05 else 2
            if rng.random() < 0.06:
                answers["known_rate"] = "half"
            if code in spreading and i >= 10 and rng.random() < 0.6:
                answers["known_rate"] = "few"
            if code == recurring and i >= 9:
                answers["leadership"] = "assigned"
            if code == critical and i == 11:
                answers["site_matches"] = "no"
            if code == sliding and i >= 7:
                answers.update(public_rating=rng.choice([3, 4, 5]), site_impression=2,
                               interviews=rng.choice([2, 3]), known_rate="few")  # fmt: skip
            rows.append({"unit": code, "definition": "campaign_spot_check",
                         "date": day.isoformat(), "answers": answers})  # fmt: skip
    return rows


def load_demo_history(session: Session, org: DemoOrg) -> int:
    imported = select(Inspection.id).where(Inspection.origin == InspectionOrigin.IMPORT)
    if session.scalar(imported.limit(1)):
        return 0
    tz, today = org_timezone(session), org_today(session)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "demo-history.jsonl"
        lines = (json.dumps(r, ensure_ascii=False) for r in history_rows(org, today))
        path.write_text("\n".join(lines), encoding="utf-8")
        result = import_inspections(session, None, path, tz)
    analyze(session, tz, today=today)
    return result.created


RULE = "questionnaire_decline"


def load_demo_questionnaire_flags(session: Session, org: DemoOrg) -> int:
    """Run the questionnaire rule once the demo's campaigns are loaded (the history step
    analyses before they exist), so the office finds its flags at the first start; once
    they exist, the nightly run keeps them (not every start of the demo)."""
    if session.scalar(select(Flag.id).where(Flag.rule == RULE).limit(1)) is not None:
        return 0
    return analyze(session, org_timezone(session), today=org_today(session), rules=(RULE,)).created
