"""Office pages: create, roster, invitations shown once, open/close, who may see a campaign
(results in every format: test_surveys_results; the printed slips and posters:
test_surveys_slips)."""

from __future__ import annotations

import csv
import html
import io
import json
import re
from datetime import UTC, date, datetime
from gettext import NullTranslations
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from dudao.assessment import periods
from dudao.config import PROJECT_ROOT
from dudao.core.errors import ValidationError, by_field
from dudao.definitions.queries import current_version
from dudao.definitions.services import sync_forms
from dudao.surveys import services
from dudao.surveys.models import (
    Campaign,
    CampaignState,
    Invitation,
    RosterMember,
    closing_moment,
)
from tests import survey_world


def test_office_creates_a_campaign_with_the_definition_s_thresholds(app, signed_in, session, org):
    sync_forms(session, None, PROJECT_ROOT / "forms")
    session.commit()
    client = signed_in("office_a", ("office", org.company_a))
    blank = client.get("/surveys/new")
    # The period is named as the assessment and the demo name it, the quarter of today.
    quarter = periods.label(
        periods.current_key("quarter", app.extensions["dudao"].settings.timezone)
    )
    assert blank.status_code == 200 and f'value="{quarter}"' in blank.text
    assert "例如 2026年第四季度" in blank.text
    data = {
        "title": "2026年四季度满意度测评",
        "definition": "member_satisfaction",
        "scope": "A",
        "levels": ["branch"],
        "opens_on": "2026-11-01",
        "closes_on": "2026-12-31",
        "period_label": "2026-Q4",
    }
    response = client.post("/surveys/new", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)
    campaign = session.scalars(select(Campaign)).one()
    assert (campaign.min_group, campaign.min_comment_group) == (5, 10)
    assert campaign.state == CampaignState.DRAFT and campaign.levels == ["branch"]
    low = client.post("/surveys/new", data={**data, "min_group": "2"})
    assert low.status_code == 422
    outside = client.post("/surveys/new", data={**data, "scope": "B"})
    assert outside.status_code == 422 and session.scalar(select(func.count(Campaign.id))) == 1
    detail = client.get(response.headers["Location"])
    assert detail.status_code == 200 and "A1-1" in detail.get_data(as_text=True)
    # It closes after 31 December: said so, not as 1 January 00:00 (the stored end).
    assert "2026/12/31 24:00" in detail.text and "2027/1/1" not in detail.text
    assert "2026/12/31 24:00" in client.get("/surveys").text
    # Its state in words (web.labels), on the campaign's page and in the list.
    assert "<dt>状态</dt><dd>草稿</dd>" in detail.text
    assert "<td>草稿</td>" in client.get("/surveys").text


def test_every_mistake_in_a_new_campaign_is_said_beside_its_field(signed_in, session, org):
    sync_forms(session, None, PROJECT_ROOT / "forms")
    session.commit()
    client = signed_in("office_a", ("office", org.company_a))
    data = {
        "title": "测评", "definition": "member_satisfaction", "scope": "B",
        "opens_on": "2026-11-10", "closes_on": "2026-11-01", "period_label": "2026-Q4",
        "min_group": "2",
    }  # fmt: skip

    def errors(response) -> dict[str, str]:
        body = response.get_data(as_text=True)
        return dict(re.findall(r'<p class="field-error" id="([a-z_]+)-error">([^<]*)</p>', body))

    first = client.post("/surveys/new", data=data)
    assert first.status_code == 422
    assert errors(first) == {
        "scope": "您的管理范围内没有该编码的单位。",
        "closes_on": "截止日期不能早于开始日期。",
        "min_group": "须在 3 到 1000 之间。",
    }
    huge = {**data, "closes_on": "9999-12-31", "min_group": "9" * 20}  # no overflow: said
    assert errors(client.post("/surveys/new", data=huge)) | {"scope": ""} == {
        "scope": "", "closes_on": "请填写 2000 年至 2099 年之间的日期。",
        "min_group": "须在 3 到 1000 之间。",
    }  # fmt: skip
    fixed = {**data, "scope": "A", "closes_on": "2026-11-30", "min_group": "5"}
    service = client.post("/surveys/new", data={**fixed, "min_comment_group": "4"})
    assert errors(service) == {
        "min_comment_group": "显示意见的最小人数不能少于显示得分的最小人数（5）。"
    }
    assert session.scalar(select(func.count(Campaign.id))) == 0


