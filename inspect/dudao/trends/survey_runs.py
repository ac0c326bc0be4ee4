"""Rule 6's evidence over several campaigns: a drop too small for one campaign to show
among thousands of units is found once it has persisted, by testing the mean of a unit's
last m shown campaigns (m = 2 … cfg['sustained_campaigns']) against its shown campaigns
before them.

A drop persists; a chance dip does not. The mean of m campaigns has 1/m of one campaign's
variance, but the baseline's variance is shared by the m campaigns and enters once, not
averaged away: Var(D_m) = V_baseline + mean(se_i² + τ²_w)/m. Every test's baseline is
the campaigns just before its own window, recomputed each campaign, so none is frozen at
a value that came out high by chance (a frozen baseline made the steps of a CUSUM run
average z ≈ +0.3 with no drop at all and flagged long histories again and again). The
largest z_m, Bonferroni over the windows, joins the campaign's single-campaign tests in
one Benjamini–Hochberg family (rules_surveys._flagged).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from dudao.trends.detection import Detection

if TYPE_CHECKING:
    from dudao.trends.rules_surveys import Figures, Round

TEST = ("one-sided z-test of the mean of the unit's last campaigns against its campaigns "
        "before them (tau2_change: Paule-Mandel, winsorised), the largest of the windows "
        "Bonferroni-adjusted, BH over the campaign's tests")  # fmt: skip


@dataclass(frozen=True)
class DropTest:
    """One of a campaign's tests of a unit (rules_surveys._flagged reads them all at once):
    the drop `diff` = `reference` − the unit's figure, its sampling error `se` and the
    spread between units `tau2` (read from `peers` units), the evidence particular to the
    comparison in `extra`; `times` is the Bonferroni factor of a test that took the best
    of several windows."""

    round: Round
    unit_id: int
    group: Figures
    against: str
    reference: float
    reference_responses: int
    extra: dict[str, Any]
    diff: float
    se: float
    tau2: float
    peers: int
    times: int = 1


@dataclass(frozen=True)
class Baseline:
    """The precision-weighted mean of a unit's earlier figures y_j, w_j ∝ 1/(se_j² + τ²_w):
    `mean` Σw_j·y_j, `sampling` its sampling variance Σw_j²·se_j², `wsq` Σw_j²."""

    before: Sequence[tuple[Round, Figures]]
    weights: np.ndarray
    mean: float
    sampling: float
    wsq: float

    @property
    def responses(self) -> int:
        return sum(g.responses for _, g in self.before)

    def evidence(self) -> list[dict[str, Any]]:
        return [{"campaign_id": b.campaign_id, "period_label": b.period_label, "index": g.mean,
                 "responses": g.responses, "weight": round(float(w), 3)}
                for (b, g), w in zip(self.before, self.weights, strict=True)]  # fmt: skip


def baseline(before: Sequence[tuple[Round, Figures]], tau2_w: float) -> Baseline:
    var = np.array([g.se**2 for _, g in before])
    w = 1 / (var + tau2_w)
    w /= w.sum()
    return Baseline(before, w, float(w @ [g.mean for _, g in before]), float(w**2 @ var),
                    float(w @ w))  # fmt: skip


def sustained(r: Round, unit_id: int, shown: Sequence[tuple[Round, Figures]], tau2_w: float,
              peers: int, cfg: Mapping[str, Any]) -> DropTest | None:  # fmt: skip
    """The test of the unit's last m shown campaigns (`shown`, this one last; only figures
    with a known standard error) against up to cfg['sustained_baseline'] shown campaigns
    before them, at least cfg['sustained_min_baseline'] of them: the window with the
    largest z, its p-value times the number of windows (Bonferroni); None if no window.
    τ²_w was read from `peers` units."""
    windows = range(2, cfg["sustained_campaigns"] + 1)
    best = None
    for m in windows:
        before = shown[:-m][-cfg["sustained_baseline"] :]
        if len(before) < cfg["sustained_min_baseline"]:
            break
        last = shown[-m:]
        base = baseline(before, tau2_w)
        drop = base.mean - float(np.mean([g.mean for _, g in last]))
        se2 = base.sampling + float(np.mean([g.se**2 for _, g in last])) / m
        tau2 = tau2_w * (base.wsq + 1 / m)
        z = drop / np.sqrt(se2 + tau2) if se2 + tau2 > 0 else -np.inf
        if best is None or z > best[0]:
            best = (z, base, last, drop, se2, tau2)
    if best is None:
        return None
    _, base, last, drop, se2, tau2 = best
    extra = {"test": TEST, "baseline": base.evidence(), "tau2_change": round(2 * tau2_w, 3),
             "windows": len(windows),
             "run": [{"campaign_id": b.campaign_id, "period_label": b.period_label,
                      "index": g.mean, "responses": g.responses} for b, g in last]}  # fmt: skip
    return DropTest(r, unit_id, shown[-1][1], "earlier campaigns", base.mean, base.responses,
                    extra, drop, float(np.sqrt(se2)), tau2, peers, times=len(windows))  # fmt: skip


def detection(r: Round, unit_id: int, evidence: dict[str, Any],
              cfg: Mapping[str, Any]) -> Detection:  # fmt: skip
    """Rule 6's detection of a unit in campaign r (one fingerprint per unit and key)."""
    fingerprint = f"questionnaire_decline:{unit_id}:{r.key}"
    return Detection(
        rule="questionnaire_decline", fingerprint=fingerprint, severity=cfg["severity"],
        scope_unit_id=unit_id, unit_ids=[unit_id], first=r.period, last=r.period,
        active=True, definition_key=r.key, evidence=evidence,
    )  # fmt: skip
