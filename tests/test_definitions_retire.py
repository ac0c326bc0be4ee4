"""Retiring and restoring a definition on the web, what may stop it, what a sync does after,
and an upload of an earlier version's content, which asks first."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from dudao.audit.models import AuditEvent
from dudao.definitions import queries
from dudao.definitions.models import FormDefinition
from dudao.definitions.services import sync_forms
from dudao.definitions.uploading import upload_version
from dudao.scheduling.models import Schedule
from tests.definition_world import PLAIN_CHECK as CHECK
from tests.definition_world import SURVEY, folder  # noqa: F401
from tests.survey_world import campaign_for, close

DROPDOWNS = ("/schedules/ad-hoc", "/draws/new")


@pytest.fixture
def uploaded(session):
    """A checklist and a questionnaire that were only ever uploaded."""
    fire = upload_version(session, None, CHECK, "fire.yaml").definition
    canteen = upload_version(session, None, SURVEY, "canteen.yaml").definition
    session.commit()
    return fire, canteen


def _offered(client, key: str) -> dict[str, bool]:
    """Whether the draw, ad hoc and campaign forms offer `key` in their dropdowns."""
    pages = DROPDOWNS if key == "fire_check" else ("/surveys/new",)
    return {url: f'value="{key}"' in client.get(url).get_data(as_text=True) for url in pages}


def _retired(session, definition) -> bool:
    session.expire_all()
    return session.get(FormDefinition, definition.id).retired


def test_retire_takes_it_out_of_every_dropdown_and_restore_brings_it_back(
    signed_in, org, uploaded, session
):
    fire, canteen = uploaded
    client = signed_in("ada", ("admin", org.group), ("office", org.group))
    assert all(_offered(client, "fire_check").values())
    assert all(_offered(client, "canteen").values())
    page = client.get(f"/admin/definitions/{fire.id}").get_data(as_text=True)
    assert 'data-confirm="停用此' in page and "进行中的检查仍可完成" in page
    for definition in (fire, canteen):
        done = client.post(f"/admin/definitions/{definition.id}/retire", follow_redirects=True)
        assert f"{definition.key} 已停用" in done.get_data(as_text=True)
        assert _retired(session, definition)
    assert not any(_offered(client, "fire_check").values())
    assert not any(_offered(client, "canteen").values())
    assert queries.current_version(session, "fire_check") is None
    listing = client.get("/admin/definitions/").get_data(as_text=True)
    assert listing.count('<span class="tag muted">已停用</span>') == 2
    page = client.get(f"/admin/definitions/{fire.id}").get_data(as_text=True)
    assert "<button>恢复</button>" in page and "data-confirm" not in page
    events = session.scalars(select(AuditEvent.action).where(AuditEvent.entity_id == str(fire.id)))
    assert "definition.retire" in list(events)
    done = client.post(f"/admin/definitions/{fire.id}/restore", follow_redirects=True)
    assert "fire_check 已恢复使用" in done.get_data(as_text=True)
    assert not _retired(session, fire)
    assert all(_offered(client, "fire_check").values())
    assert queries.current_version(session, "fire_check").number == 1


def test_retire_is_refused_while_an_active_schedule_uses_it(signed_in, org, uploaded, session):
    fire, _canteen = uploaded
    schedule = Schedule(
        key="fire_monthly", name="每月消防检查", definition_key="fire_check",
        scope_unit=org.company_a, rrule="FREQ=MONTHLY", dtstart=date(2026, 1, 1),
    )  # fmt: skip
    session.add(schedule)
    session.commit()
    client = signed_in("ada", ("admin", org.group))
    refused = client.post(f"/admin/definitions/{fire.id}/retire", follow_redirects=True)
    said = refused.get_data(as_text=True)
    assert "fire_check 未停用：启用中的检查计划“每月消防检查”仍在使用它" in said
    assert not _retired(session, fire)
    schedule.active = False
    session.commit()
    client.post(f"/admin/definitions/{fire.id}/retire")
    assert _retired(session, fire)


def test_retire_is_refused_while_a_campaign_is_not_closed(signed_in, org, session):
    campaign = campaign_for(session, org.company_a, title="春季测评")
    session.commit()
    definition = queries.by_key(session, "member_satisfaction")
    client = signed_in("ada", ("admin", org.group))
    refused = client.post(f"/admin/definitions/{definition.id}/retire", follow_redirects=True)
    assert "测评活动“春季测评”（未结束）" in refused.get_data(as_text=True)
    assert not _retired(session, definition)
    client.post("/lang", data={"lang": "en"})
    refused = client.post(f"/admin/definitions/{definition.id}/retire", follow_redirects=True)
    assert "the campaign “春季测评” (not closed) still uses it" in refused.get_data(as_text=True)
    close(session, campaign)
    session.commit()
    client.post(f"/admin/definitions/{definition.id}/retire")
    assert _retired(session, definition)


def test_a_sync_keeps_a_web_retirement_of_an_uploaded_definition(
    signed_in,
    org,
    uploaded,
    session,
    folder,  # noqa: F811
):
    fire, _canteen = uploaded
    other = folder.parent / "others"
    other.mkdir()
    (other / "fire.yaml").write_text(CHECK.replace("fire_check", "other_check"), "utf-8")
    client = signed_in("ada", ("admin", org.group))
    client.post(f"/admin/definitions/{fire.id}/retire")
    report = sync_forms(session, None, other)
    session.commit()
    assert report.keys("restored") == [] and _retired(session, fire)
    # A definition the folder holds follows its file, as before, and the sync says so.
    synced = queries.by_key(session, "other_check")
    client.post(f"/admin/definitions/{synced.id}/retire")
    assert _retired(session, synced)
    page = client.get(f"/admin/definitions/{synced.id}").get_data(as_text=True)
    assert "dudao forms sync" in page
    report = sync_forms(session, None, other)
    session.commit()
    assert report.keys("restored") == ["other_check"] and not _retired(session, synced)


def test_uploading_an_earlier_versions_content_asks_first(signed_in, org, uploaded, session):
    fire, _canteen = uploaded
    first = queries.current_version(session, "fire_check")
    changed = CHECK.replace("max: 20", "max: 40")
    upload_version(session, None, changed, "fire.yaml")
    session.commit()
    client = signed_in("ada", ("admin", org.group))
    asked = client.post("/admin/definitions/upload", data={"text": CHECK})
    html = asked.get_data(as_text=True)
    assert asked.status_code == 422
    assert "该内容已是 fire_check 的第 1 版，但当前版本是第 2 版。未保存任何内容。" in html
    assert f'action="/admin/definitions/versions/{first.id}/current"' in html
    assert "        type: number\n" in html.split('name="text"')[1]  # the text is kept
    session.expire_all()
    assert queries.current_version(session, "fire_check").number == 2
    done = client.post(f"/admin/definitions/versions/{first.id}/current", follow_redirects=True)
    assert "fire_check 的第 1 版已重新成为当前版本" in done.get_data(as_text=True)
    session.expire_all()
    assert queries.current_version(session, "fire_check").id == first.id
    assert session.get(FormDefinition, fire.id).current_number == 1


def test_office_may_neither_retire_nor_restore(signed_in, org, uploaded, session):
    fire, _canteen = uploaded
    client = signed_in("olga", ("office", org.group))
    assert "/retire" not in client.get(f"/admin/definitions/{fire.id}").get_data(as_text=True)
    assert client.post(f"/admin/definitions/{fire.id}/retire").status_code == 403
    assert not _retired(session, fire)
