"""A submission's grade in the reader's language: the score keeps both labels ({zh, en});
the stored `grade` column is the Chinese one, and what a result without both shows."""

from __future__ import annotations

import re

from sqlalchemy import select

from dudao.inspections.submission_models import Submission
from dudao.reports.inspection_data import load_inspection_report
from tests.conftest import sign_in
from tests.report_world import report_world  # noqa: F401


def _score_line(client, inspection_id: int) -> str:
    page = client.get(f"/inspections/{inspection_id}").get_data(as_text=True)
    section = page[page.index('<section id="submission">') :]
    line = re.search(r"<dd>([^<]*%.*?)</dd>", section).group(1)
    return re.sub(r"<[^>]+>", "", line)  # the verdict is a tag: "61.9% · 不合格" in Chinese


def _older_row(session, inspection_id: int) -> None:
    """A result without the labels in both languages, as the column alone would have it."""
    submission = session.scalars(
        select(Submission).where(Submission.inspection_id == inspection_id)
    ).one()
    submission.result = {**submission.result, "grade": None}
    session.commit()


def test_the_review_block_shows_the_grade_in_the_pages_language(app, session, report_world):  # noqa: F811
    client = app.test_client()
    assert sign_in(client, "office").status_code == 302
    inspection_id = report_world.inspection_id
    assert "· 不合格" in _score_line(client, inspection_id)
    client.post("/lang", data={"lang": "en", "next": "/"})
    line = _score_line(client, inspection_id)
    assert "· Fail" in line and "不合格" not in line
    _older_row(session, inspection_id)
    assert "· 不合格" in _score_line(client, inspection_id)


def test_the_inspection_report_prints_its_own_languages_grade(app, session, report_world):  # noqa: F811
    settings = app.extensions["dudao"].settings

    def grade(locale: str) -> str | None:
        inspection_id = report_world.inspection_id
        return load_inspection_report(
            session, inspection_id, settings.data_dir, settings.tz, locale
        ).grade

    assert (grade("zh"), grade("en")) == ("不合格", "Fail")
    _older_row(session, report_world.inspection_id)
    assert (grade("zh"), grade("en")) == ("不合格", "不合格")