def test_roster_import_is_all_or_nothing_and_scoped(signed_in, session, org):
    client = signed_in("office_a", ("office", org.company_a))
    good = "unit,member,email\nA1-1,001,a@example.com\nA1-1,002,\nA1-2,003,\n"
    ok = client.post("/surveys/roster", data={"file": (io.BytesIO(good.encode()), "r.csv")})
    assert ok.status_code == 200 and session.scalar(select(func.count(RosterMember.id))) == 3
    said = "r.csv：已导入 3 行，涉及 2 个单位；新增成员 3 人，更新 0 人，停用 0 人。"
    assert said in ok.get_data(as_text=True)
    bad = "单位编码,工号\nA1-1,001\nA1-9,004\nA1-1,001\nB1-1,005\n"
    response = client.post(
        "/surveys/roster", data={"file": (io.BytesIO(bad.encode("gb18030")), "r.csv")}
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "A1-9" in body and "B1-1" in body and body.count('<td class="wrap">') == 3
    assert "r.csv：发现 3 个问题，未导入任何数据。" in body
    session.expire_all()
    assert session.scalar(select(func.count(RosterMember.id))) == 3
    replace = "unit,member\nA1-1,001\n"
    client.post("/surveys/roster", data={"file": (io.BytesIO(replace.encode()), "r.csv")})
    session.expire_all()
    active = set(session.scalars(select(RosterMember.external_id).where(RosterMember.active)))
    assert active == {"001", "003"}


def test_invitations_are_shown_once_and_downloadable(signed_in, session, org):
    campaign = survey_world.campaign_for(session, org.company_a)
    survey_world.add_roster(session, org.branch_a1, 3)
    session.commit()
    client = signed_in("office_a", ("office", org.company_a))
    page = client.post(f"/surveys/{campaign.id}/invitations")
    body = page.get_data(as_text=True)
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    links = re.findall(r"http://localhost/s/([A-Za-z0-9_\-]{22})", body)
    codes = re.findall(r"<code>([0-9A-Z]{5}-[0-9A-Z]{5})</code>", body)
    assert len(set(links)) == 3 and len(set(codes)) == 3
    assert session.scalar(select(func.count(Invitation.id))) == 3
    rows = re.search(r'name="rows" value="([^"]*)"', body).group(1)

    download = client.post(
        f"/surveys/{campaign.id}/issued.csv",
        data={"kind": "invitations", "rows": html.unescape(rows)},
    )
    assert download.status_code == 200 and download.mimetype == "text/csv"
    table = list(csv.reader(io.StringIO(download.get_data(as_text=True).lstrip("\ufeff"))))
    assert len(table) == 4 and {r[3] for r in table[1:]} == set(codes)
    again = client.post(f"/surveys/{campaign.id}/invitations").get_data(as_text=True)
    assert not re.findall(r"http://localhost/s/[A-Za-z0-9_\-]{22}", again)
    assert client.get(f"/surveys/{campaign.id}").status_code == 200
    anonymous = client.application.test_client()
    assert survey_world.answer(anonymous, links[0]).status_code == 302


def test_open_and_close(signed_in, session, org):
    campaign = survey_world.campaign_for(session, org.company_a, state=CampaignState.DRAFT)
    session.commit()
    client = signed_in("office_a", ("office", org.company_a))
    client.post(f"/surveys/{campaign.id}/state", data={"action": "open"})
    session.expire_all()
    assert session.get(Campaign, campaign.id).state == CampaignState.OPEN
    page = client.get(f"/surveys/{campaign.id}").get_data(as_text=True)
    assert 'value="close" data-confirm="确定结束本次测评？' in page  # site.js asks first
    client.post(f"/surveys/{campaign.id}/state", data={"action": "close"})
    refused = client.post(f"/surveys/{campaign.id}/state", data={"action": "open"},
                          follow_redirects=True).get_data(as_text=True)  # fmt: skip
    assert "测评活动已结束，不能重新开放。" in refused  # in the page's language, not English
    session.expire_all()
    assert session.get(Campaign, campaign.id).state == CampaignState.CLOSED


def test_other_companies_and_other_roles_cannot_see_a_campaign(
    signed_in, client, session, org, user_factory
):
    campaign = survey_world.campaign_for(session, org.company_a)
    session.commit()
    office_b = signed_in("office_b", ("office", org.company_b))
    for path in ("", "/results", "/results.json", "/results.csv", "/results.xlsx"):
        assert office_b.get(f"/surveys/{campaign.id}{path}").status_code == 404
    assert office_b.post(f"/surveys/{campaign.id}/invitations").status_code == 404
    assert "满意度测评" not in office_b.get("/surveys").get_data(as_text=True)
    from tests.conftest import sign_in

    user_factory("lead", ("unit_lead", org.company_a))
    client.post("/logout")
    sign_in(client, "lead")
    assert client.get(f"/surveys/{campaign.id}/results").status_code == 403
    group_office = user_factory("office_g", ("office", org.group))
    assert group_office is not None
    client.post("/logout")
    sign_in(client, "office_g")
    downloaded = client.get(f"/surveys/{campaign.id}/results.json")
    assert downloaded.status_code == 200 and downloaded.is_json
    assert downloaded.headers["Content-Disposition"].startswith("attachment; filename=")
    assert json  # used by the other tests of this module


def test_roster_from_xlsx_names_the_bad_row(session, org):
    from openpyxl import Workbook

    from dudao.surveys.roster import import_roster

    book = Workbook()
    sheet = book.active
    sheet.append(["单位编码", "党员编号", "邮箱"])
    sheet.append(["A1-1", 1001, "a@example.com"])
    sheet.append(["A1-2", 1002, "not-an-address"])
    buffer = io.BytesIO()
    book.save(buffer)
    report = import_roster(session, None, buffer.getvalue(), "roster.xlsx")
    assert [(p.row, p.column) for p in report.errors] == [(3, "email")]
    assert session.scalar(select(func.count(RosterMember.id))) == 0
    sheet["C3"] = "b@example.com"
    buffer = io.BytesIO()
    book.save(buffer)
    long_name = "党员花名册（各党支部汇总，含组织关系转入人员）" * 3 + ".xlsx"
    report = import_roster(session, None, buffer.getvalue(), long_name)
    session.flush()  # the audit event's id column holds 64 characters (PostgreSQL enforces it)
    assert report.ok and report.added == 2
    assert set(session.scalars(select(RosterMember.external_id))) == {"1001", "1002"}
    from dudao.audit.models import AuditEvent

    event = session.scalars(select(AuditEvent).where(AuditEvent.action == "survey.roster_imported"))
    [event] = event.all()
    assert (event.entity_type, event.entity_id) == ("survey_roster", long_name[:64])
    assert event.after["file"] == long_name


def test_a_window_ending_at_midnight_is_said_as_the_day_before_at_24_00():
    zone = ZoneInfo("Asia/Shanghai")
    midnight = datetime(2027, 1, 1, tzinfo=zone).astimezone(UTC)
    assert closing_moment(midnight, zone) == (date(2026, 12, 31), "24:00")
    evening = datetime(2026, 12, 31, 18, 30, tzinfo=zone).astimezone(UTC)
    assert closing_moment(evening, zone) == (date(2026, 12, 31), "18:30")


def test_results_files_speak_the_readers_words(session, org, signed_in):
    """The results' CSV and XLSX had snake_case headers, `hidden:small` and a `mean:` column
    for every question, choices included, always empty."""
    from openpyxl import load_workbook

    campaign = survey_world.campaign_for(session, org.company_a)
    survey_world.close(session, campaign)
    survey_world.answered(session, campaign, org.branch_a1, 12)
    survey_world.answered(session, campaign, org.branch_a2, 2)
    office = signed_in("office_a", ("office", org.company_a))
    text = office.get(f"/surveys/{campaign.id}/results.csv").get_data(as_text=True)
    header, *rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert header[:4] == ["单位编码", "单位名称", "下级层次", "是否显示"]
    assert "平均分：支部班子团结协作、带头作用" in header
    assert not [h for h in header if "您的身份" in h]  # a choice has no mean
    status = {row[0]: row[3] for row in rows}
    assert status["A1-2"] == "答卷过少，不单独显示" and status["A"] == "显示"
    book = load_workbook(io.BytesIO(office.get(f"/surveys/{campaign.id}/results.xlsx").data))
    sheet = book["测评结果"]
    assert sheet.freeze_panes == "A2"
    small = next(r for r in sheet.iter_rows(min_row=2, values_only=True) if r[0] == "A1-2")
    assert all(cell is None for cell in small[4:])


def test_only_anonymous_questionnaires_without_photos_are_put_to_members(signed_in, session, org):
    """A named form (党代表意见征集表) made members sign an "anonymous" questionnaire."""
    sync_forms(session, None, PROJECT_ROOT / "forms")
    session.commit()
    client = signed_in("office_a", ("office", org.company_a))
    page = client.get("/surveys/new").text
    assert 'value="member_satisfaction"' in page and 'value="representative_feedback"' not in page
    data = {"title": "意见征集", "definition": "representative_feedback", "scope": "A",
            "levels": ["branch"], "opens_on": "2026-11-01", "closes_on": "2026-12-31",
            "period_label": "2026-Q4"}  # fmt: skip
    assert client.post("/surveys/new", data=data).status_code == 422
    # The service refuses it too, and a version with a photo item stored before the
    # definitions refused those, each beside the questionnaire's field.
    named = current_version(session, "representative_feedback")
    for version, why in ((named, "is named"), (survey_world.photo_version(session), "photos")):
        with pytest.raises(ValidationError) as refused:
            services.create_campaign(
                session, None, title="意见征集", version=version, scope_unit=org.company_a,
                levels=["branch"], opens_at=datetime(2026, 11, 1, tzinfo=UTC),
                closes_at=datetime(2026, 12, 31, tzinfo=UTC), period_label="2026-Q4",
            )  # fmt: skip
        fields, _ = by_field(refused.value.problems, NullTranslations())
        assert list(fields) == ["definition"] and why in fields["definition"][0]
    assert session.scalar(select(func.count(Campaign.id))) == 0
