"""Report pages: ask, watch the progress (JSON for the polling script), download; scope."""

from __future__ import annotations

import io

from pypdf import PdfReader

from tests.report_world import as_user, drain, report_world  # noqa: F401


def test_assignee_asks_watches_and_downloads(app, report_world):  # noqa: F811
    tablet = as_user(app, "insp")
    response = tablet.post(f"/reports/inspection/{report_world.inspection_id}")
    assert response.status_code == 302
    page_url = response.headers["Location"]
    page = tablet.get(page_url)
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "reports/progress.js" in html and "<progress" in html
    assert "<script>" not in html  # no inline script (CSP)
    status = tablet.get(f"{page_url}/status").get_json()
    assert status["state"] == "queued" and status["download"] is None
    drain(app)
    status = tablet.get(f"{page_url}/status").get_json()
    assert status["state"] == "done" and status["percent"] == 100
    assert status["done"] == status["total"] > 0
    pdf = tablet.get(status["download"])
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert "attachment" in pdf.headers["Content-Disposition"]
    text = PdfReader(io.BytesIO(pdf.data)).pages[0].extract_text()
    assert "甲一厂第一党支部" in text
    # The same report asked for again: the same request, already done.
    again = tablet.post(f"/reports/inspection/{report_world.inspection_id}")
    assert again.headers["Location"] == page_url


def test_outside_the_scope_everything_is_404(app, report_world):  # noqa: F811
    tablet = as_user(app, "insp")
    page_url = tablet.post(f"/reports/inspection/{report_world.inspection_id}").headers["Location"]
    drain(app)
    outsider = as_user(app, "outsider")  # inspector in company B
    for url in (page_url, f"{page_url}/status", f"{page_url}/download"):
        assert outsider.get(url).status_code == 404, url
    assert outsider.post(f"/reports/inspection/{report_world.inspection_id}").status_code == 404
    # The unit lead above the inspected branch may read it.
    lead = as_user(app, "lead")
    assert lead.get(f"{page_url}/download").status_code == 200


def test_an_inspector_not_assigned_gets_the_report_without_its_photos(app, report_world):  # noqa: F811
    """The inspection's page shows its photos to its inspectors, the office and the unit's
    leads only; another inspector of the unit asks for, and gets, a report without them (the
    count and who sees them instead), and cannot download the one with them."""
    inspection_id = report_world.inspection_id
    assignee, other = as_user(app, "insp"), as_user(app, "other")
    with_photos = assignee.post(f"/reports/inspection/{inspection_id}").headers["Location"]
    without = other.post(f"/reports/inspection/{inspection_id}").headers["Location"]
    assert without != with_photos
    drain(app)
    for url in (with_photos, f"{with_photos}/status", f"{with_photos}/download"):
        assert other.get(url).status_code == 404, url

    def images_and_text(client, page_url: str) -> tuple[int, str]:
        reader = PdfReader(io.BytesIO(client.get(f"{page_url}/download").data))
        return sum(len(p.images) for p in reader.pages), "".join(
            p.extract_text() for p in reader.pages
        )

    shown, _text = images_and_text(assignee, with_photos)
    hidden, text = images_and_text(other, without)
    assert shown == 4 and hidden == 0
    assert "现场照片 3 张，仅本次检查的检查人员" in text.replace("\n", "")
    assert "现场照片 1 张" in text.replace("\n", "")
    # The office (as the unit's lead) gets the report with the photos.
    assert (
        as_user(app, "office").post(f"/reports/inspection/{inspection_id}").headers["Location"]
        == with_photos
    )


def test_office_summary_and_batch_in_scope_only(app, user_factory, report_world):  # noqa: F811
    office = as_user(app, "office")
    assert office.get("/reports").status_code == 200
    response = office.post("/reports/summary", data={"unit": "G", "quarter": "2026Q4"})
    assert response.status_code == 302
    page_url = response.headers["Location"]
    drain(app)
    status = office.get(f"{page_url}/status").get_json()
    assert status["state"] == "done", status
    download = office.get(status["download"])
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(download.data)).pages)
    named = download.headers["Content-Disposition"]  # the Chinese name, and a fallback
    assert "filename*=UTF-8''%E7%9D%A3%E5%AF%BC" in named, named  # 督导…
    assert 'filename="G-2026Q4' in named or ('filename="' in named and '="-' not in named), named
    assert "示例集团 督导工作小结" in text and "问题较多的检查项" in text
    assert "现场情况与汇报材料一致" in text  # a failed item among the top ten
    user_factory("office_b", ("office", report_world.world.org.company_b))
    office_b = as_user(app, "office_b")
    assert office_b.get(page_url).status_code == 404  # the group's summary is above B
    assert (
        office_b.post("/reports/batch", data={"unit": "A", "quarter": "2026Q4"}).status_code == 404
    )
    bad = office.post("/reports/batch", data={"unit": "A", "quarter": "2026-4"})
    assert bad.status_code == 422 and "2026-4" in bad.text
    inspector = as_user(app, "insp")
    assert inspector.get("/reports").status_code == 403
    assert inspector.get(page_url).status_code == 404


def test_summary_page_svg_chart_is_escaped(app, session, report_world):  # noqa: F811
    from dudao.reports.charts import failure_chart, to_svg
    from dudao.reports.fonts import register_font

    svg = to_svg(failure_chart([("<script>alert(1)</script>", 3)], register_font(), "t"))
    assert svg.startswith("<svg") and "<script>" not in svg and "&lt;script&gt;" in svg


def test_cli_makes_reports_with_progress(app, report_world, tmp_path):  # noqa: F811
    from dudao.cli import cli

    runner = app.test_cli_runner()
    out = tmp_path / "r.pdf"
    result = runner.invoke(cli, args=["report", "inspection", str(report_world.inspection_id),
                                 "-o", str(out)])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert PdfReader(str(out)).get_num_pages() >= 2
    assert "] " in result.output and f"已写入 {out}（检查报告-A1-1-" in result.output
    zipped = tmp_path / "a.zip"
    result = runner.invoke(cli, args=["report", "batch", "--unit", "A", "--quarter", "2026Q4",
                                 "-o", str(zipped)])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "1/1" in result.output and zipped.stat().st_size > 1000
    result = runner.invoke(cli, args=["report", "batch", "--unit", "NOPE", "--quarter", "2026Q4",
                                 "-o", str(zipped)])  # fmt: skip
    assert result.exit_code != 0 and "NOPE" in result.output


def test_summary_page_shows_figures_and_csp_safe_charts(app, user_factory, report_world):  # noqa: F811
    office = as_user(app, "office")
    assert office.get("/reports/summary").status_code == 200  # the empty form
    page = office.get("/reports/summary?unit=G&quarter=2026Q4")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and html.count("<svg") == 4  # grades, months, items, score trend
    assert "甲一厂第一党支部" in html and "61.9%" in html
    svgs = html[html.index("<svg") : html.rindex("</svg>")]
    assert " style=" not in svgs  # the CSP allows no inline styles
    assert office.get("/reports/summary?unit=G&quarter=Q9").status_code == 200
    user_factory("office_b", ("office", report_world.world.org.company_b))
    assert as_user(app, "office_b").get("/reports/summary?unit=G&quarter=2026Q4").status_code == 404
