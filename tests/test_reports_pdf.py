"""Inspection report PDFs: Chinese text in an embedded font, hostile text printed literally,
page numbers, thumbnails only from server-side photos, pages that rasterise."""

from __future__ import annotations

import io
import shutil
import subprocess

import pytest
from pypdf import PdfReader

from dudao.core.errors import ConfigError
from dudao.reports.fonts import register_font
from dudao.reports.inspection_data import load_inspection_report
from dudao.reports.inspection_pdf import render_inspection_pdf
from tests.report_world import HOSTILE, report_world  # noqa: F401


def _pdf(app, session, inspection_id: int, **options) -> bytes:
    settings = app.extensions["dudao"].settings
    report = load_inspection_report(session, inspection_id, settings.data_dir, settings.tz)
    return render_inspection_pdf(report, tz=settings.tz, **options)


def _text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def test_chinese_text_comes_back_and_the_font_is_embedded(app, session, report_world):  # noqa: F811
    pdf = _pdf(app, session, report_world.inspection_id)
    text = _text(pdf)
    expected_strings = ("创先争优活动专项抽查表", "甲一厂第一党支部", "检查结论", "不合格",
                        "关键项", "没有实施方案", "发现问题及整改情况", "待整改",
                        "检查人员（签字）",
                        # the header: version, inspectors, dates, workflow state; then scores
                        "（第 1 版）", "检查人员", "截止日期", "提交时间", "流程状态", "已提交",
                        "总得分率", "等级", "分项得分", "合格")  # fmt: skip
    for expected in expected_strings:
        assert expected in text, expected
    reader = PdfReader(io.BytesIO(pdf))
    fonts = set()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descriptor = font.get("/FontDescriptor")
            embedded = descriptor is not None and "/FontFile2" in descriptor.get_object()
            fonts.add((str(font["/BaseFont"]), embedded))
    assert fonts and all(embedded for _name, embedded in fonts), fonts


def test_page_numbers_say_page_n_of_m(app, session, report_world):  # noqa: F811
    pdf = _pdf(app, session, report_world.inspection_id)
    pages = PdfReader(io.BytesIO(pdf)).pages
    assert len(pages) >= 2
    for number, page in enumerate(pages, start=1):
        assert f"第 {number} 页 / 共 {len(pages)} 页" in page.extract_text()


def test_user_text_is_printed_literally_and_embeds_nothing(app, session, report_world):  # noqa: F811
    pdf = _pdf(app, session, report_world.inspection_id)
    flat = _text(pdf).replace("\n", "")
    for hostile in HOSTILE:
        assert hostile.replace("\n", "") in flat, hostile
    images = sum(len(page.images) for page in PdfReader(io.BytesIO(pdf)).pages)
    assert images == 4  # the 3 site photos and the pledge photo, nothing from /etc/passwd
    assert b"/Annots" not in pdf and b"/URI" not in pdf  # no link was made from <a href>


def test_english_report_and_an_unsubmitted_inspection(app, session, report_world):  # noqa: F811
    text = _text(_pdf(app, session, report_world.inspection_id, locale="en"))
    assert "Inspection report" in text and "Findings and rectification" in text
    # English punctuation and page numbers (it printed "（A1-1）", "Note：", "第 1 页 / 共 2 页")
    assert "(A1-1)" in text and "(version 1)" in text and "Note: " in text
    assert "Date: ____" in text and "Page 1 of 2" in text and "Page 2 of 2" in text
    assert "（A1-1）" not in text and "：" not in text and " 页" not in text
    empty = _text(_pdf(app, session, report_world.inspection_b_id))
    assert "尚未提交检查结果" in empty and "第 1 页 / 共 1 页" in empty


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="pdftoppm (poppler-utils) absent")
def test_pages_rasterise(app, session, report_world, tmp_path):  # noqa: F811
    pdf_path = tmp_path / "report.pdf"
    pdf_path.write_bytes(_pdf(app, session, report_world.inspection_id))
    result = subprocess.run(
        ["pdftoppm", "-r", "40", "-png", str(pdf_path), str(tmp_path / "page")],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "error" not in result.stderr.lower()
    pngs = sorted(tmp_path.glob("page-*.png"))
    assert len(pngs) == len(PdfReader(str(pdf_path)).pages)
    assert all(p.stat().st_size > 2000 for p in pngs)


def test_a_configured_font_that_cannot_work_is_one_clear_error(tmp_path):
    with pytest.raises(ConfigError, match="does not exist"):
        register_font(str(tmp_path / "missing.ttf"))
    bad = tmp_path / "bad.ttf"
    bad.write_bytes(b"OTTO" + b"\0" * 64)
    with pytest.raises(ConfigError, match="TrueType"):
        register_font(str(bad))
    with pytest.raises(ConfigError, match="number"):
        register_font(f"{bad}#x")


def test_worker_preload_reads_the_font_and_survives_a_bad_one(settings, tmp_path, caplog):
    import dataclasses

    from dudao.reports import fonts
    from dudao.reports.jobs import preload

    preload(settings)
    assert str(fonts.bundled_font()) in fonts._registered
    preload(dataclasses.replace(settings, pdf_font=str(tmp_path / "gone.ttf")))
    assert "PDF reports will fail" in caplog.text and "gone.ttf" in caplog.text


def test_an_administrator_points_to_another_font(app, session, report_world):  # noqa: F811
    """DUDAO_PDF_FONT (here the collection's second face) is the font embedded, as a subset."""
    from dudao.config import load_settings
    from dudao.reports import fonts

    configured = f"{fonts.bundled_font().path}#1"
    assert load_settings({"DUDAO_PDF_FONT": configured}).pdf_font == configured
    pdf = _pdf(app, session, report_world.inspection_id, font=configured)
    assert "检查结论" in _text(pdf)
    names = {
        str(font.get_object()["/BaseFont"])
        for page in PdfReader(io.BytesIO(pdf)).pages
        for font in page["/Resources"]["/Font"].values()
    }
    assert names and all("+WenQuanYiMicroHeiMono-" in n for n in names), names


def test_a_score_is_rounded_once_from_its_points(app, session, report_world):  # noqa: F811
    """7 of 13 is 53.846 %: stored rounded to 53.85, rounding that again printed 53.9 %."""
    from sqlalchemy import select

    from dudao.inspections.submission_models import Submission

    submission = session.scalars(
        select(Submission).where(Submission.inspection_id == report_world.inspection_id)
    ).one()
    result = dict(submission.result)
    first, *rest = result["sections"]
    result["sections"] = [{**first, "earned": 7, "possible": 13, "percent": 53.85}, *rest]
    result.update(earned=7, possible=13, percent=53.85)
    submission.result, submission.percent = result, 53.85
    session.commit()
    report = load_inspection_report(
        session, report_world.inspection_id, app.extensions["dudao"].settings.data_dir,
        app.extensions["dudao"].settings.tz,
    )  # fmt: skip
    assert round(report.percent, 3) == 53.846 and round(report.sections[0].percent, 3) == 53.846
    text = _text(_pdf(app, session, report_world.inspection_id))
    assert "53.8%" in text and "53.9%" not in text
