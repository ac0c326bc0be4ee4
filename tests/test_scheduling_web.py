"""The schedules pages: scope, permissions, editing with optimistic locking, ad hoc inspections."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from dudao.audit.models import AuditEvent
from dudao.inspections.models import Inspection
from dudao.scheduling.models import Schedule
from tests.conftest import sign_in
from tests.schedule_world import quarterly_schedule

DUE = date.today() + timedelta(days=30)  # ahead of today, whenever the tests run


@pytest.fixture
def schedule(session, org):
    return quarterly_schedule(session, org)


def form_data(**changes: object) -> dict[str, object]:
    data = {
        "version": "1", "name": "季度检查（新）", "definition_key": "branch_standardisation",
        "scope_code": "A", "levels": ["branch"], "tags": "", "exclude": "A1-2",
        "rrule": "FREQ=MONTHLY;BYMONTHDAY=-1", "dtstart": "2028-01-01", "window_days": "20",
        "policy": "pool", "people": "ia, ib", "count": "2",
    }  # fmt: skip
    data.update(changes)
    return data


def test_office_sees_only_schedules_inside_their_subtree(client, org, schedule, user_factory):
    user_factory("office_a", ("office", org.company_a))
    user_factory("office_b", ("office", org.company_b))
    user_factory("insp", ("inspector", org.group))
    sign_in(client, "office_a")
    page = client.get("/schedules").get_data(as_text=True)
    assert "季度检查" in page and "2027-01-01" in page  # next quarters are listed
    assert "<td>党支部标准化建设检查表</td>" in page and "branch_standardisation" not in page
    assert client.get(f"/schedules/{schedule.id}/edit").status_code == 200
    client.post("/logout")
    sign_in(client, "office_b")
    assert "季度检查" not in client.get("/schedules").get_data(as_text=True)
    assert client.get(f"/schedules/{schedule.id}/edit").status_code == 404
    client.post("/logout")
    sign_in(client, "insp")
    assert client.get("/schedules").status_code == 403


def test_edit_saves_detaches_and_audits(client, session, org, schedule, signed_in, user_factory):
    user_factory("ia", ("inspector", org.group))
    user_factory("ib", ("inspector", org.group))
    signed_in("office", ("office", org.group))
    response = client.post(f"/schedules/{schedule.id}/edit", data=form_data())
    assert response.status_code == 302, response.get_data(as_text=True)
    session.expire_all()
    saved = session.get(Schedule, schedule.id)
    assert saved.rrule == "FREQ=MONTHLY;BYMONTHDAY=-1" and saved.window_days == 20
    assert saved.exclude_codes == ["A1-2"] and saved.source_file is None and saved.version == 2
    assert saved.assignment == {"policy": "pool", "pool": ["ia", "ib"], "count": 2}
    event = session.scalars(select(AuditEvent).where(AuditEvent.action == "schedule.update")).one()
    assert event.after["rrule"] == "FREQ=MONTHLY;BYMONTHDAY=-1" and event.actor_name == "office"


def test_preview_shows_the_next_five_dates_without_saving(
    client, session, org, schedule, signed_in
):
    signed_in("office", ("office", org.group))
    response = client.post(
        f"/schedules/{schedule.id}/edit", data=form_data(preview="1", policy="unit_lead")
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    for day in ("2028-01-31", "2028-02-29", "2028-03-31", "2028-04-30", "2028-05-31"):
        assert day in page
    session.expire_all()
    assert session.get(Schedule, schedule.id).version == 1


def test_the_preview_says_how_many_units_each_period_inspects(
    client, session, org, schedule, signed_in
):
    signed_in("office", ("office", org.group))
    page = client.get(f"/schedules/{schedule.id}/edit").text  # A's two branches
    assert (
        '<p data-covered="2">每个周期检查 2 个单位（范围、层级、标签和排除条件共同决定）。' in page
    )
    # form_data excludes A1-2; a tag no unit has leaves none, and says so.
    one = client.post(f"/schedules/{schedule.id}/edit", data=form_data(preview="1")).text
    assert 'data-covered="1"' in one
    none = client.post(f"/schedules/{schedule.id}/edit", data=form_data(preview="1", tags="生产"))
    assert '<p class="notice" data-covered="0">没有在用单位符合' in none.text
    unknown = client.post(
        f"/schedules/{schedule.id}/edit", data=form_data(preview="1", scope_code="ZZ")
    )
    assert "data-covered" not in unknown.text  # no unit to count from
    session.expire_all()
    assert session.get(Schedule, schedule.id).version == 1


def test_bad_input_is_shown_beside_the_fields_and_nothing_changes(
    client, session, org, schedule, signed_in
):
    signed_in("office", ("office", org.company_a))
    client.post("/lang", data={"lang": "en"})
    response = client.post(
        f"/schedules/{schedule.id}/edit",
        data=form_data(rrule="FREQ=SOMETIMES", scope_code="B", people="ghost"),
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "FREQ=SOMETIMES is not valid: FREQ is DAILY, WEEKLY, MONTHLY or YEARLY" in page
    client.post("/lang", data={"lang": "zh_CN"})
    response = client.post(f"/schedules/{schedule.id}/edit", data=form_data(rrule="FREQ"))
    said = response.get_data(as_text=True)  # no library text ("not enough values to unpack")
    assert "不是有效的 RRULE" in said and "unpack" not in said
    for rule, expected in (
        ("FREQ=DAILY;INTERVAL=0", "INTERVAL=0 无效：INTERVAL 须为 1 或更大的整数"),  # looped
        ("FREQ=YEARLY;BYMONTH=13", "BYMONTH=13 无效：BYMONTH 须为 1 到 12 的月份"),
        ("FREQ=MONTHLY;BYMONTHDAY=31;BYMONTH=2", "此规则不会产生任何日期"),
    ):
        refused = client.post(f"/schedules/{schedule.id}/edit", data=form_data(rrule=rule))
        assert refused.status_code == 422 and expected in refused.text, rule
    # A day the calendar lacks is said as such, not as "this field is required".
    impossible = client.post(f"/schedules/{schedule.id}/edit", data=form_data(dtstart="2026-02-30"))
    assert impossible.status_code == 422 and "必填" not in impossible.text
    assert '<p class="field-error" id="dtstart-error">不是有效的日期值。</p>' in impossible.text
    session.expire_all()
    assert session.get(Schedule, schedule.id).rrule == schedule.rrule  # nothing saved
    response = client.post(
        f"/schedules/{schedule.id}/edit", data=form_data(rrule="FREQ=HOURLY", scope_code="B")
    )
    assert "计划最频繁为每天一次" in response.get_data(as_text=True)  # the reader's language
    client.post("/lang", data={"lang": "en"})
    response = client.post(
        f"/schedules/{schedule.id}/edit", data=form_data(scope_code="B", people="ghost")
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "No unit with this code in the part you manage." in page  # B is outside A's office
    assert "Not inspectors in this scope (or inactive, or unknown): ghost." in page
    session.expire_all()
    assert session.get(Schedule, schedule.id).version == 1


def test_the_people_of_a_pool_or_named_must_be_inspectors_in_the_scope(
    client, session, org, schedule, signed_in, user_factory
):
    """As a draw's pool: an account that exists but inspects nowhere in the scope is refused
    (an office and a representative saved, and the worker left every inspection unassigned)."""
    user_factory("office2", ("office", org.group))
    user_factory("rep", ("representative", org.branch_a1))
    user_factory("insp_b", ("inspector", org.company_b))
    user_factory("gone", ("inspector", org.group)).active = False
    user_factory("ia", ("inspector", org.group))
    user_factory("ia1", ("inspector", org.unit_a1))
    session.commit()
    signed_in("office", ("office", org.group))
    client.post("/lang", data={"lang": "en"})
    for policy in ("pool", "named"):
        response = client.post(
            f"/schedules/{schedule.id}/edit",
            data=form_data(policy=policy, people="office2, rep, insp_b, gone, ghost, ia"),
        )
        assert response.status_code == 422, policy
        assert re.search(
            r'id="people-error">Not inspectors in this scope \(or inactive, or unknown\): '
            r"ghost, gone, insp_b, office2, rep\.</p>",
            response.text,
        ), response.text
    session.expire_all()
    assert session.get(Schedule, schedule.id).version == 1
    # Above the scope (the group) or inside it (a unit of A): both inspect there.
    saved = client.post(f"/schedules/{schedule.id}/edit", data=form_data(people="ia1, ia"))
    assert saved.status_code == 302, saved.text
    client.post("/lang", data={"lang": "zh_CN"})
    response = client.post(
        f"/schedules/{schedule.id}/edit", data=form_data(version="2", people="rep")
    )
    assert "不是该范围内的检查人员" in response.text


def test_a_pool_gives_no_more_inspectors_than_it_names(
    client, session, org, schedule, signed_in, user_factory
):
    """Pool of two, three per inspection: saved, and each inspection quietly got two."""
    for name in ("ia", "ib"):
        user_factory(name, ("inspector", org.group))
    session.commit()
    signed_in("office", ("office", org.group))
    response = client.post(f"/schedules/{schedule.id}/edit", data=form_data(count="3"))
    assert response.status_code == 422
    assert 'id="count-error">人员池只有 2 人：每项检查最多 2 人。</p>' in response.text
    session.expire_all()
    assert session.get(Schedule, schedule.id).version == 1
    assert client.post(f"/schedules/{schedule.id}/edit", data=form_data()).status_code == 302


@pytest.mark.parametrize(
    ("rule", "said"),
    [
        # The format is right, one value is wrong: the part and what it takes are named.
        ("FREQ=MONTLY", "FREQ=MONTLY 无效：FREQ 须为 DAILY、WEEKLY、MONTHLY 或 YEARLY"),
        ("FREQ=MONTHLY;BYMONTHDAY=32", "BYMONTHDAY=32 无效：BYMONTHDAY 须为 1 到 31"),
        ("FREQ=MONTHLY;BYDAY=XX", "BYDAY=XX 无效：BYDAY 须为 MO、TU、WE、TH、FR、SA、SU"),
        ("FREQ=MONTHLY;BYMONTH=2;BYMONTHDA=1", "BYMONTHDA 不是计划的重复规则可用的部分"),
        ("BYMONTHDAY=1", "重复规则须包含 FREQ=DAILY、WEEKLY、MONTHLY 或 YEARLY"),
        # Every wrong part at once.
        (
            "FREQ=MONTLY;BYDAY=XX",
            "FREQ=MONTLY 无效：FREQ 须为 DAILY、WEEKLY、MONTHLY 或 YEARLY；BYDAY=XX 无效",
        ),
    ],
    ids=["FREQ", "BYMONTHDAY", "BYDAY", "unknown part", "no FREQ", "two parts"],
)
def test_a_wrong_rule_names_its_wrong_part_on_save_and_on_preview(
    client, session, org, schedule, signed_in, rule, said
):
    signed_in("office", ("office", org.group))
    for extra in ({}, {"preview": "1"}):
        response = client.post(
            f"/schedules/{schedule.id}/edit",
            data=form_data(rrule=rule, policy="unit_lead", **extra),
        )
        assert response.status_code == 422, extra
        assert re.search(r'id="rrule-error">' + re.escape(said), response.text), response.text
        # The preview says the rule is wrong, not that it has no periods to come.
        assert "重复规则无效，暂时无法给出日期" in response.text
        assert "按此规则没有后续周期" not in response.text
    # Spaces, lower case and a last semicolon are no mistakes.
    fine = "freq=monthly; bymonthday=-1;"
    response = client.post(
        f"/schedules/{schedule.id}/edit",
        data=form_data(rrule=fine, policy="unit_lead", preview="1"),
    )
    assert response.status_code == 200 and "2028-02-29" in response.text
    session.expire_all()
    assert session.get(Schedule, schedule.id).version == 1


def test_every_problem_of_a_submit_shows_at_once(
    client, session, org, schedule, signed_in, user_factory
):
    """The database's findings (scope, excluded codes, people) came only once the form's own
    checks (rule, window) passed: a second round of errors."""
    user_factory("ia", ("inspector", org.group))
    signed_in("office", ("office", org.group))
    client.post("/lang", data={"lang": "en"})
    data = form_data(
        rrule="FREQ=MONTHLY;INTERVAL=0", window_days="0", scope_code="ZZZ",
        exclude="A1-2, HC02-99", people="ia, nobody9",
    )  # fmt: skip
    response = client.post(f"/schedules/{schedule.id}/edit", data=data)
    assert response.status_code == 422
    said = dict(re.findall(r'id="(\w+)-error">([^<]*)</p>', response.text))
    assert said == {
        "rrule": "INTERVAL=0 is not valid: INTERVAL is a whole number, 1 or more",
        "window_days": "A whole number of days from 1 to 366.",
        "scope_code": "No unit with this code in the part you manage.",
        "exclude": "Unknown unit codes: HC02-99",
        "people": "Not inspectors in this scope (or inactive, or unknown): nobody9.",
    }, said
    session.expire_all()
    assert session.get(Schedule, schedule.id).version == 1
    # Names in a Chinese sentence are listed with 、, not ", ".
    user_factory("ib", ("inspector", org.group))
    client.post("/lang", data={"lang": "zh_CN"})
    data |= {"exclude": "HC02-98, HC02-99", "people": "nobody8, ia, nobody9"}
    said = dict(re.findall(r'id="(\w+)-error">([^<]*)</p>', client.post(
        f"/schedules/{schedule.id}/edit", data=data).text))  # fmt: skip
    assert said["exclude"] == "未知单位编码：HC02-98、HC02-99"
    assert said["people"].endswith("（或已停用、不存在）：nobody8、nobody9。")


@pytest.mark.parametrize(
    ("changes", "field", "expected"),
    [
        ({"window_days": "0"}, "window_days", "天数须为 1 到 366 之间的整数。"),  # not 必填
        ({"window_days": "367"}, "window_days", "天数须为 1 到 366 之间的整数。"),
        ({"window_days": ""}, "window_days", "该字段是必填字段。"),
        ({"count": "0"}, "count", "须在 1 到 20 之间。"),
    ],
    ids=["window 0", "window 367", "window empty", "pool count 0"],
)
def test_a_number_out_of_range_says_what_is_allowed(
    client, org, schedule, signed_in, user_factory, changes, field, expected
):
    user_factory("ia", ("inspector", org.group))
    signed_in("office", ("office", org.group))
    response = client.post(f"/schedules/{schedule.id}/edit", data=form_data(people="ia", **changes))
    assert response.status_code == 422
    assert re.search(rf'id="{field}-error">{expected}</p>', response.text), response.text


def test_two_editors_at_once_the_second_is_told_it_changed_meanwhile(
    app, session, org, schedule, user_factory
):
    user_factory("office1", ("office", org.group))
    user_factory("office2", ("office", org.group))
    first, second = app.test_client(), app.test_client()
    sign_in(first, "office1")
    sign_in(second, "office2")
    second.post("/lang", data={"lang": "en"})
    # Both loaded version 1; the first saves, then the second.
    data = form_data(policy="unit_lead")
    assert first.post(f"/schedules/{schedule.id}/edit", data=data).status_code == 302
    response = second.post(f"/schedules/{schedule.id}/edit", data=data | {"name": "别的名字"})
    assert response.status_code == 409
    assert "changed this schedule meanwhile" in response.get_data(as_text=True)
    forged = second.post(f"/schedules/{schedule.id}/edit", data=data | {"version": "abc"})
    assert forged.status_code == 409  # a version that is no number is stale (it was a 500)
    session.expire_all()
    assert session.get(Schedule, schedule.id).name == "季度检查（新）"


def test_deactivate_and_activate(client, session, org, schedule, signed_in):
    signed_in("office", ("office", org.group))
    client.post(f"/schedules/{schedule.id}/active", data={"version": "1", "active": "0"})
    session.expire_all()
    assert session.get(Schedule, schedule.id).active is False
    # A stale version does nothing; nor does one that is no number (it was a 500).
    client.post(f"/schedules/{schedule.id}/active", data={"version": "1", "active": "1"})
    forged = client.post(f"/schedules/{schedule.id}/active", data={"version": "x", "active": "1"})
    assert forged.status_code == 302
    session.expire_all()
    assert session.get(Schedule, schedule.id).active is False
    # Its periods since January have no inspections yet: activating asks first.
    asked = client.post(f"/schedules/{schedule.id}/active", data={"version": "2", "active": "1"})
    assert asked.status_code == 200 and "启用并创建这些检查" in asked.text
    confirm = re.search(r'name="confirm" value="([^"]+)"', asked.text)[1]
    client.post(
        f"/schedules/{schedule.id}/active", data={"version": "2", "active": "1", "confirm": confirm}
    )
    session.expire_all()
    assert session.get(Schedule, schedule.id).active is True
    actions = session.scalars(select(AuditEvent.action).where(AuditEvent.entity_type == "schedule"))
    assert list(actions) == ["schedule.deactivate", "schedule.activate"]


def test_ad_hoc_for_a_subtree_from_the_web(client, session, org, schedule, signed_in, user_factory):
    inspector = user_factory("ia", ("inspector", org.group), ("unit_lead", org.branch_a2))
    signed_in("office", ("office", org.company_a))
    response = client.post(
        "/schedules/ad-hoc",
        data={
            "unit_code": "A", "subtree": "y", "levels": ["branch"],
            "definition_key": "branch_standardisation", "due": DUE.isoformat(),
            "reason": "群众反映问题", "inspectors": "ia",
        },
    )  # fmt: skip
    assert response.status_code == 302, response.get_data(as_text=True)
    session.expire_all()
    made = {i.unit.code: i for i in session.scalars(select(Inspection))}
    assert set(made) == {"A1-1", "A1-2"}
    assert made["A1-1"].assignee_ids == {inspector.id} and made["A1-1"].state == "assigned"
    assert made["A1-2"].assignee_ids == set() and made["A1-2"].state == "planned"  # 回避
    assert {i.origin for i in made.values()} == {"ad_hoc"}
    assert made["A1-1"].reason == "群众反映问题" and made["A1-1"].due_date == DUE
    told = client.get("/schedules").get_data(as_text=True)
    assert "已创建 2 项动态检查。" in told
    assert "其中 1 项没有检查人员：所指定的人员不得检查该单位（回避）：A1-2。" in told


def test_an_ad_hoc_of_many_units_asks_first(client, session, org, schedule, signed_in):
    signed_in("office", ("office", org.group))
    data = {"unit_code": "G", "subtree": "y", "definition_key": "branch_standardisation",
            "due": DUE.isoformat(), "reason": "全面排查"}  # fmt: skip
    asked = client.post("/schedules/ad-hoc", data=data)
    assert asked.status_code == 200 and 'data-confirm-count="8"' in asked.text
    assert "这将为 8 个单位各创建一项动态检查。" in asked.text
    assert (
        '<button class="primary" name="confirm" value="8">创建 8 项动态检查</button>' in asked.text
    )
    assert session.scalars(select(Inspection)).all() == []
    stale = client.post("/schedules/ad-hoc", data=data | {"confirm": "7"})  # the tree changed
    assert (
        'data-confirm-count="8"' in stale.text and session.scalars(select(Inspection)).all() == []
    )
    done = client.post("/schedules/ad-hoc", data=data | {"confirm": "8"})
    assert done.status_code == 302
    assert len(session.scalars(select(Inspection)).all()) == 8
    # A few (the branches only) are made at once, as before.
    few = client.post("/schedules/ad-hoc", data=data | {"levels": ["branch"]})
    assert few.status_code == 302 and len(session.scalars(select(Inspection)).all()) == 11


def test_ad_hoc_outside_scope_or_without_reason_is_refused(
    client, session, org, schedule, signed_in, user_factory
):
    signed_in("office", ("office", org.company_a))
    client.post("/lang", data={"lang": "en"})
    data = {"unit_code": "B1", "definition_key": "branch_standardisation", "due": DUE.isoformat()}
    response = client.post("/schedules/ad-hoc", data=data | {"reason": "x"})
    assert response.status_code == 422
    assert "No unit with this code in the part you manage." in response.get_data(as_text=True)
    assert client.post("/schedules/ad-hoc", data=data | {"unit_code": "A1"}).status_code == 422
    response = client.post(
        "/schedules/ad-hoc", data=data | {"unit_code": "A1", "reason": "x", "inspectors": "ghost"}
    )
    assert response.status_code == 422
    assert "no active account named ghost" in response.get_data(as_text=True)
    client.post("/lang", data={"lang": "zh_CN"})  # the service's reason in Chinese too
    response = client.post(
        "/schedules/ad-hoc", data=data | {"unit_code": "A1", "reason": "x", "inspectors": "ghost"}
    )
    assert response.status_code == 422
    assert "没有名为 ghost 的在用账号" in response.get_data(as_text=True)
    org.branch_a1.active = False  # a unit no longer in use: its sentence beside the field
    session.commit()
    response = client.post("/schedules/ad-hoc", data=data | {"unit_code": "A1-1", "reason": "x"})
    assert response.status_code == 422
    assert re.search(r'id="unit_code-error">[^<]*单位 A1-1 已停用', response.get_data(as_text=True))
    past = client.post("/schedules/ad-hoc", data=data | {"unit_code": "A1", "reason": "x",
                                                          "due": "2020-01-01"})  # fmt: skip
    assert past.status_code == 422 and re.search(r'id="due-error">截止日期已过', past.text)
    # Named for a unit they lead: left off it (回避), so said rather than silently dropped.
    user_factory("own", ("inspector", org.group), ("unit_lead", org.branch_a2))
    own = client.post("/schedules/ad-hoc", data=data | {"unit_code": "A1-2", "reason": "x",
                                                         "inspectors": "own"})  # fmt: skip
    assert own.status_code == 422
    assert re.search(r'id="inspectors-error">own 不能检查所选的任何单位', own.text), own.text
    assert session.scalars(select(Inspection)).all() == []
