"""The tablet's live score preview (web/static/tablet/score.js) agrees with the server's
scoring (definitions/scoring.py) on random answers to the shipped checklists."""

from __future__ import annotations

import json
import random
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from dudao.config import PROJECT_ROOT
from dudao.definitions.loader import load_file
from dudao.definitions.scoring import score
from dudao.definitions.showif import condition_to_json
from dudao.definitions.spec import Definition, Item
from dudao.inspections.client_views import scoring_spec

STATIC = PROJECT_ROOT / "inspect" / "dudao" / "web" / "static"
DRIVER = """
const showif = require(process.argv[2]);
const score = require(process.argv[3]).DudaoScore;
const cases = JSON.parse(require("fs").readFileSync(process.argv[4], "utf8"));
const out = cases.cases.map(answers => {
  const shown = showif.visibleItems(cases.showif, answers);
  const r = score.evaluate(cases.spec, shown, answers);
  return {percent: r.percent, failed: r.failed, critical: r.critical,
          grade: r.grade && r.grade.label.zh, missing: r.missing};
});
process.stdout.write(JSON.stringify(out));
"""


def random_answer(item: Item, rng: random.Random) -> Any:
    kind = str(item.type)
    if kind == "yes_no":
        return rng.choice(["yes", "no", "na"] if item.allow_na else ["yes", "no"])
    if kind == "single_choice":
        return rng.choice([o.key for o in item.options])
    if kind == "multi_choice":
        keys = [o.key for o in item.options]
        return rng.sample(keys, rng.randint(1, len(keys)))
    if kind == "scale":
        return rng.randint(1, item.points)
    if kind == "rating":
        return rng.randint(0, 10)
    if kind == "number":
        low = int(item.min if item.min is not None else 0)
        high = int(item.max if item.max is not None else 100)
        return rng.randint(low, high)
    if kind == "date":
        return "2026-11-01"
    if kind == "text":
        return "文字"
    return None  # photo and note: nothing a score reads


def cases_for(definition: Definition, rng: random.Random, count: int) -> list[dict[str, Any]]:
    cases = []
    for _ in range(count):
        answers = {}
        for item in definition.items:
            value = random_answer(item, rng)
            if value is not None and rng.random() > 0.15:
                answers[item.key] = value
        cases.append(answers)
    return cases


@pytest.mark.parametrize("name", ["campaign_spot_check", "branch_standardisation"])
def test_preview_matches_the_server(name: str, tmp_path: Path) -> None:
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed: cannot run web/static/tablet/score.js")
    definition = load_file(PROJECT_ROOT / "forms" / f"{name}.yaml").definition
    rng = random.Random(20261125)
    cases = cases_for(definition, rng, 300)
    showif = [
        {"key": i.key, **({"show_if": condition_to_json(i.show_if)} if i.show_if else {})}
        for i in definition.items
    ]
    data = tmp_path / "cases.json"
    data.write_text(
        json.dumps({"spec": scoring_spec(definition), "showif": showif, "cases": cases}),
        encoding="utf-8",
    )
    driver = tmp_path / "driver.js"
    driver.write_text(DRIVER, encoding="utf-8")
    run = subprocess.run(
        [node, str(driver), str(STATIC / "showif.js"), str(STATIC / "tablet" / "score.js"),
         str(data)],
        capture_output=True, text=True, check=True, timeout=60,
    )  # fmt: skip
    previews = json.loads(run.stdout)
    for answers, preview in zip(cases, previews, strict=True):
        result = score(definition, answers)
        expected = {
            "percent": result.percent,
            "failed": list(result.failed),
            "critical": list(result.failed_critical),
            "grade": result.grade.label.zh if result.grade else None,
        }
        got = {k: preview[k] for k in expected}
        assert got == expected, answers
    # The random cases are varied: critical failures and none, many different scores.
    assert any(p["critical"] for p in previews) and not all(p["critical"] for p in previews)
    assert len({p["percent"] for p in previews}) > 20
