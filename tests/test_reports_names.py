"""A report's download name is in the report's language, like the report itself."""

from __future__ import annotations

from pypdf import PdfReader

from tests.report_world import report_world  # noqa: F401


def test_cli_download_names_follow_the_locale(app, report_world, tmp_path):  # noqa: F811
    from dudao.cli import cli

    runner = app.test_cli_runner()
    number = report_world.inspection_id
    for locale, name, wrote in (
        ("en", f"inspection-report-A1-1-{number}.pdf", "Wrote {out} ({name})."),
        ("zh", f"检查报告-A1-1-{number}.pdf", "已写入 {out}（{name}）。"),  # the command too
    ):
        out = tmp_path / f"{locale}.pdf"
        args = ["report", "inspection", str(number), "--locale", locale, "-o", str(out)]
        result = runner.invoke(cli, args=args)
        assert result.exit_code == 0, result.output
        assert wrote.format(out=out, name=name) in result.output
        assert PdfReader(str(out)).get_num_pages() >= 1
    out = tmp_path / "batch.zip"
    args = ["report", "batch", "--unit", "A", "--quarter", "2026Q4", "--locale", "en", "-o"]
    result = runner.invoke(cli, args=[*args, str(out)])
    assert result.exit_code == 0 and "(inspection-reports-A-2026Q4.zip)" in result.output


def test_an_english_page_asks_for_an_english_name(app, report_world):  # noqa: F811
    from tests.conftest import sign_in

    client = app.test_client()
    sign_in(client, "insp")
    client.post("/lang", data={"lang": "en", "next": "/"})
    page_url = client.post(f"/reports/inspection/{report_world.inspection_id}").headers["Location"]
    page = client.get(page_url).get_data(as_text=True)
    assert f"inspection-report-A1-1-{report_world.inspection_id}.pdf" in page
