"""The period summary in English: the page, the PDF and its download name follow the
reader's language (the CLI's --locale), with unit names, item labels, grades and states in
English where they have it; Chinese stays the default, word for word."""

from __future__ import annotations

import io
import re
from datetime import datetime, timedelta

from pypdf import PdfReader
from sqlalchemy import select

from dudao.definitions.queries import pinned
from dudao.inspections.submission_models import Rectification
from dudao.reports.services import parse_quarter
from dudao.reports.summary import load_summary
from dudao.reports.summary_pdf import render_summary_pdf
from dudao.workflow.registry import get_workflow
from tests.conftest import sign_in
from tests.draw_world import published_draw
from tests.flag_world import make_flag
from tests.report_world import report_world  # noqa: F401

CJK = re.compile(r"[\u4e00-\u9fff]")


def _world(app, session, report_world):  # noqa: F811
    """Company A with an overdue task of a branch that has an English name, a published
    draw and an open high flag."""
    world = report_world.world
    world.org.branch_a1.name_en = "First Branch of A1"
    world.inspection.draw_id = published_draw(session, world.org.company_a,
                                              world.org.branch_a1).id  # fmt: skip
    task = session.scalars(select(Rectification)).one()
    task.deadline = datetime.now(app.extensions["dudao"].settings.tz).date() - timedelta(days=1)
    make_flag(session, world.org.branch_a1, severity="high", tag="en")
    session.commit()
    return world, task


def _text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def test_an_english_summary_has_english_words_and_names(app, session, report_world):  # noqa: F811
    world, task = _world(app, session, report_world)
    tz = app.extensions["dudao"].settings.tz
    zh, en = (load_summary(session, world.org.company_a, parse_quarter("2026Q4"), tz, locale)
              for locale in ("zh", "en"))  # fmt: skip
    state = get_workflow("rectification").state(task.state).label
    assert zh.overdue[0][0] == "甲一厂第一党支部" and zh.overdue[0][3] == state.zh
    assert en.overdue[0][0] == "First Branch of A1" and en.overdue[0][3] == state.en
    bands = {
        b.label.zh: b.label.en
        for b in pinned(session, world.inspection.definition_version_id).grades
    }
    assert en.grades == [(bands[label], n) for label, n in zh.grades] and en.grades
    (flags,) = [s for s in en.sections if s.title == "Open trend flags"]
    assert flags.headers == ["Severity", "Open flags", "Of which new"]
    assert flags.rows == [["High", 1, 1], ["Medium", 0, 0], ["Low", 0, 0]]
    text = _text(render_summary_pdf(en))
    flat = " ".join(text.split())  # cells wrap: compare the words, not the lines
    for expected in ("period summary", "1. Key figures", "Overdue (rectification tasks)",
                     "4. Rectifications that missed their deadline", "First Branch of A1",
                     "5. Random spot checks", "public", "Open trend flags", "Page 1 of",
                     "Strive-for-excellence campaign spot check"):  # fmt: skip
        assert expected in flat, expected
    # Chinese only in the data: the task's description, names without an English one.
    data = ("制定并公布实施方案", "未闭合", "标签", world.org.company_a.name)
    assert not CJK.search(re.sub("|".join(map(re.escape, data)), "", text))
    chinese = _text(render_summary_pdf(zh))
    for expected in ("督导工作小结", "一、主要数据", "四、未按期完成的整改", "已公开", "第 1 页"):
        assert expected in chinese, expected


def test_the_reader_s_language_reaches_the_page_the_pdf_and_its_name(app, session, report_world):  # noqa: F811
    _world(app, session, report_world)
    client = app.test_client()
    sign_in(client, "office")
    client.post("/lang", data={"lang": "en", "next": "/"})
    page = client.get("/reports/summary?unit=A&quarter=2026Q4").get_data(as_text=True)
    assert "Open trend flags" in page and "<td>High</td>" in page and "未关闭" not in page
    started = client.post("/reports/summary", data={"unit": "A", "quarter": "2026Q4"})
    shown = client.get(started.headers["Location"]).get_data(as_text=True)
    assert "period-summary-A-2026Q4.pdf" in shown
    runner = app.test_cli_runner()
    from dudao.cli import cli

    for locale, named in (("en", "(period-summary-A-2026Q4.pdf)."),
                          ("zh", "（督导小结-A-2026Q4.pdf）。")):  # fmt: skip
        out = f"{app.instance_path}/{locale}.pdf"
        args = ["report", "summary", "--unit", "A", "--quarter", "2026Q4", "--locale", locale]
        result = runner.invoke(cli, args=[*args, "-o", out])
        assert result.exit_code == 0 and named in result.output, result.output
        with open(out, "rb") as pdf:
            assert ("Key figures" in _text(pdf.read())) == (locale == "en")
