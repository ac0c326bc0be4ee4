"""Scores of one checklist submission and the satisfaction index of one response.

Scores are weighted percentages. An item counts when it is scored (has a pass
rule and a positive weight), is shown (`show_if`), and has an answer that is
not "na"; unanswered optional items, "na" and hidden items are left out of the
denominator. A required item left unanswered counts as not passed and is listed
in `missing` (a complete, validated submission has none). A failed critical
item fails the whole inspection whatever the score, and the grade becomes the
lowest band.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from dudao.definitions.items import is_blank, kind_of
from dudao.definitions.showif import visible_items
from dudao.definitions.spec import Definition, Evidence, GradeBand


@dataclass(frozen=True)
class SectionScore:
    key: str
    earned: float
    possible: float
    failed: tuple[str, ...]

    @property
    def percent(self) -> float | None:
        """None when nothing in the section counted (all N/A, hidden or unscored)."""
        return round(100.0 * self.earned / self.possible, 2) if self.possible else None


@dataclass(frozen=True)
class ScoreResult:
    sections: tuple[SectionScore, ...]
    earned: float
    possible: float
    failed: tuple[str, ...]
    failed_critical: tuple[str, ...]
    missing: tuple[str, ...]
    missing_evidence: dict[str, Evidence] = field(default_factory=dict)
    grade: GradeBand | None = None

    @property
    def percent(self) -> float | None:
        return round(100.0 * self.earned / self.possible, 2) if self.possible else None

    @property
    def passed(self) -> bool:
        """False as soon as one critical item failed."""
        return not self.failed_critical


def _has_evidence(needed: Evidence, note: Any, photos: Any) -> bool:
    has_note = isinstance(note, str) and bool(note.strip())
    has_photo = bool(photos)
    if needed is Evidence.NOTE:
        return has_note
    if needed is Evidence.PHOTO:
        return has_photo
    if needed is Evidence.NOTE_OR_PHOTO:
        return has_note or has_photo
    if needed is Evidence.NOTE_AND_PHOTO:
        return has_note and has_photo
    return True


def score(
    definition: Definition,
    answers: Mapping[str, Any],
    notes: Mapping[str, Any] | None = None,
    photos: Mapping[str, Any] | None = None,
) -> ScoreResult:
    """Section and overall scores for stored (clean) `answers`; see the module doc."""
    notes = notes or {}
    photos = photos or {}
    shown = visible_items(definition, answers)
    sections: list[SectionScore] = []
    failed: list[str] = []
    critical: list[str] = []
    missing: list[str] = []
    evidence: dict[str, Evidence] = {}
    total_earned = total_possible = 0.0
    for section in definition.sections:
        earned = possible = 0.0
        section_failed: list[str] = []
        for item in section.items:
            if not item.scored or item.key not in shown:
                continue
            value = answers.get(item.key)
            if is_blank(value):
                if item.required:
                    possible += item.weight
                    missing.append(item.key)
                continue
            verdict = kind_of(item).passes(item, value)
            if verdict is None:
                continue
            possible += item.weight
            if verdict:
                earned += item.weight
                continue
            section_failed.append(item.key)
            if item.critical:
                critical.append(item.key)
            needed = Evidence(item.evidence_on_fail)
            if not _has_evidence(needed, notes.get(item.key), photos.get(item.key)):
                evidence[item.key] = needed
        failed.extend(section_failed)
        sections.append(SectionScore(section.key, earned, possible, tuple(section_failed)))
        total_earned += earned
        total_possible += possible
    percent = 100.0 * total_earned / total_possible if total_possible else None
    bands = sorted(definition.grades, key=lambda b: b.min_score)
    if critical and bands:
        grade: GradeBand | None = bands[0]
    else:
        grade = definition.grade_for(percent) if percent is not None else None
    return ScoreResult(
        sections=tuple(sections),
        earned=total_earned,
        possible=total_possible,
        failed=tuple(failed),
        failed_critical=tuple(critical),
        missing=tuple(missing),
        missing_evidence=evidence,
        grade=grade,
    )


def satisfaction_index(definition: Definition, answers: Mapping[str, Any]) -> float | None:
    """Mean of the answered, shown satisfaction items of one response, each scaled to 0–100.

    None when the response answered none of them.
    """
    shown = visible_items(definition, answers)
    points = [
        p
        for item in definition.items
        if item.satisfaction and item.key in shown
        for p in [kind_of(item).satisfaction(item, answers.get(item.key))]
        if p is not None
    ]
    return round(sum(points) / len(points), 2) if points else None
