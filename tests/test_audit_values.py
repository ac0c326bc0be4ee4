"""The audit log page names what its values refer to: units by code and name, people by
display name, checklist items and targets by label, a flag by its rule and unit with a
link, moments in the organisation's zone; the stored value stays in the title. It does so
with the same few queries however many events the page shows."""

from __future__ import annotations

import re

from sqlalchemy import event

from dudao.audit.services import record
from dudao.auth.services import set_active
from dudao.org.services import set_unit_active
from dudao.trends.models import Flag
from tests.conftest import sign_in
from tests.flag_world import make_flag
from tests.inspection_world import World, world  # noqa: F401
from tests.rectification_world import finding_id  # noqa: F401
from tests.schedule_world import schedules_in_and_out
from tests.survey_world import campaign_for

DIGEST = "ab" * 32


def _squeezed(html: str) -> str:
    return re.sub(r">\s+<", "><", html)


def _events(session, world: World) -> Flag:  # noqa: F811
    """Events of many kinds as the services record them; returns the flag they name."""
    org, office, inspection = world.org, world.office, world.inspection
    record(session, world.inspector, "inspection.photo", "inspection", inspection.id,
           after={"photo": "p1", "item": "plan", "sha256": DIGEST})  # fmt: skip
    record(session, world.inspector, "inspection.submit", "inspection", inspection.id,
           {"state": "in_progress"},
           {"state": "submitted", "failed": "plan,leadership"})  # fmt: skip
    record(session, office, "inspection.item_comments", "inspection", inspection.id,
           after={"item_comments": {"plan": "请核对"}})  # fmt: skip
    record(session, office, "schedule.update", "schedule", 1,
           {"assignment": {"policy": "pool", "pool": ["insp", "other"], "count": 1}},
           {"assignment": {"policy": "unit_lead"}})  # fmt: skip
    record(session, office, "survey.invitations_generated", "survey_campaign", 1,
           after={"per_unit": {org.branch_a1.code: 3, "GONE": 2}})  # fmt: skip
    record(session, office, "survey.campaign_created", "survey_campaign", 1,
           after={"opens_at": "2026-10-28T17:20:56.434760+00:00",
                  "scope_unit_id": org.group.id})  # fmt: skip
    record(session, office, "target_entry.added", "target_entry", 1,
           after={"target": "promoted_practice", "unit_id": org.unit_a1.id})  # fmt: skip
    flag = make_flag(session, org.branch_a1, rule="critical_failure",
                     definition_key="campaign_spot_check", item_key="plan")  # fmt: skip
    record(session, None, "trend_flag.create", "trend_flag", flag.id,
           after={"rule": "critical_failure", "fingerprint": flag.fingerprint})  # fmt: skip
    record(session, office, "trend_flag.rectify", "trend_flag", flag.id,
           after={"rectification": 5, "unit": org.branch_a1.code})  # fmt: skip
    schedules_in_and_out(session, org)
    record(session, None, "inspection.create", "inspection", world.inspection_b.id,
           after={"schedule": "access_in", "unit_id": org.branch_b1.id})  # fmt: skip
    record(session, office, "trend_flag.assign", "trend_flag", flag.id,
           {"assignee": None}, {"assignee": world.inspector.id})  # fmt: skip
    set_unit_active(session, office, org.branch_a2, False)
    set_unit_active(session, office, org.branch_a2, True)
    set_active(session, None, world.other, False)  # as `dudao users deactivate` does
    session.commit()
    return flag


