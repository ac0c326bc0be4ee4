"""workflows/assessment.yaml and the publication sections: located errors, all at once."""

from __future__ import annotations

import html
import os

import pytest

from dudao.assessment.config import (
    ASSESSMENT_FILE,
    AssessmentConfigError,
    assessment_config,
    load_file,
    load_text,
)
from dudao.core.errors import ConfigError
from dudao.core.language import translations
from dudao.scheduling.publication import (
    DEFAULT,
    PUBLICATION_FILE,
    Publication,
    load_publication,
    publication_config,
)

GOOD = """\
period: quarter
levels: [branch]
min_inspections: 2
weights: {inspection: 60, rectification: 20, satisfaction: 20}
tiers:
  - {key: advanced, label: {zh: 一档（先进）, en: Tier 1}, min: 95}
  - {key: lagging, label: 四档（后进）, min: 0}
"""


def problems(text: str) -> list[str]:
    with pytest.raises(AssessmentConfigError) as caught:
        load_text(text, "assessment.yaml")
    return [str(p) for p in caught.value.problems]


def test_the_shipped_file_loads() -> None:
    config = load_file(ASSESSMENT_FILE)
    assert config.period == "quarter" and config.levels == ("branch",)
    assert [t.key for t in config.tiers] == ["advanced", "good", "average", "lagging"]
    assert config.tiers[-1].min == 0 and config.weights["inspection"] > 0
    assert config.tier_for(95).key == "advanced" and config.tier_for(94.9).key == "good"
    assert config.tiers[0].title("zh_CN") == "一档（先进）"
    assert config.tiers[0].title("en") == "Tier 1 (advanced)"


def test_a_good_file_and_a_plain_label() -> None:
    config = load_text(GOOD)
    assert config.tier("lagging").title("en") == "四档（后进）"  # no English: the Chinese
    assert config.tier_index("lagging") == 1


def test_every_problem_is_located_at_once() -> None:
    found = problems(
        "period: week\n"
        "levels: [branch, twig]\n"
        "min_inspections: 0\n"
        "weights: {inspection: 60, rectification: x, satisfaction: 20, extra: 1}\n"
        "tiers:\n"
        "  - {key: a, label: A, min: 50}\n"
        "  - {key: b, label: B, min: 60}\n"
        "  - {key: a, label: C, min: 10}\n"
        "  - {key: d, label: D, min: 5, colour: red}\n"
    )
    assert found == [
        "assessment.yaml:1:9: period: unknown period 'week' (one of: month, quarter, "
        "half_year, year)",
        "assessment.yaml:2:18: levels[1]: unknown level 'twig' (one of: group, company, unit, "
        "branch)",
        "assessment.yaml:3:18: min_inspections: must be between 1 and 100, got 0",
        "assessment.yaml:4:42: weights.rectification: expected a number, got text",
        "assessment.yaml:4:63: weights.extra: unknown field 'extra'",
        "assessment.yaml:7:29: tiers[1].min: must be below the previous band's min (50)",
        "assessment.yaml:8:11: tiers[2].key: tier 'a' is listed twice",
        "assessment.yaml:9:32: tiers[3].colour: unknown field 'colour'",
    ]


def test_problems_read_in_the_default_language() -> None:
    """`dudao` and the pages say a value as Chinese quotes it: “a”, not 'a'."""
    text = GOOD.replace("{key: lagging,", "{key: advanced,")
    with pytest.raises(AssessmentConfigError) as caught:
        load_text(text, "assessment.yaml")
    chinese = [p.shown(translations("zh_CN")) for p in caught.value.problems]
    assert chinese == ["assessment.yaml:7:11: tiers[1].key: 等次 “advanced” 列出了两次"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (GOOD.replace("min: 0}", "min: 10}"), "7:40: tiers[1].min: the last band must start at 0"),
        (GOOD.replace("inspection: 60", "inspection: 0"),
         "4:23: weights.inspection: must be more than 0"),
        (GOOD.replace("min_inspections: 2\n", ""), "1:1: min_inspections: missing required"),
        (GOOD.replace("satisfaction: 20", "satisfation: 20"),
         "did you mean 'satisfaction'?"),
        ("- a\n", "1:1: <document>: expected a mapping"),
        ("period: [\n", "<document>: invalid YAML"),
        (GOOD + "tiers: []\n", "duplicate"),
    ],
)  # fmt: skip
def test_single_mistakes(text: str, expected: str) -> None:
    assert any(expected in p for p in problems(text)), problems(text)


def test_an_edit_takes_effect_without_a_restart(tmp_path) -> None:
    path = tmp_path / "assessment.yaml"
    path.write_text(GOOD, encoding="utf-8")
    assert assessment_config(path).min_inspections == 2
    path.write_text(GOOD.replace("min_inspections: 2", "min_inspections: 3"), encoding="utf-8")
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    assert assessment_config(path).min_inspections == 3
    path.write_text(GOOD.replace("period: quarter", "period: weekly"), encoding="utf-8")
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 2_000_000))
    with pytest.raises(AssessmentConfigError, match=r"assessment.yaml:1:9: period: unknown"):
        assessment_config(path)


def test_publication_sections(tmp_path) -> None:
    assert load_publication(PUBLICATION_FILE) == Publication(
        frozenset({"office", "admin", "inspector", "unit_lead"}),
        frozenset({"office", "admin", "inspector", "unit_lead"}),
        frozenset({"office", "admin", "unit_lead"}),
    )
    assert publication_config(tmp_path / "missing.yaml") == DEFAULT
    path = tmp_path / "publication.yaml"
    path.write_text("roles: [office]\n", encoding="utf-8")
    assert load_publication(path) == Publication(frozenset({"office"}))  # sections: nobody
    for text, expected in (
        ("roles: [office]\nranking: [office]\n", r"publication.yaml:2:1: ranking: unknown field"),
        ("roles: [office]\nrankings: [boss]\n", r"publication.yaml:2:12: rankings\[0\]: unknown"),
        ("roles: [office]\nresults: office\n", r"publication.yaml:2:10: results: expected a list"),
        ("results: [office]\n", r"publication.yaml:1:1: <document>: expected a mapping with roles"),
    ):
        path.write_text(text, encoding="utf-8")
        with pytest.raises(ConfigError, match=expected):
            load_publication(path)


def test_a_broken_file_shows_its_problems_on_the_pages(client, org, user_factory, tmp_path,
                                                       monkeypatch) -> None:  # fmt: skip
    from dudao.assessment import config as config_module
    from tests.conftest import sign_in

    broken = tmp_path / "assessment.yaml"
    broken.write_text(GOOD.replace("period: quarter", "period: weekly"), encoding="utf-8")
    monkeypatch.setattr(config_module, "ASSESSMENT_FILE", broken)
    user_factory("office", ("office", org.group))
    sign_in(client, "office")
    for url in ("/assessment", f"/assessment/units/{org.branch_a1.id}", "/public"):
        page = client.get(url)
        assert page.status_code == 500
        shown = html.unescape(page.get_data(as_text=True))
        assert "assessment.yaml:1:9: period: 未知的周期 “weekly”" in shown  # the page's language
