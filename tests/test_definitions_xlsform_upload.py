"""An XLSForm workbook uploaded on the admin's definitions page: translated and stored
as a version, or refused row by row with nothing stored."""

from __future__ import annotations

import io

from sqlalchemy import func, select

from dudao.definitions import queries
from dudao.definitions.models import DefinitionVersion
from tests.definition_world import workbook

SURVEY = [
    ["type", "name", "label::Chinese", "label::English", "relevant"],
    ["select_one yn", "meets", "是否按时召开支部大会", "Meetings on time", None],
    ["integer", "count", "召开次数", "How many", "${meets} = 'yes'"],
    ["text", "why", "未召开的原因", "Why not", "not(selected(${meets}, 'yes'))"],
]
CHOICES = [["list_name", "name", "label::Chinese", "label::English"],
           ["yn", "yes", "是", "Yes"], ["yn", "no", "否", "No"]]  # fmt: skip


def _post(client, path, **data):
    body = {"file": (io.BytesIO(path.read_bytes()), path.name), **data}
    return client.post("/admin/definitions/upload", data=body, content_type="multipart/form-data")


def _versions(session) -> int:
    return session.scalar(select(func.count()).select_from(DefinitionVersion))


def test_a_workbook_becomes_a_version_of_the_kind_chosen(signed_in, org, session, tmp_path):
    client = signed_in("ada", ("admin", org.group))
    page = client.get("/admin/definitions/upload").get_data(as_text=True)
    assert 'accept=".yaml,.yml,.json,.xlsx"' in page and 'name="kind"' in page
    # A name with no letters a–z gives no key: two such workbooks would be one definition.
    nameless = _post(client, workbook(tmp_path / "支部会议.xlsx", SURVEY, CHOICES))
    assert nameless.status_code == 422
    assert "请在 settings 表中填写 form_id" in nameless.get_data(as_text=True)
    settings = [["form_id", "form_title"], ["branch_meeting", "支部会议"]]
    response = _post(client, workbook(tmp_path / "支部会议.xlsx", SURVEY, CHOICES, settings))
    assert response.status_code == 302, response.get_data(as_text=True)
    version = queries.current_version(session, "branch_meeting")
    assert version is not None and version.origin == "upload"
    assert response.headers["Location"].endswith(f"/admin/definitions/versions/{version.id}")
    definition = queries.pinned(session, version.id)
    assert definition.kind == "questionnaire"
    assert [item.key for item in definition.items] == ["meets", "count", "why"]
    assert definition.item("why").show_if.op == "not_equals"
    assert version.source_file == "支部会议.xlsx"  # the admin's file, not a YAML named after it

    scored = [*SURVEY, ["range", "tidy", "整洁程度", "Tidiness", None]]  # a range scores
    response = _post(client, workbook(tmp_path / "spot.xlsx", scored, CHOICES), kind="checklist")
    assert response.status_code == 302, response.get_data(as_text=True)
    assert queries.pinned(session, queries.current_version(session, "spot").id).kind == "checklist"


def test_a_checklist_workbook_that_scores_nothing_is_refused(signed_in, org, session, tmp_path):
    client = signed_in("ada", ("admin", org.group))
    before = _versions(session)
    path = workbook(tmp_path / "good_xls.xlsx", SURVEY, CHOICES)
    response = _post(client, path, kind="checklist")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "检查表至少需要一道计分题，而 XLSForm 的题目中只有 range 题有合格规则" in page
    # What a reader on the web can do: no command to run, no repository file to read.
    assert "请在工作簿中添加一道 range 题，或将其作为问卷上传" in page
    assert "dudao" not in page.split('id="main"')[1] and "docs/" not in page
    assert "选择、数字、文本、日期、照片、说明和 range 题" in page
    client.post("/lang", data={"lang": "en"})
    english = _post(client, path, kind="checklist").get_data(as_text=True)
    assert "Add a range question to the workbook, or upload it as a questionnaire" in english
    client.post("/lang", data={"lang": "zh_CN"})
    assert _versions(session) == before
    assert _post(client, path).status_code == 302  # as a questionnaire it is fine


def test_a_workbook_that_does_not_translate_is_refused_row_by_row(
    signed_in, org, session, tmp_path
):
    client = signed_in("ada", ("admin", org.group))
    before = _versions(session)
    bad = [*SURVEY, ["geopoint", "where", "地点", "Where", None],
           ["text", "odd", "其他", "Other", "${meets} = 'maybe'"]]  # fmt: skip
    response = _post(client, workbook(tmp_path / "bad.xlsx", bad, CHOICES))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "<h2>bad.xlsx 无法导入：有 1 个问题。</h2>\n  <p>未保存任何内容。</p>" in page
    assert "请修改工作簿后重新选择文件上传" in page  # a workbook cannot come back in the textarea
    assert "survey 第 5 行：无法导入类型 “geopoint”" in page
    del bad[4]  # what is left translates, but names an option the list does not have
    response = _post(client, workbook(tmp_path / "bad.xlsx", bad, CHOICES))
    assert "survey 第 5 行：relevant: 未知的选项 “maybe”" in response.get_data(as_text=True)
    fake = tmp_path / "fake.xlsx"
    fake.write_text("not a workbook")
    response = _post(client, fake)
    assert response.status_code == 422
    assert "fake.xlsx 不是可读取的 XLSX 工作簿" in response.get_data(as_text=True)
    assert _versions(session) == before
