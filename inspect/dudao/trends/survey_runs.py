"""Rule 6's evidence over several campaigns: a one-sided tabular CUSUM of each unit's
standardised drops below the baseline it had before the drop, so that a drop too small
for one campaign to show among thousands of units is found once it has persisted.

A drop persists; a chance dip does not. The CUSUM C = max(0, C + z − k) adds up the
campaigns' evidence z (drop below the baseline over its standard deviation) less an
allowance k, and signals at C > h. While C > 0 the unit is in a run: its campaigns stay
out of its baseline (frozen at the campaigns before the run), so a drop is measured
against the level before it and never absorbed; when C returns to 0 the run was chance
and its campaigns join the baseline.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from dudao.trends.detection import Detection

if TYPE_CHECKING:
    from dudao.trends.rules_surveys import Figures, Round

TEST = ("one-sided tabular CUSUM of standardised drops below the unit's campaigns before "
        "the run (tau2_change: Paule-Mandel, winsorised)")  # fmt: skip


@dataclass(frozen=True)
class Baseline:
    """The precision-weighted mean of a unit's earlier figures y_j, w_j ∝ 1/(se_j² + τ²_w):
    `mean` Σw_j·y_j, `sampling` its sampling variance Σw_j²·se_j², `wsq` Σw_j²."""

    before: Sequence[tuple[Round, Figures]]
    weights: np.ndarray
    mean: float
    sampling: float
    wsq: float

    def sd(self, group: Figures, tau2_w: float) -> float:
        """The sd of (mean − the unit's figure now): se² + Σw_j²·se_j² + τ²_w·(1 + Σw_j²)."""
        return float(np.sqrt(group.se**2 + self.sampling + tau2_w * (1 + self.wsq)))

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


@dataclass
class State:
    """A unit's CUSUM state: its shown campaigns outside any run (the baseline's source),
    the current run's steps (round, figures, z, C) and C."""

    clean: list[tuple[Round, Figures]] = field(default_factory=list)
    run: list[tuple[Round, Figures, float, float]] = field(default_factory=list)
    c: float = 0.0


def sustained(r: Round, peers: Mapping[int, Figures], tau2_w: float,
              state: dict[int, State], cfg: Mapping[str, Any]) -> list[Detection]:  # fmt: skip
    """Step every shown peer's CUSUM with this campaign; a detection for each whose C
    exceeds cfg['cusum_h'] with the run's mean index cfg['min_drop'] below its baseline.
    Units not shown (hidden or absent) are not stepped: their C waits for their next
    shown campaign. Needs cfg['cusum_min_baseline'] earlier shown campaigns outside runs;
    C is held at h + 1 at most, so a unit back at its baseline clears within a few
    campaigns (each lowers C by about k) whatever its drop was."""
    k, h, keep = cfg["cusum_k"], cfg["cusum_h"], cfg["cusum_baseline"]
    found = []
    for unit_id, group in peers.items():
        s = state.setdefault(unit_id, State())
        del s.clean[:-keep]
        enough = len(s.clean) >= max(1, cfg["cusum_min_baseline"])
        base = baseline(list(s.clean), tau2_w) if enough else None
        if base is None or not base.sd(group, tau2_w) > 0:  # nan: the se unknown
            s.clean.append((r, group))
            continue
        z = (base.mean - group.mean) / base.sd(group, tau2_w)
        s.c = min(max(0.0, s.c + z - k), h + 1)
        if s.c == 0:
            s.clean += [(b, g) for b, g, _, _ in s.run] + [(r, group)]
            s.run = []
            continue
        s.run.append((r, group, z, s.c))
        drop = base.mean - float(np.mean([g.mean for _, g, _, _ in s.run]))
        if s.c > h and drop >= cfg["min_drop"]:
            found.append(_detection(r, unit_id, group, base, s, drop, tau2_w, cfg))
    return found


def _detection(r: Round, unit_id: int, group: Figures, base: Baseline, s: State, drop: float,
               tau2_w: float, cfg: Mapping[str, Any]) -> Detection:  # fmt: skip
    evidence = {
        "test": TEST, "against": "earlier campaigns", "campaign_id": r.campaign_id,
        "period_label": r.period_label, "index": group.mean,
        "interval_95": [group.low, group.high], "responses": group.responses,
        "reference": round(base.mean, 2),
        "reference_responses": sum(g.responses for _, g in base.before),
        "baseline": base.evidence(), "drop": round(drop, 2),
        "tau2_change": round(2 * tau2_w, 3), "k": cfg["cusum_k"], "h": cfg["cusum_h"],
        "cusum": round(s.c, 3),
        "run": [{"campaign_id": b.campaign_id, "period_label": b.period_label,
                 "index": g.mean, "responses": g.responses, "z": round(z, 3),
                 "cusum": round(c, 3)} for b, g, z, c in s.run],
        "min_group": r.min_group,
    }  # fmt: skip
    return detection(r, unit_id, evidence, cfg)


def detection(r: Round, unit_id: int, evidence: dict[str, Any],
              cfg: Mapping[str, Any]) -> Detection:  # fmt: skip
    """Rule 6's detection of a unit in campaign r (one fingerprint per unit and key)."""
    fingerprint = f"questionnaire_decline:{unit_id}:{r.key}"
    return Detection(
        rule="questionnaire_decline", fingerprint=fingerprint, severity=cfg["severity"],
        scope_unit_id=unit_id, unit_ids=[unit_id], first=r.period, last=r.period,
        active=True, definition_key=r.key, evidence=evidence,
    )  # fmt: skip
