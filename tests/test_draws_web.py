"""Draw pages over HTTP: the office makes, verifies and publishes; the publication page
shows published draws to the configured roles, with results once inspections are done."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select, update

from dudao.audit.models import AuditEvent
from dudao.config import PROJECT_ROOT
from dudao.core.errors import N_, Message, ValidationError
from dudao.definitions.services import sync_forms
from dudao.inspections.models import Inspection
from dudao.scheduling import draw_views, publication
from dudao.scheduling.draws import digest, run_draw
from dudao.scheduling.models import SpotCheckDraw
from dudao.workflow.engine import apply
from tests.conftest import sign_in
from tests.draw_world import approved_submission

FORM = {
    "title": "第四季度双随机抽查",
    "definition": "branch_standardisation",
    "levels": ["branch"],
    "count": "2",
    "inspectors_per_inspection": "2",
    "exclude_recent_periods": "0",
    "period": "quarter",
    "due_date": "2099-12-31",
    "seed": "web-seed",
}


@pytest.fixture
def office(session, org, signed_in, user_factory):
    sync_forms(session, None, PROJECT_ROOT / "forms")
    session.commit()
    for name in ("insp1", "insp2", "insp3"):
        user_factory(name, ("inspector", org.group))
    return signed_in("office", ("office", org.group))


def switch(client, username):
    """Sign out whoever is signed in, then sign in as `username`."""
    client.post("/logout")
    assert sign_in(client, username).status_code == 302


def make(client, org, **changes):
    return client.post("/draws/new", data={**FORM, "scope": str(org.group.id), **changes})


def test_office_makes_verifies_and_publishes_a_draw(office, org, session):
    page = office.get("/draws/new")
    assert page.status_code == 200 and "branch_standardisation" in page.get_data(as_text=True)
    response = make(office, org)
    assert response.status_code == 302, response.get_data(as_text=True)
    draw = session.scalars(select(SpotCheckDraw)).one()
    assert response.headers["Location"].endswith(f"/draws/{draw.id}")
    text = office.get(f"/draws/{draw.id}").get_data(as_text=True)
    for shown in ("web-seed", "dudao-draw-1", draw.result_hash, "A1-1"):
        assert shown in text, shown
    # The parameters read as the form asked for them, not as the JSON record.
    assert '<th class="wrap">抽取单位数</th><td class="wrap-short">2</td>' in text
    assert '"count"' not in text
    # What was left open reads as what it means, not as "—" or "0 · 季度".
    # They say what was chosen, without the form's hints (用户名，可选; 0：不排除).
    assert (
        '<th class="wrap">排除最近 N 个周期内已检查的单位</th><td class="wrap-short">不排除</td>'
        in text
    )
    assert '<th class="wrap">检查人员</th><td class="wrap-short">范围内的全部检查人员</td>' in text
    # The checklist's title, not its key:
    assert '<th>检查表</th><td class="wrap-short">党支部标准化建设检查表</td>' in text
    assert office.get("/draws").get_data(as_text=True).count(f"/draws/{draw.id}") == 1
    verified = office.get(f"/draws/{draw.id}?verify=1").get_data(as_text=True)
    # The page's language, the lines' too (they read "OK: draw 1 (...)" on a Chinese page).
    assert "flash-success" in verified and f"一致：抽查 {draw.id}（dudao-draw-1" in verified
    assert office.post(f"/draws/{draw.id}/publish").status_code == 302
    session.refresh(draw)
    assert draw.published
    office.post("/lang", data={"lang": "en"})
    text = office.get(f"/draws/{draw.id}").get_data(as_text=True)
    assert re.search(
        r"Candidate units: \d+; eligible: \d+; excluded as recently inspected: "
        r"\d+; inspectors in the pool: \d+; as of ",
        text,
    )  # no "1 inspectors"
    verified = office.get(f"/draws/{draw.id}?verify=1").get_data(as_text=True)
    assert f"OK: draw {draw.id} (dudao-draw-1" in verified and "一致" not in verified


def test_the_json_download_recomputes_elsewhere(office, org, client, user_factory):
    assert make(office, org).status_code == 302
    exported = office.get("/draws/1/draw.json")
    assert exported.status_code == 200 and exported.mimetype == "application/json"
    record = exported.get_json()
    assert run_draw(record["seed"], record["params"], record["inputs"]) == record["result"]
    assert digest(record["result"]) == record["result_hash"]
    user_factory("insp_a", ("inspector", org.company_a))
    switch(client, "insp_a")
    assert client.get("/public/draws/1/draw.json").status_code == 404  # not published yet
    switch(client, "office")
    client.post("/draws/1/publish")
    switch(client, "insp_a")
    assert client.get("/public/draws/1/draw.json").get_json() == record


def test_form_problems_re_render_and_change_nothing(office, org, session):
    # The page is in Chinese (the default), and so are the draw's own reasons.
    both = make(office, org, fraction="0.5")
    assert both.status_code == 422 and "二者只填其一" in both.get_data(as_text=True)
    too_many = make(office, org, count="9")
    assert too_many.status_code == 422 and "只有 3 个符合条件" in too_many.get_data(as_text=True)
    short = make(office, org, inspectors_per_inspection="4")
    assert "没有足够的符合条件的检查人员" in short.get_data(as_text=True)
    assert "（符合条件 3 人，需要 4 人）" in short.get_data(as_text=True)
    past = make(office, org, due_date="2020-01-01")
    assert past.status_code == 422
    # the service's reason sits beside the field it names, not above the form
    assert '<p class="field-error" id="due_date-error">截止日期已过' in past.get_data(as_text=True)
    stranger = make(office, org, pool="insp1, nobody")
    assert stranger.status_code == 422
    assert '<p class="field-error" id="pool-error">' in stranger.get_data(as_text=True)
    assert "nobody" in stranger.get_data(as_text=True).split('id="pool-error">')[1]
    assert session.scalars(select(SpotCheckDraw)).all() == []
    assert session.scalars(select(Inspection)).all() == []


def test_office_of_another_company_sees_nothing_of_it(office, org, client, user_factory):
    assert make(office, org, count="1").status_code == 302
    draw_id = 1
    user_factory("office_b", ("office", org.company_b))
    switch(client, "office_b")
    assert client.get(f"/draws/{draw_id}").status_code == 404
    assert client.post(f"/draws/{draw_id}/publish").status_code == 404
    assert f"/draws/{draw_id}" not in client.get("/draws").get_data(as_text=True)
    # Its own subtree only: company B's scope cannot be chosen for the group.
    refused = client.post("/draws/new", data={**FORM, "scope": str(org.group.id)})
    assert refused.status_code == 422


def test_publication_page_roles_scope_and_results(office, org, client, session, user_factory):
    assert make(office, org, stratify="y").status_code == 302
    draw = session.scalars(select(SpotCheckDraw)).one()
    user_factory("lead_a1", ("unit_lead", org.unit_a1))
    user_factory("rep", ("representative", org.branch_a1))
    switch(client, "lead_a1")
    assert f"/public/draws/{draw.id}" not in client.get("/public/draws").get_data(as_text=True)
    assert client.get(f"/public/draws/{draw.id}").status_code == 404  # not yet published
    switch(client, "office")
    client.post(f"/draws/{draw.id}/publish")

    switch(client, "lead_a1")
    client.post("/lang", data={"lang": "en", "next": "/"})
    listing = client.get("/public/draws").get_data(as_text=True)
    assert f"/public/draws/{draw.id}" in listing  # a group-wide draw covers the lead's unit
    assert ">示例集团 <small>G</small></td>" in listing  # outsiders know units by name
    page = client.get(f"/public/draws/{draw.id}").get_data(as_text=True)
    assert "<td>甲公司 <small>A</small></td>" in page  # the allocation by company, by name
    assert "web-seed" in page and "Not finished yet" in page and "Assigned" not in page
    assert client.get(f"/public/draws/{draw.id}?verify=1").status_code == 200

    inspection = session.scalars(select(Inspection).where(Inspection.draw_id == draw.id)).first()
    session.execute(
        update(Inspection).where(Inspection.id == inspection.id).values(state="submitted")
    )
    session.commit()
    session.refresh(inspection)
    apply(session, session.merge(_user(session, "office")), inspection, "approve")
    session.commit()
    approved_submission(session, inspection, 87.5, "良好")
    session.commit()
    page = client.get(f"/public/draws/{draw.id}").get_data(as_text=True)
    assert "Approved" in page and page.count("Not finished yet") == 1
    assert "score 87.5% (良好)" in page  # a result without both labels: the stored one
    approved_submission(session, inspection, 91.0, "优秀",
                        {"grade": {"zh": "优秀", "en": "Excellent"}})  # fmt: skip
    session.commit()
    page = client.get(f"/public/draws/{draw.id}").get_data(as_text=True)
    assert "score 91.0% (Excellent)" in page and "优秀" not in page
    client.post("/lang", data={"lang": "zh_CN", "next": "/"})
    assert "(优秀)" in client.get(f"/public/draws/{draw.id}").get_data(as_text=True)

    switch(client, "rep")
    assert client.get("/public/draws").status_code == 403  # not in publication.yaml


def _user(session, username):
    from dudao.auth.models import User

    return session.scalars(select(User).where(User.username == username)).one()


def test_publication_roles_come_from_configuration(office, org, client, session, user_factory,
                                                   tmp_path, monkeypatch):  # fmt: skip
    assert make(office, org, count="1").status_code == 302
    office.post("/draws/1/publish")
    config = tmp_path / "publication.yaml"
    config.write_text("roles: [representative, office]\n", encoding="utf-8")
    monkeypatch.setattr(publication, "PUBLICATION_FILE", config)
    user_factory("rep", ("representative", org.branch_a1))
    user_factory("insp", ("inspector", org.company_a))
    switch(client, "rep")
    assert client.get("/public/draws/1").status_code == 200
    assert "/public/draws" in client.get("/").get_data(as_text=True)  # the nav link follows
    switch(client, "insp")
    assert client.get("/public/draws").status_code == 403
    config.write_text("roles: [office, chief]\n", encoding="utf-8")
    with pytest.raises(Exception, match=r"publication.yaml:1:\d+: roles\[1\]: unknown role"):
        publication.publication_roles(config)


def test_shipped_publication_file_lists_the_default_roles():
    assert publication.load_roles(publication.PUBLICATION_FILE) == publication.DEFAULT_ROLES


def test_inspector_cannot_make_draws(client, org, user_factory):
    user_factory("insp", ("inspector", org.group))
    switch(client, "insp")
    assert client.get("/draws").status_code == 403
    assert client.get("/draws/new").status_code == 403
    assert client.get("/public/draws").status_code == 200  # open to inspectors by default


def test_a_pool_is_split_as_the_schedule_form_splits_it(office, org, session):
    # A Chinese comma (or 、) separates names as a comma does: nobody9 alone is unknown.
    stranger = make(office, org, pool="insp1，nobody9")
    assert stranger.status_code == 422
    said = stranger.text.split('id="pool-error">')[1].split("</p>")[0]
    assert "nobody9" in said and "insp1" not in said
    made = make(office, org, count="1", pool="insp1，insp2、insp3")
    assert made.status_code == 302, made.text
    pool = session.scalars(select(SpotCheckDraw)).one().params["pool"]
    assert pool == ["insp1", "insp2", "insp3"]


@pytest.mark.parametrize(
    ("changes", "field", "expected"),
    [
        ({"count": "0"}, "count", "须在 1 到 1000000 之间。"),  # it said 数值必须大于 1
        ({"inspectors_per_inspection": "0"}, "inspectors_per_inspection", "须在 1 到 20 之间。"),
        ({"inspectors_per_inspection": ""}, "inspectors_per_inspection", "该字段是必填字段。"),
        ({"exclude_recent_periods": "101"}, "exclude_recent_periods", "须在 0 到 100 之间。"),
    ],
    ids=["count 0", "inspectors 0", "inspectors empty", "exclude 101"],
)
def test_a_number_out_of_range_says_what_is_allowed(office, org, changes, field, expected):
    response = make(office, org, **changes)
    assert response.status_code == 422
    assert re.search(rf'id="{field}-error">{expected}</p>', response.text), response.text


def test_every_problem_of_the_inputs_shows_at_once(office, org, session):
    """They came one per submit: the count and fraction, then the pool, then the due date."""
    response = make(
        office, org, count="5000", fraction="0.2", pool="insp1, nobody9", due_date="2020-01-01"
    )
    assert response.status_code == 422
    said = dict(re.findall(r'id="(\w+)-error">([^<]*)</p>', response.text))
    assert said.keys() == {"count", "pool", "due_date"}, said
    assert "二者只填其一" in said["count"] and "nobody9" in said["pool"]
    assert said["due_date"] == "截止日期已过。"
    # What the form itself refuses comes with the service's findings, each said once.
    both = make(office, org, title="", inspectors_per_inspection="0", pool="nobody9")
    said = dict(re.findall(r'id="(\w+)-error">([^<]*)</p>', both.text))
    assert said.keys() == {"title", "inspectors_per_inspection", "pool"}, said
    assert said["title"] == "该字段是必填字段。"
    assert said["inspectors_per_inspection"] == "须在 1 到 20 之间。"
    # Once the inputs are right, the draw itself may still refuse: after them, not before.
    short = make(office, org, count="5000")
    assert short.status_code == 422 and "只有 3 个符合条件" in short.text
    assert session.scalars(select(SpotCheckDraw)).all() == []
    assert session.scalars(select(Inspection)).all() == []


def test_a_refused_draw_says_its_units_and_is_on_record(office, org, session):
    """A refusal may name the units the seed drew: drawing again until they suit is recorded,
    attempt by attempt, with the seed, the parameters, the reason and who."""
    for seed in ("first", "second"):
        short = make(office, org, inspectors_per_inspection="4", seed=seed)
        assert short.status_code == 422
        assert "（符合条件 3 人，需要 4 人）" in short.text  # the office can mend its pool
        notice = short.text.split("data-refused-attempt>")[1].split("</p>")[0]
        assert f"本次尝试已用随机种子 {seed} 抽取，但未成功" in notice
    events = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "draw.refused").order_by(AuditEvent.seq)
    ).all()
    assert [e.after["seed"] for e in events] == ["first", "second"]
    first = events[0]
    assert first.actor_name == "office" and first.entity_type == "draw_attempt"
    assert first.entity_id == "G"  # the scope's code
    assert first.after["reason"] == "too_few_inspectors" and first.after["units"]
    assert first.after["params"]["inspectors_per_inspection"] == 4
    assert first.after["title"] == FORM["title"] and len(first.after["inputs_sha256"]) == 64
    assert session.scalars(select(SpotCheckDraw)).all() == []
    assert session.scalars(select(Inspection)).all() == []
    # Wrong inputs draw nothing: no attempt to record.
    assert make(office, org, due_date="2020-01-01").status_code == 422
    assert make(office, org, inspectors_per_inspection="0").status_code == 422
    refused = select(AuditEvent).where(AuditEvent.action == "draw.refused")
    assert len(session.scalars(refused).all()) == 2
    # The audit log names the attempt and its reason in words.
    page = office.get("/audit?entity_type=draw_attempt").text
    assert "抽查尝试 · 已抽取但未成功（未生成抽查）" in page
    assert "抽中单位的符合条件检查人员不足" in page
    listed = office.get("/draws").text
    assert "审计日志会记录它（抽查尝试）" in listed
    assert 'href="/audit?entity_type=draw_attempt" data-refused-attempts>未成功的抽取尝试' in listed


def test_a_typed_seed_is_said_to_be_typed_here_and_in_public(office, org, session, client,
                                                             user_factory):  # fmt: skip
    """Anyone can try seeds offline against the published algorithm until the units suit:
    the draw, its public page and its audit record say whether the seed was typed in."""
    assert "种子可以在抽取前反复试算" in office.get("/draws/new").text
    assert make(office, org).status_code == 302
    assert make(office, org, seed="", title="系统种子").status_code == 302
    typed, generated = session.scalars(select(SpotCheckDraw).order_by(SpotCheckDraw.id)).all()
    assert (typed.seed_given, generated.seed_given) == (True, False)
    assert re.fullmatch(r"[0-9a-f]{32}", generated.seed)
    for draw, words in ((typed, "由抽查人填写，并非系统生成。"), (generated, "由系统随机生成")):
        assert words in office.get(f"/draws/{draw.id}").text
        office.post(f"/draws/{draw.id}/publish")
    recorded = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "draw.create").order_by(AuditEvent.id)
    ).all()
    assert [event.after["seed_given"] for event in recorded] == [True, False]
    user_factory("insp_a", ("inspector", org.company_a))
    switch(client, "insp_a")
    assert "由抽查人填写，并非系统生成。" in client.get(f"/public/draws/{typed.id}").text


def test_problems_beside_no_field_read_as_the_page_writes_sentences(office, org, monkeypatch):
    """Chinese sentences follow one another with no space between them; English ones, one."""

    def refuse(*args, **kwargs):
        past = Message(N_("The due date is in the past."))
        raise ValidationError(past, [past, Message(N_("A seed has at most 64 characters."))])

    monkeypatch.setattr(draw_views, "create_draw", refuse)
    said = '<p class="error" role="alert">'
    assert f"{said}截止日期已过。种子最多 64 个字符。</p>" in make(office, org).text
    office.post("/lang", data={"lang": "en"})
    english = make(office, org).text
    assert f"{said}The due date is in the past. A seed has at most 64 characters.</p>" in english


def test_a_draw_with_no_level_ticked_says_the_levels_it_drew_from(office, org, session, client):
    """Nothing ticked draws from the branches: the draw's page and its public notice say so,
    not "every level" (the frame an outsider reads)."""
    fields = {key: value for key, value in FORM.items() if key != "levels"}
    response = office.post("/draws/new", data={**fields, "scope": str(org.group.id)})
    assert response.status_code == 302, response.get_data(as_text=True)
    draw = session.scalars(select(SpotCheckDraw)).one()
    assert draw.params["levels"] == []
    said = '<th class="wrap">单位层级</th><td class="wrap-short">党支部</td>'
    assert said in office.get(f"/draws/{draw.id}").get_data(as_text=True)
    assert office.post(f"/draws/{draw.id}/publish").status_code == 302
    assert said in client.get(f"/public/draws/{draw.id}").get_data(as_text=True)
