"""The demo's targets step: realistic pioneer posts and office entries, loaded once, that the
demo office sees on its targets page and the demo leads on their post lists."""

from __future__ import annotations

from sqlalchemy import func, select

from dudao.audit.models import AuditEvent
from dudao.demo.data import build_demo
from dudao.demo.loader import load_accounts, load_org, steps
from dudao.targets.config import shipped_targets
from dudao.targets.demo import load_demo_targets
from dudao.targets.models import PioneerPost, TargetEntry
from dudao.targets.progress import progress
from tests.conftest import sign_in


def test_the_demo_step_loads_posts_and_entries_once(client, session):
    assert "campaign targets" in dict(steps())
    plan = build_demo()
    load_org(session, plan)
    load_accounts(session, plan)
    created = load_demo_targets(session, plan)
    session.commit()
    posts = session.scalar(select(func.count(PioneerPost.id)))
    entries = session.scalar(select(func.count(TargetEntry.id)))
    assert created == posts + entries and 300 < posts < 700 and entries == 10
    events = session.scalar(select(func.count(AuditEvent.id)))
    assert load_demo_targets(session, plan) == 0  # idempotent
    assert session.scalar(select(func.count(AuditEvent.id))) == events

    root = plan.root.code
    found = {
        item.target.key: item
        for item in progress(session, shipped_targets(), [f"/{_id(session, root)}/"])
    }
    assert found["promoted_practice"].overall.done == 6  # 2 + 1 + 3 corrected to 2 + 1
    cadres = found["cadres_trained"]
    assert (cadres.overall.done, cadres.overall.percent) == (41, 82)
    assert cadres.companies[0].percent == 120  # 12 of HC01's 10: past its share
    pioneer = found["pioneer_posts"]
    assert pioneer.overall.done == posts - _retired(session)
    paces = [share.done for share in pioneer.companies]
    assert len(paces) == 5 and min(paces) > 0 and paces != sorted(paces)

    sign_in(client, "office", "demo-2026")
    page = client.get("/targets").get_data(as_text=True)
    assert f'data-done="{pioneer.overall.done}"' in page and 'data-done="41"' in page
    client.post("/logout")
    sign_in(client, "branch_lead", "demo-2026")
    mine = client.get("/pioneer-posts").get_data(as_text=True)
    assert "data-count=" in mine and "/edit" in mine


def _id(session, code):
    from dudao.org.models import Unit

    return session.scalar(select(Unit.id).where(Unit.code == code))


def _retired(session) -> int:
    return session.scalar(
        select(func.count(PioneerPost.id)).where(PioneerPost.retired_on.is_not(None))
    )
