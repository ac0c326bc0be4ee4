"""The org chart upload page: it imports and reports like the command, lists every bad row
and writes nothing then, stays inside the admin's subtree, and escapes what the file says."""

from __future__ import annotations

import io
import os
import re
import time
import zipfile

import pytest
from sqlalchemy import select

from dudao.audit.models import AuditEvent
from dudao.org import import_kept
from dudao.org.import_files import MAX_UNPACKED_BYTES, UnreadableFile, read_table
from dudao.org.queries import by_code
from dudao.org.services import set_unit_active
from tests.conftest import sign_in
from tests.org_import_world import HEADER, counts, csv_bytes


def upload(client, data: bytes, filename: str = "org.csv", dry_run: bool = False):
    form = {"file": (io.BytesIO(data), filename)}
    if dry_run:
        form["dry_run"] = "y"
    return client.post("/units/import", data=form, content_type="multipart/form-data")


def test_upload_page_imports_and_shows_the_report(client, org, signed_in, session):
    signed_in("root", ("admin", org.group))
    assert client.get("/units/import").status_code == 200
    data = csv_bytes(HEADER, "A3,甲三厂,A,unit", "A3-1,甲三厂支部,A3,branch")
    checked = upload(client, data, dry_run=True)
    assert checked.status_code == 200
    assert "org.csv 无误（已检查 2 行，未写入任何数据）。导入后：新建单位 2 个" in checked.get_data(
        as_text=True
    )
    assert by_code(session, "A3") is None
    response = upload(client, data)
    assert response.status_code == 200
    assert "org.csv：已导入 2 行。新建单位 2 个，更新 0 个" in response.get_data(as_text=True)
    session.expire_all()
    assert by_code(session, "A3-1").parent.code == "A3"
    event = session.scalars(select(AuditEvent).order_by(AuditEvent.seq.desc())).first()
    assert event.actor_name == "root"


def test_upload_page_lists_every_bad_row_and_writes_nothing(client, org, signed_in, session):
    signed_in("root", ("admin", org.group))
    before = counts(session)
    response = upload(client, csv_bytes(HEADER, "N,n,NOPE,unit", ",x,G,unit"), "坏.csv")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "NOPE" in page and '<td class="num">2</td>' in page and '<td class="num">3</td>' in page
    assert "未知的上级单位“NOPE”" in page  # problems are shown translated (zh_CN by default)
    assert "坏.csv：发现 2 个问题，未导入任何数据。" in page
    assert counts(session) == before
    client.post("/lang", data={"lang": "en", "next": "/"})
    page = upload(client, csv_bytes(HEADER, "N,n,NOPE,unit"), "bad.csv").get_data(as_text=True)
    assert "bad.csv: 1 problem; nothing was imported." in page  # not "1 problem(s)"
    page = upload(client, csv_bytes(HEADER, "A4,甲四厂,A,unit")).get_data(as_text=True)
    assert "org.csv: 1 row imported. Units created: 1, updated: 0, moved: 0" in page


def test_upload_is_limited_to_the_admins_subtree(client, org, signed_in, session):
    signed_in("admin_a", ("admin", org.company_a))
    before = counts(session)
    data = csv_bytes(
        HEADER, "A4,甲四厂,A,unit", "B2,乙二厂,B,unit", "A1,甲一厂,B,unit", "R,r,,group"
    )
    response = upload(client, data)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    for row in (3, 4, 5):
        assert f'<td class="num">{row}</td>' in page
    assert '<td class="num">2</td>' not in page
    assert counts(session) == before
    assert upload(client, csv_bytes(HEADER, "A4,甲四厂,A,unit")).status_code == 200


def test_upload_page_needs_manage_units(client, org, signed_in):
    signed_in("lead", ("unit_lead", org.group))
    assert client.get("/units/import").status_code == 403
    assert upload(client, csv_bytes(HEADER, "N,n,G,unit")).status_code == 403


def test_upload_rejects_other_file_types(client, org, signed_in):
    signed_in("root", ("admin", org.group))
    response = upload(client, b"hello", "notes.pdf")
    assert response.status_code == 422


def test_upload_report_escapes_file_content(client, org, signed_in):
    signed_in("root", ("admin", org.group))
    response = upload(client, csv_bytes(HEADER, "N,n,<b>evil</b>,unit"))
    page = response.get_data(as_text=True)
    assert "<b>evil</b>" not in page and "&lt;b&gt;evil&lt;/b&gt;" in page


