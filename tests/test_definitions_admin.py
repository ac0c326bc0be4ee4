"""Admin pages for definitions: list, versions, items, diff, upload, preview, permissions."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from dudao.definitions import queries
from dudao.definitions.models import DefinitionVersion
from dudao.definitions.uploading import upload_version
from tests.definition_world import PLAIN_CHECK as CHECK
from tests.definition_world import SURVEY


def _versions(session) -> int:
    return session.scalar(select(func.count()).select_from(DefinitionVersion))


@pytest.fixture
def fire(session):
    """Two versions of one checklist; returns (definition, v1, v2)."""
    first = upload_version(session, None, CHECK, "fire.yaml")
    second = upload_version(
        session, None, CHECK.replace("灭火器在有效期内", "灭火器压力正常"), "fire.yaml"
    )
    session.commit()
    return first.definition, first.version, second.version


def test_admin_lists_definitions_and_versions(signed_in, org, fire):
    definition, first, second = fire
    client = signed_in("ada", ("admin", org.group))
    page = client.get("/admin/definitions/")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "消防检查" in html and "fire_check" in html and "v2" in html
    assert "<td>检查表</td>" in html  # its kind in words (web.labels)
    page = client.get(f"/admin/definitions/{definition.id}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "<td>上传 <code>fire.yaml</code>" in html  # where each version came from
    assert f"/admin/definitions/versions/{first.id}" in html
    assert first.content_hash[:12] in html and second.content_hash[:12] in html


def test_version_page_shows_items_and_source(signed_in, org, fire):
    _definition, first, _second = fire
    client = signed_in("ada", ("admin", org.group))
    html = client.get(f"/admin/definitions/versions/{first.id}").get_data(as_text=True)
    assert "灭火器在有效期内" in html and "安全出口数量" in html
    assert "<dt>类型</dt><dd>检查表</dd>" in html
    source = client.get(f"/admin/definitions/versions/{first.id}/source")
    assert source.status_code == 200 and source.mimetype == "text/plain"
    assert "key: fire_check" in source.get_data(as_text=True)
    assert client.get("/admin/definitions/versions/999999").status_code == 404


def test_diff_page_shows_changed_item_and_text(signed_in, org, fire):
    definition, _first, _second = fire
    client = signed_in("ada", ("admin", org.group))
    page = client.get(f"/admin/definitions/{definition.id}/diff?from=1&to=2")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "extinguishers" in html and "灭火器在有效期内" in html and "灭火器压力正常" in html
    assert "+      zh: 灭火器压力正常" in html
    assert client.get(f"/admin/definitions/{definition.id}/diff?from=1&to=9").status_code == 404


def test_diff_page_names_fields_in_words(signed_in, org, fire, session):
    definition, _first, _second = fire
    reweighed = CHECK.replace("灭火器在有效期内", "灭火器压力正常").replace(
        "        required: true\n", "        required: true\n        weight: 3\n"
    )
    upload_version(session, None, reweighed, "fire.yaml")
    session.commit()
    client = signed_in("ada", ("admin", org.group))
    html = client.get(f"/admin/definitions/{definition.id}/diff?from=1&to=3").get_data(as_text=True)
    assert '<span title="label">题目</span>' in html and '<span title="weight">权重</span>' in html
    assert "<code>label</code>" not in html and "<code>weight</code>" not in html


def test_preview_saves_nothing(signed_in, org, fire, session):
    _definition, first, _second = fire
    client = signed_in("ada", ("admin", org.group))
    before = _versions(session)
    page = client.get(f"/admin/definitions/versions/{first.id}/preview")
    assert page.status_code == 200
    assert "灭火器在有效期内" in page.get_data(as_text=True)
    assert "<title>预览：消防检查 v1 · " in page.get_data(as_text=True)
    url = f"/admin/definitions/versions/{first.id}/preview"
    assert client.post(url, data={"a_exits": "3"}).status_code == 422  # required item missing
    posted = client.post(url, data={"a_extinguishers": "yes", "a_exits": "3"})
    assert posted.status_code == 200, posted.get_data(as_text=True)
    assert 'id="dscore"' in posted.get_data(as_text=True)
    assert _versions(session) == before


def test_upload_a_file_creates_a_version(signed_in, org, fire, session):
    definition, _first, _second = fire
    client = signed_in("ada", ("admin", org.group))
    form = client.get("/admin/definitions/upload").get_data(as_text=True)
    assert '<button class="primary">校验并保存</button>' in form  # the page's one action
    text = CHECK.replace("max: 20", "max: 40")
    response = client.post(
        "/admin/definitions/upload",
        data={"file": (io.BytesIO(text.encode()), "fire.yaml")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    session.expire_all()
    current = queries.current_version(session, "fire_check")
    assert current.number == 3 and current.origin == "upload"
    assert response.headers["Location"].endswith(f"/admin/definitions/versions/{current.id}")
    assert current.created_by is not None
    assert definition.id == current.definition_id


def test_upload_with_mistakes_lists_them_and_saves_nothing(signed_in, org, fire, session):
    client = signed_in("ada", ("admin", org.group))
    before = _versions(session)
    bad = CHECK.replace("type: number", "type: numbr").replace("max: 20", "max: lots")
    response = client.post("/admin/definitions/upload", data={"text": bad, "filename": "x.yaml"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "numbr" in html and "sections[0].items[1].type" in html
    assert "<td>14</td>" in html  # the line of the bad type
    client.post("/lang", data={"lang": "en"})
    one = CHECK.replace("type: number", "type: numbr")
    response = client.post("/admin/definitions/upload", data={"text": one, "filename": "x.yaml"})
    assert "1 problem; nothing was saved" in response.get_data(as_text=True)
    assert _versions(session) == before
    empty = client.post("/admin/definitions/upload", data={"text": ""})
    assert empty.status_code == 422
    assert 'class="field-error" id="file-error"' in empty.get_data(as_text=True)


def test_a_refused_file_comes_back_in_the_textarea_under_its_name(signed_in, org, fire, session):
    client = signed_in("ada", ("admin", org.group))
    before = _versions(session)
    bad = CHECK.replace("type: number", "type: numbr")
    response = client.post(
        "/admin/definitions/upload",
        data={"file": (io.BytesIO(bad.encode()), "my fire.yaml")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "<h2>my fire.yaml：发现 1 个问题，未保存任何内容</h2>" in html  # the file is named
    assert "以下是 my fire.yaml 的内容" in html
    assert "        type: numbr\n" in html.split('name="text"')[1].split("</textarea>")[0]
    assert 'name="filename" type="text" value="my_fire.yaml"' in html
    assert _versions(session) == before
    fixed = client.post(
        "/admin/definitions/upload",
        data={"text": bad.replace("numbr", "number").replace("max: 20", "max: 30"),
              "filename": "my_fire.yaml"},
    )  # fmt: skip
    assert fixed.status_code == 302
    assert queries.current_version(session, "fire_check").source_file == "my_fire.yaml"


def test_pasted_text_keeps_its_line_numbers(signed_in, org, fire):
    client = signed_in("ada", ("admin", org.group))
    bad = "\n\n" + CHECK.replace("type: number", "type: numbr")
    html = client.post("/admin/definitions/upload", data={"text": bad}).get_data(as_text=True)
    assert "<td>16</td>" in html  # line 14 of the text, after the two blank lines


def test_a_kind_change_is_refused_in_words(signed_in, org, fire, session):
    client = signed_in("ada", ("admin", org.group))
    survey = SURVEY.replace("key: canteen", "key: fire_check")
    response = client.post("/admin/definitions/upload", data={"text": survey})
    assert response.status_code == 422
    said = "fire_check” 在数据库中是检查表，新版本不能将其改为问卷（请使用新的标识）"
    assert said in response.get_data(as_text=True)
    client.post("/lang", data={"lang": "en"})
    response = client.post("/admin/definitions/upload", data={"text": survey})
    assert "is a checklist in the database; a new version cannot make it a questionnaire" in (
        response.get_data(as_text=True)
    )


def test_paste_same_content_reuses_the_version(signed_in, org, fire, session):
    _definition, _first, second = fire
    client = signed_in("ada", ("admin", org.group))
    current = CHECK.replace("灭火器在有效期内", "灭火器压力正常")
    response = client.post("/admin/definitions/upload", data={"text": current})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/versions/{second.id}")
    assert _versions(session) == 2
    # An earlier version's content asks first: tests/test_definitions_retire.py


def test_office_may_view_but_not_upload(signed_in, org, fire):
    definition, first, _second = fire
    client = signed_in("olga", ("office", org.company_a))
    assert client.get("/admin/definitions/").status_code == 200
    assert client.get(f"/admin/definitions/{definition.id}").status_code == 200
    assert client.get(f"/admin/definitions/versions/{first.id}/preview").status_code == 200
    assert client.get("/admin/definitions/upload").status_code == 403
    assert client.post("/admin/definitions/upload", data={"text": CHECK}).status_code == 403
    assert "/admin/definitions/upload" not in client.get("/admin/definitions/").get_data(
        as_text=True
    )


@pytest.mark.parametrize("role", ["inspector", "unit_lead", "representative"])
def test_other_roles_see_nothing(signed_in, org, fire, role):
    definition, first, _second = fire
    client = signed_in("ivan", (role, org.branch_a1))
    for url in (
        "/admin/definitions/",
        f"/admin/definitions/{definition.id}",
        f"/admin/definitions/versions/{first.id}",
        f"/admin/definitions/{definition.id}/diff",
    ):
        assert client.get(url).status_code == 403, url
    assert "/admin/definitions/" not in client.get("/").get_data(as_text=True)


def test_signed_out_is_sent_to_login(client, fire):
    response = client.get("/admin/definitions/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_nav_and_home_link_for_admin(signed_in, org):
    client = signed_in("ada", ("admin", org.group))
    assert 'href="/admin/definitions/"' in client.get("/").get_data(as_text=True)


def test_a_long_show_if_wraps_in_its_cell(signed_in, org, session):
    condition = ", ".join(f"{{item: exits, gte: {n}}}" for n in range(8))
    text = (
        CHECK
        + f"""\
      - key: why
        type: text
        label: 原因
        show_if: {{any: [{condition}]}}
"""
    )
    version = upload_version(session, None, text, "fire.yaml").version
    session.commit()
    client = signed_in("ada", ("admin", org.group))
    html = client.get(f"/admin/definitions/versions/{version.id}").get_data(as_text=True)
    shown = "满足其一：“安全出口数量”不小于 0；“安全出口数量”不小于 1；"
    assert f'<td class="wrap-short">{shown}' in html
