"""Questionnaire decline over several campaigns: lasting drops found, dips not; its settings."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from scipy import stats as sps

from dudao.trends.config import TrendRulesError, load_rules
from dudao.trends.rules_surveys import Figures, Round, declines
from tests.decline_world import CFG, SPREAD, branches, rounds, shown


def moving(target: list[float | None], se: float = 1.5) -> list[Round]:
    """Campaigns of 20 branches spread around 75 that move by about 2 points a campaign
    (standard errors `se`), and u2 at the given indices (None: hidden that campaign)."""
    waves = [2 * float(sps.norm.ppf((j + 0.5) / 20)) for j in range(20)]
    return rounds(*[
        branches([m + waves[(i * 7 + 3 * k) % 20] for i, m in enumerate(SPREAD)], se=se)
        | (shown(u2=(y, se, 30)) if y is not None else {})
        for k, y in enumerate(target)
    ])  # fmt: skip


def test_a_persistent_drop_too_small_for_one_campaign_is_found_over_several() -> None:
    """u2 falls 6 points and stays there: each campaign alone (z ≈ 2.3–2.6 against its
    earlier ones, among 21 tests) says nothing; the mean of the last three campaigns
    against the five before them (z ≈ 4.0, Bonferroni over 3 windows, in a family of 42
    tests) is found at the third, the last four at the fourth."""
    history = moving([76] * 5 + [70] * 4)
    assert not declines(history, CFG | {"sustained_campaigns": 0})
    assert not declines(history[:-2], CFG)
    found = declines(history, CFG)
    assert [d.unit_ids for d in found] == [[2]]
    d, ev = found[0], found[0].evidence
    assert d.first == history[-2].period and d.last == history[-1].period and d.active
    assert ev["against"] == "earlier campaigns" and ev["reference"] == 76 and ev["drop"] == 6
    assert [b["campaign_id"] for b in ev["baseline"]] == [0, 1, 2, 3, 4]
    assert [s["campaign_id"] for s in ev["run"]] == [5, 6, 7, 8]
    assert [s["index"] for s in ev["run"]] == [70] * 4
    assert ev["windows"] == 3 and ev["tests"] == 42 and 4 < ev["z"] < 4.5
    assert ev["p_value"] == pytest.approx(3 * sps.norm.sf(ev["z"]), rel=1e-3)
    assert ev["tau2_change"] > 0 and ev["peers"] == 21
    back = declines(moving([76] * 5 + [70] * 4 + [76, 76]), CFG)
    assert back[0].last == history[-1].period and not back[0].active
    assert not declines(moving([76] * 3 + [70] * 6), CFG)  # a year's baseline first


def test_a_dip_that_recovers_is_not_flagged() -> None:
    """The same fall for one campaign, or two apart, then back: no window's mean is low
    enough; the same fall kept for three campaigns is flagged."""
    assert declines(moving([76] * 5 + [70, 70, 70]), CFG)
    assert not declines(moving([76] * 5 + [70, 76, 76, 76]), CFG)
    assert not declines(moving([76] * 5 + [70, 76, 70, 76, 76, 76]), CFG)


def test_a_hidden_group_is_never_tested_nor_in_the_evidence() -> None:
    """u2 hidden after its fall: no flag however long; hidden in some campaigns: only its
    shown campaigns are in the windows, the baseline and the evidence."""
    assert not declines(moving([76] * 5 + [None] * 6), CFG)
    found = declines(moving([76] * 5 + [70, None, None, 70, None, 70]), CFG)
    assert [s["campaign_id"] for s in found[0].evidence["run"]] == [5, 8, 10]
    found = declines(moving([76, None, 76, 76, 76, 76, 70, 70, None, 70, 70]), CFG)
    assert [d.unit_ids for d in found] == [[2]]
    ev = found[0].evidence
    assert [b["campaign_id"] for b in ev["baseline"]] == [0, 2, 3, 4, 5]
    assert [s["campaign_id"] for s in ev["run"]] == [6, 7, 9, 10]


def test_a_figure_without_a_standard_error_is_left_out_of_the_windows() -> None:
    """A campaign whose standard error is unknown (nan) takes no part in the test over
    campaigns, and does not stop it for the campaigns after."""
    history = moving([76] * 5 + [70] * 4)
    unknown = {u: replace(g, se=float("nan")) for u, g in history[2].groups.items()}
    history[2] = replace(history[2], groups=unknown)
    ev = declines(history, CFG)[0].evidence
    assert [b["campaign_id"] for b in ev["run"]] == [5, 6, 7, 8]
    assert [b["campaign_id"] for b in ev["baseline"]] == [0, 1, 3, 4]


def test_too_few_peers_means_no_test_over_campaigns() -> None:
    """With fewer than MIN_PEERS peers τ² would be 0 and the windows' tests too bold: they
    are not made, and the campaign's tests are the single-campaign ones alone."""
    history = [replace(r, groups={u: g for u, g in r.groups.items() if u in (1, 2, 10, 11)})
               for r in moving([76] * 5 + [73] * 6, se=1.0)]  # fmt: skip
    cfg = CFG | {"min_drop": 1}
    assert declines(history, cfg) == declines(history, cfg | {"sustained_campaigns": 0})


def test_no_drop_over_24_campaigns_raises_almost_no_flag() -> None:
    """400 units of stable level (sd 6 between them), moving by sd 2.2 from one campaign
    to the next, sampling se 3.1: over 24 campaigns no window of a unit's campaigns is
    flagged (a baseline frozen while a run lasted once flagged such histories)."""
    rng = np.random.default_rng(7)
    level = 75 + rng.normal(0, 6, 400)
    history = rounds(*[
        {1: Figures(75, 74, 76, 9000, 0.3, 0)}
        | {10 + u: Figures(float(m), m - 6, m + 6, 25, 3.1, 1)
           for u, m in enumerate(level + rng.normal(0, 2.2, 400) + rng.normal(0, 3.1, 400))}
        for _ in range(24)
    ])  # fmt: skip
    assert len(declines(history, CFG | {"min_drop": 0})) <= 1


@pytest.mark.parametrize(("setting", "message"), [
    ("sustained_baseline: 0", r"questionnaire_decline.sustained_baseline: at least 1"),
    ("sustained_min_baseline: 9", r"questionnaire_decline.sustained_min_baseline: at most"),
    ("sustained_campaigns: -1", r"questionnaire_decline.sustained_campaigns: must be at least 0"),
])  # fmt: skip
def test_the_settings_over_campaigns_are_checked(tmp_path, setting, message) -> None:
    rules = tmp_path / "trends.yaml"
    rules.write_text(f"questionnaire_decline:\n  {setting}\n", encoding="utf-8")
    with pytest.raises(TrendRulesError, match=rf"trends.yaml:2:\d+: {message}"):
        load_rules(rules)