def zip_bomb(unpacked: int) -> bytes:
    """A workbook-shaped zip of a few hundred KB whose sheet unpacks to `unpacked` bytes."""
    buffer = io.BytesIO()
    row = b"<row><c><v>1</v></c></row>" * 4096
    with (
        zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive,
        archive.open("xl/worksheets/sheet1.xml", "w") as sheet,
    ):
        for _ in range(unpacked // len(row) + 1):
            sheet.write(row)
    return buffer.getvalue()


def test_a_workbook_too_large_unzipped_is_refused_unread(client, org, signed_in, session):
    signed_in("root", ("admin", org.group))
    before = counts(session)
    bomb = zip_bomb(MAX_UNPACKED_BYTES + 1)
    assert len(bomb) < 1_000_000
    started = time.monotonic()
    response = upload(client, bomb, "org.xlsx")
    assert response.status_code == 422
    assert "org.xlsx 解压后超过 64 MB" in response.get_data(as_text=True)
    assert time.monotonic() - started < 5  # refused unread, not parsed for minutes
    assert counts(session) == before
    # The command line's history import sets no limit: the file goes on to be parsed.
    with pytest.raises(UnreadableFile, match="cannot be read as an XLSX workbook"):
        read_table(bomb, "history.xlsx", max_unpacked=None)


def kept_form(page: str) -> dict[str, str]:
    """The hidden fields of the page's 'import this file' form."""
    form = page[page.index('id="import-kept"') : page.index("</form>", page.index("import-kept"))]
    return dict(re.findall(r'name="(\w+)" value="([^"]*)"', form))


def test_a_file_found_correct_is_imported_without_choosing_it_again(
    client, org, signed_in, session, settings
):
    signed_in("root", ("admin", org.group))
    data = csv_bytes(HEADER, "A3,甲三厂,A,unit", "A3-1,甲三厂支部,A3,branch")
    checked = upload(client, data, "新单位.csv", dry_run=True).get_data(as_text=True)
    assert "导入 新单位.csv" in checked and "无需再次选择" in checked
    fields = kept_form(checked)
    assert set(fields) == {"csrf_token", "kept", "filename"} and fields["filename"] == "新单位.csv"
    assert by_code(session, "A3") is None
    kept = settings.data_dir / "org-imports"
    assert [p.read_bytes() for p in kept.glob("*/*")] == [data]

    done = client.post("/units/import/kept", data=fields)
    assert done.status_code == 200
    assert "新单位.csv：已导入 2 行。新建单位 2 个" in done.get_data(as_text=True)
    session.expire_all()
    assert by_code(session, "A3-1").parent.code == "A3"
    assert list(kept.glob("*/*")) == []  # forgotten once imported
    before = counts(session)
    again = client.post("/units/import/kept", data=fields, follow_redirects=True)
    assert "已检查的文件已不再保留" in again.get_data(as_text=True)
    assert counts(session) == before


def test_a_kept_file_is_only_its_uploaders_and_is_checked_again(
    client, org, signed_in, user_factory, session
):
    signed_in("root", ("admin", org.group))
    data = csv_bytes(HEADER, "A3,甲三厂,A,unit")
    fields = kept_form(upload(client, data, dry_run=True).get_data(as_text=True))
    for bad in ("../../secret_key", "x" * 43, ""):
        refused = client.post("/units/import/kept", data=fields | {"kept": bad})
        assert refused.status_code == 302
        assert refused.headers["Location"].endswith("/units/import")
    user_factory("other", ("admin", org.group))
    other = client.application.test_client()
    sign_in(other, "other")
    assert other.post("/units/import/kept", data=fields).status_code == 302
    assert by_code(session, "A3") is None

    set_unit_active(session, None, org.company_a, False, with_subtree=True)  # meanwhile
    session.commit()
    before = counts(session)
    changed = client.post("/units/import/kept", data=fields)
    assert changed.status_code == 422
    page = changed.get_data(as_text=True)
    assert "org.csv：发现 1 个问题，未导入任何数据。" in page and "A 甲公司" in page
    assert counts(session) == before


def test_kept_files_are_forgotten_after_a_day(tmp_path):
    old = import_kept.keep(tmp_path, 1, b"old")
    path = tmp_path / import_kept.FOLDER / "1" / old
    stale = time.time() - import_kept.KEPT_FOR.total_seconds() - 60
    os.utime(path, (stale, stale))
    new = import_kept.keep(tmp_path, 2, b"new")
    assert import_kept.kept(tmp_path, 1, old) is None
    assert import_kept.kept(tmp_path, 2, new) == b"new"
    assert import_kept.kept(tmp_path, 1, new) is None  # not the other user's