def test_the_values_name_what_they_refer_to(app, session, world: World):  # noqa: F811
    flag = _events(session, world)
    org, version = world.org, world.inspection.definition_version_id
    client = app.test_client()
    assert sign_in(client, "office").status_code == 302
    html = _squeezed(client.get("/audit").get_data(as_text=True))
    # Who: the display name, the user name (which the filter takes) in the title.
    assert '<a href="/audit?actor=insp" title="insp">Insp</a>' in html
    # An inspection's items by their label in the version it pins; people by name.
    plan, leadership = "制定创先争优活动实施方案，目标任务明确", "领导责任落实情况"
    assert f'<ins title="plan">{plan}</ins>' in html
    assert f'<ins title="plan,leadership">{plan}、{leadership}</ins>' in html
    assert f'<ins title="{{&#34;plan&#34;: &#34;请核对&#34;}}">{plan}：请核对</ins>' in html
    assert f'<ins title="[{world.inspector.id}]">Insp</ins>' in html  # inspection.create
    assert f'<ins title="{version}">创先争优活动专项抽查表 v1</ins>' in html
    assert f'<ins title="{org.branch_a1.code}">A1-1 甲一厂第一党支部</ins>' in html
    # A digest shortened, as the definitions page shows it.
    assert f'<ins title="{DIGEST}">{DIGEST[:12]}</ins>' in html
    # A schedule's assignment as its form says it, people by name.
    assert ">从人员库中随机抽取：Insp、Other；每项检查的人数（人员库）：1</del>" in html
    assert '<ins title="{&#34;policy&#34;: &#34;unit_lead&#34;}">本单位负责人</ins>' in html
    # Units by code or id; a code the database no longer has shows as stored.
    assert ">A1-1 甲一厂第一党支部：3；GONE：2</ins>" in html
    assert f'<ins title="{org.unit_a1.id}">A1 甲一厂</ins>' in html
    assert f'<ins title="{org.group.id}">G 示例集团</ins>' in html
    # A moment in the organisation's zone (Asia/Shanghai), to the second.
    assert '<ins title="2026-10-28T17:20:56.434760+00:00">2026年10月29日 01:20:56</ins>' in html
    assert '<ins title="promoted_practice">推广典型经验的党支部</ins>' in html
    # The flag, in the Object column of each of its three events, by what the flag queue
    # says was detected, a link to it, its id in the title; its fingerprint as stored.
    found = re.search(
        rf'<span title="{flag.id}"><a href="/flags/{flag.id}">问题线索 ([^<]+)</a>', html
    )
    assert (
        found is not None
        and found[1]
        == f"A1-1 的《创先争优活动专项抽查表》关键项“{plan}”不合格（最近一次在 2026-04）。"
    )
    assert html.count(found[1]) == 3
    assert f"<ins>{flag.fingerprint}</ins>" in html
    assert '<ins><a href="/rectifications/5">5</a></ins>' in html
    # An inspection by its checklist, unit and due date, as the tablet lists it.
    inspection = world.inspection.id
    assert (
        f'<span title="{inspection}"><a href="/inspections/{inspection}">'
        "检查 创先争优活动专项抽查表 · A1-1 甲一厂第一党支部 · 截止 2026-12-31</a></span>"
    ) in html
    assert '<ins title="access_in">in</ins>' in html  # a schedule by its name
    # Switching a unit off and on again reads so, not as an edit.
    assert '<span title="unit.update">单位 · 停用</span>' in html
    assert '<span title="unit.update">单位 · 重新启用</span>' in html
    assert '<span title="user.update">账号 · 停用</span>' in html
    versions = client.get("/audit?entity_type=definition_version").get_data(as_text=True)
    assert '<dt title="key">定义</dt>' in versions
    assert '<ins title="campaign_spot_check">创先争优活动专项抽查表</ins>' in versions
    client.post("/lang", data={"lang": "en"})
    html = _squeezed(client.get("/audit").get_data(as_text=True))
    assert '<ins title="plan">An implementation plan with clear targets exists</ins>' in html
    assert ">A1-1 甲一厂第一党支部: 3; GONE: 2</ins>" in html  # no English name: Chinese
    assert '<span title="unit.update">Unit · Reactivate</span>' in html
    assert "Critical item “An implementation plan with clear targets exists” of " in html
    english = "Strive-for-excellence campaign spot check · A1-1 甲一厂第一党支部 · Due 2026-12-31"
    assert f">Inspection {english}</a>" in html


