"""An assessment by month, half year or year (workflows/assessment.yaml `period`): the
ranking keys its periods so, and the page names them in the reader's language."""

from __future__ import annotations

from datetime import date

import pytest

from dudao.assessment import config as config_module
from dudao.assessment.periods import bounds
from dudao.assessment.queries import ranking
from tests.assessment_world import CONFIG, config_file, inspection
from tests.conftest import sign_in


@pytest.mark.parametrize(
    ("kind", "key", "last_day", "zh", "en"),
    [
        ("month", "2025-02", date(2025, 2, 28), "2025年2月", "2025-02"),
        ("half_year", "2025H1", date(2025, 6, 30), "2025年上半年", "2025 H1"),
        ("year", "2025", date(2025, 12, 31), "2025年", "2025"),
    ],
)
def test_other_period_kinds_rank_and_read_right(
    client, session, org, user_factory, tmp_path, monkeypatch, kind, key, last_day, zh, en
) -> None:
    text = CONFIG.replace("period: quarter", f"period: {kind}")
    monkeypatch.setattr(config_module, "ASSESSMENT_FILE", config_file(tmp_path, text))
    inspection(session, org.branch_a1, "2025-02-10", 80)
    inspection(session, org.branch_a1, "2025-02-20", 91)
    session.commit()
    result = ranking(session, [org.group.path])
    assert result.period == key and [(s.code, s.composite) for s in result.rows] == [("A1-1", 85.5)]
    first, after = bounds(key)
    assert first <= date(2025, 2, 10) and after.toordinal() - 1 == last_day.toordinal()
    user_factory("office", ("office", org.group))
    sign_in(client, "office")
    heading = "<h1>{} · {}</h1>"
    assert heading.format("考评与晋档升级", zh) in client.get("/assessment").get_data(as_text=True)
    client.post("/lang", data={"lang": "en", "next": "/"})
    page = client.get("/assessment").get_data(as_text=True)
    assert heading.format("Assessment and tiers", en) in page
