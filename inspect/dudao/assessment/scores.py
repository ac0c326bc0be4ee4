"""The composite score of one unit in one period, and the tier band it falls in.

composite = Σ wᵢ·vᵢ / Σ wᵢ over the components the unit has in the period (each vᵢ on
0–100, wᵢ from workflows/assessment.yaml): a missing component is left out and the
weights of the others are renormalised. A unit with fewer than `min_inspections`
counted inspections in the period is not assessed at all. The composite is rounded
half up to one decimal before it is banded and ranked, so the figure shown is the
figure judged. See docs/assessment.md.
"""

from __future__ import annotations

from dataclasses import dataclass

from dudao.assessment.components import RectificationCell, SatisfactionCell
from dudao.assessment.config import COMPONENTS, AssessmentConfig
from dudao.core.numbers import competition_ranks, one_decimal
from dudao.org.models import name_in


@dataclass
class Score:
    unit_id: int
    unit_path: str
    code: str
    name: str
    name_en: str | None
    period: str
    inspections: int = 0
    inspection: float | None = None
    rectification: RectificationCell | None = None
    satisfaction: SatisfactionCell | None = None
    composite: float | None = None
    tier: str | None = None
    rank: int | None = None
    #: The unit's score in its previous assessed period (None: first assessment).
    previous: Score | None = None
    #: "up", "down" or "same" against `previous`; None without a previous tier.
    move: str | None = None

    @property
    def assessed(self) -> bool:
        return self.composite is not None

    def title(self, locale: str = "zh_CN") -> str:
        return name_in(self.name, self.name_en, locale)

    def values(self) -> dict[str, float | None]:
        return {
            "inspection": self.inspection,
            "rectification": self.rectification.value if self.rectification else None,
            "satisfaction": self.satisfaction.value if self.satisfaction else None,
        }


@dataclass(frozen=True)
class Part:
    """One component as the explanation shows it."""

    key: str
    value: float | None
    weight: float
    #: The weight after renormalisation, as a fraction (None: the component is missing).
    share: float | None

    @property
    def contribution(self) -> float | None:
        return None if self.value is None or self.share is None else self.value * self.share


def parts(score: Score, config: AssessmentConfig) -> list[Part]:
    values = score.values()
    present = [k for k in COMPONENTS if values[k] is not None and config.weights[k] > 0]
    total = sum(config.weights[k] for k in present)
    return [
        Part(k, values[k], config.weights[k],
             config.weights[k] / total if k in present and total else None)
        for k in COMPONENTS
    ]  # fmt: skip


def judge(score: Score, config: AssessmentConfig) -> None:
    """Set the composite and tier of `score` (left None when it is not assessed)."""
    if score.inspections < config.min_inspections:
        return
    total = sum(p.contribution or 0.0 for p in parts(score, config))
    score.composite = one_decimal(total)
    score.tier = config.tier_for(score.composite).key


def rank(scores: list[Score]) -> list[Score]:
    """Assessed scores best first with competition ranks (1, 2, 2, 4); ties by code."""
    ordered = sorted(
        (s for s in scores if s.composite is not None), key=lambda s: (-s.composite, s.code)
    )
    for score, place in zip(
        ordered, competition_ranks([s.composite for s in ordered]), strict=True
    ):
        score.rank = place
    return ordered


def link_history(by_unit: dict[int, list[Score]], config: AssessmentConfig) -> None:
    """Give every assessed score its unit's previous assessed score and the tier move."""
    for history in by_unit.values():
        before: Score | None = None
        for score in sorted(history, key=lambda s: s.period):
            if not score.assessed:
                continue
            score.previous = before
            if before is not None and before.tier and score.tier:
                old, new = config.tier_index(before.tier), config.tier_index(score.tier)
                score.move = "up" if new < old else "down" if new > old else "same"
            before = score
