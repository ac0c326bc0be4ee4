"""Figures for the questionnaire-decline tests: groups of (mean, standard error, answers),
rounds of them, and branches spread around 75."""

from __future__ import annotations

from scipy import stats as sps

from dudao.trends.config import DEFAULTS
from dudao.trends.rules_surveys import Figures, Round

CFG = DEFAULTS["questionnaire_decline"]


def shown(**figures: tuple[float, float, int]) -> dict[int, Figures]:
    """Groups by unit id (u1 → 1, the scope; the others its children) from (mean,
    standard error, answers)."""
    return {int(name[1:]): Figures(m, m - 2 * se, m + 2 * se, n, se, int(name != "u1"))
            for name, (m, se, n) in figures.items()}  # fmt: skip


def rounds(*groups: dict[int, Figures]) -> list[Round]:
    return [Round("sat", 1, i, f"2025-{3 * i + 3:02d}", f"Q{i + 1}", 5, g)
            for i, g in enumerate(groups)]  # fmt: skip


def branches(levels: list[float], se: float = 3.0, first: int = 10) -> dict[int, Figures]:
    """Branches u10, u11, … at the given levels, 30 answers each."""
    return shown(**{f"u{first + i}": (m, se, 30) for i, m in enumerate(levels)})


SPREAD = [75 + 6 * float(sps.norm.ppf((i + 0.5) / 20)) for i in range(20)]  # sd ≈ 6 around 75