def test_the_page_names_its_values_in_the_same_few_queries_for_many_events(
    app,
    session,
    world: World,  # noqa: F811
):
    _events(session, world)
    client = app.test_client()
    assert sign_in(client, "office").status_code == 302
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args):
        statements.append(statement)

    def queries() -> int:
        statements.clear()
        event.listen(session.bind, "before_cursor_execute", count)
        try:
            assert client.get("/audit").status_code == 200
        finally:
            event.remove(session.bind, "before_cursor_execute", count)
        return len(statements)

    few = queries()
    assert few >= 5
    org = world.org
    for n, unit in enumerate([org.unit_a1, org.unit_b1, org.branch_b1, org.company_b] * 5):
        record(session, world.office, "feedback.submitted", "feedback_item", 100 + n,
               after={"unit_id": unit.id, "kind": "opinion"})  # fmt: skip
        record(session, world.office, "inspection.photo", "inspection", world.inspection_b.id,
               after={"item": "leadership", "sha256": DIGEST})  # fmt: skip
    for n, unit in enumerate([org.unit_b1, org.branch_b1, org.company_b]):
        flag = make_flag(session, unit, rule="critical_failure", tag=str(n),
                         definition_key="campaign_spot_check", item_key="plan")  # fmt: skip
        record(session, world.office, "trend_flag.acknowledge", "trend_flag", flag.id,
               {"state": "open"}, {"state": "acknowledged"})  # fmt: skip
    session.commit()
    # 43 more rows, more flags and inspections named in the Object column: no more queries.
    html = client.get("/audit").get_data(as_text=True)
    assert all(f">问题线索 {unit}" in html for unit in ("B1 的", "B1-1 的", "B 的"))
    assert queries() <= few


def test_objects_and_the_ids_in_fields_are_named_and_link_to_their_pages(
    app,
    session,
    world: World,  # noqa: F811
    finding_id,  # noqa: F811
):
    org, office = world.org, world.office
    campaign = campaign_for(session, org.company_a, title="甲公司满意度")
    record(session, office, "survey.state", "survey_campaign", campaign.id,
           {"levels": ["unit"]}, {"levels": ["unit", "branch"]})  # fmt: skip
    record(session, office, "report.request", "report_request", 3,
           after={"kind": "inspection", "inspection_id": world.inspection.id,
                  "campaign_id": campaign.id})  # fmt: skip
    record(session, office, "rectification.open", "rectification", 9,
           after={"finding": finding_id, "item": "plan"})  # fmt: skip
    record(session, office, "target_entry.corrected", "target_entry", 12,
           {"target": "promoted_practice", "id": 11}, {"target": "promoted_practice",
            "corrects": 11})  # fmt: skip
    record(session, office, "draw.refused", "draw_attempt", org.unit_a1.code,
           after={"scope": org.unit_a1.code, "params": {"count": 1, "pool": ["insp"]}})  # fmt: skip
    set_unit_active(session, office, org.branch_a2, False)
    session.commit()
    client = app.test_client()
    assert sign_in(client, "office").status_code == 302
    html = _squeezed(client.get("/audit").get_data(as_text=True))
    # The object: named, linked to its page, its stored id in the title; its events beside.
    assert (
        f'<span title="{campaign.id}"><a href="/surveys/{campaign.id}">测评活动 甲公司满意度</a>'
        in html
    )
    branch = org.branch_a2
    assert (
        f'<span title="{branch.id}"><a href="/units/{branch.id}">'
        f"单位 {branch.code} {branch.name}</a></span>"
        f'<a class="muted" href="/audit?entity_type=unit&amp;entity_id={branch.id}">'
    ) in html
    assert f'<span title="A1"><a href="/units/{org.unit_a1.id}">抽查尝试 A1 甲一厂</a>' in html
    assert '<span><a href="/reports/3">报告 3</a></span>' in html  # no cheap name: its id
    # Ids in fields: linked, named where cheap; a finding at its inspection's page.
    inspection = world.inspection.id
    assert (
        f'<ins title="{inspection}"><a href="/inspections/{inspection}">'
        "创先争优活动专项抽查表 · A1-1 甲一厂第一党支部 · 截止 2026-12-31</a></ins>"
    ) in html
    assert f'<ins title="{campaign.id}"><a href="/surveys/{campaign.id}">甲公司满意度</a>' in html
    assert (
        f'<ins title="{finding_id}"><a href="/inspections/{inspection}">'
        f"检查 {inspection} 中的 #{finding_id}</a>"
    ) in html
    assert '<del title="11"><a href="/targets/promoted_practice#entry-11">#11</a></del>' in html
    assert '<ins title="11"><a href="/targets/promoted_practice#entry-11">#11</a></ins>' in html
    # A refused draw's pool by display name; a vocabulary's list as Chinese lists words.
    # The draw page's label, not the form's hint (仅从这些检查人员中抽取（用户名，可选）).
    assert "；检查人员：Insp<" in html and "（用户名，可选）" not in html
    # A page the reader may not open is not linked (accounts: the administrator's).
    assert f'<span title="{world.other.id}">账号 Other</span>' in html
    assert '<ins title="[&#34;unit&#34;, &#34;branch&#34;]">单位、党支部</ins>' in html
