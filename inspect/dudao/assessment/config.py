"""The assessment's settings from workflows/assessment.yaml: period, levels, weights, tier bands.

Every problem is located as `file:line:col: field: message` (like the definition and
schedule loaders) and all of them are reported at once. The file is read again when
it changes (by modification time), so an edit takes effect without a restart.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dudao.config import PROJECT_ROOT
from dudao.core.enums import UnitLevel
from dudao.core.errors import N_, Message
from dudao.core.filecache import when_changed
from dudao.definitions.checks import INVALID, Checker
from dudao.definitions.problems import DefinitionError
from dudao.definitions.yamlsource import Source, read_checked

ASSESSMENT_FILE = PROJECT_ROOT / "workflows" / "assessment.yaml"
PERIODS = ("month", "quarter", "half_year", "year")
COMPONENTS = ("inspection", "rectification", "satisfaction")
FIELDS = ("period", "levels", "min_inspections", "weights", "tiers")


class AssessmentConfigError(DefinitionError):
    """workflows/assessment.yaml cannot be used; `problems` are located."""


@dataclass(frozen=True)
class Tier:
    key: str
    label: dict[str, str | None]
    min: float

    def title(self, locale: str = "zh_CN") -> str:
        english = locale.startswith("en") and self.label.get("en")
        return str(self.label["en"] if english else self.label["zh"])


@dataclass(frozen=True)
class AssessmentConfig:
    period: str
    levels: tuple[str, ...]
    min_inspections: int
    weights: dict[str, float]
    #: Best first; `min` strictly decreasing, the last one 0.
    tiers: tuple[Tier, ...]

    def tier_for(self, composite: float) -> Tier:
        return next(t for t in self.tiers if composite >= t.min)

    def tier(self, key: str | None) -> Tier | None:
        return next((t for t in self.tiers if t.key == key), None)

    def tier_index(self, key: str) -> int:
        """0 for the best tier; a move up lowers the index."""
        return [t.key for t in self.tiers].index(key)


def _tiers(c: Checker, raw: Any) -> tuple[Tier, ...] | Any:
    items = c.sequence(raw, ("tiers",), Message(N_("tier bands")))
    if items is INVALID:
        return INVALID
    tiers: list[Tier] = []
    for index, item in enumerate(items):
        path = ("tiers", index)
        if c.mapping(item, path, Message(N_("a mapping (key, label, min)"))) is INVALID:
            continue
        c.fields(item, path, ("key", "label", "min"))
        if not all([c.require(item, path, name) for name in ("key", "label", "min")]):
            continue
        key = c.key(item["key"], (*path, "key"))
        label = c.local_text(item["label"], (*path, "label"))
        low = c.number(item["min"], (*path, "min"), 0, 100)
        if key is not INVALID and key in {t.key for t in tiers}:
            c.add((*path, "key"), Message(N_("tier '%(key)s' is listed twice"), key=key))
        elif tiers and low is not INVALID and low >= tiers[-1].min:
            below = Message(N_("must be below the previous band's min (%(min)s)"),
                            min=f"{tiers[-1].min:g}")  # fmt: skip
            c.add((*path, "min"), below)
        elif INVALID not in (key, label, low):
            tiers.append(Tier(key, label, float(low)))
    if len(tiers) == len(items) and tiers[-1].min != 0:
        c.add(("tiers", len(items) - 1, "min"), Message(N_("the last band must start at 0")))
    return tuple(tiers)


def _weights(c: Checker, raw: Any) -> dict[str, float] | Any:
    if c.mapping(raw, ("weights",), Message(N_("a mapping of component: weight"))) is INVALID:
        return INVALID
    c.fields(raw, ("weights",), COMPONENTS)
    weights = {}
    for name in COMPONENTS:
        if c.require(raw, ("weights",), name):
            value = c.number(raw[name], ("weights", name), 0, 1000)
            if value is not INVALID:
                weights[name] = float(value)
    if len(weights) == len(COMPONENTS) and not weights["inspection"] > 0:
        more = Message(N_("must be more than 0 (every assessed unit has it)"))
        c.add(("weights", "inspection"), more)
    return weights


def _read(source: Source) -> AssessmentConfig | None:
    c, raw = Checker(source), source.data
    what = Message(N_("a mapping (period, levels, weights, tiers, ...)"))
    if c.mapping(raw, (), what) is not INVALID:
        c.fields(raw, (), FIELDS)
        for name in FIELDS:
            c.require(raw, (), name)
    if source.problems:
        return None
    period = c.choice(raw["period"], ("period",), PERIODS, Message(N_("period")))
    levels = c.sequence(raw["levels"], ("levels",), Message(N_("unit levels")))
    if levels is not INVALID:
        allowed = tuple(level.value for level in UnitLevel)
        level = Message(N_("level"))
        levels = [c.choice(v, ("levels", i), allowed, level) for i, v in enumerate(levels)]
    minimum = c.integer(raw["min_inspections"], ("min_inspections",), 1, 100)
    weights, tiers = _weights(c, raw["weights"]), _tiers(c, raw["tiers"])
    if source.problems:
        return None
    return AssessmentConfig(period, tuple(levels), minimum, weights, tiers)


def load_text(text: str, filename: str = "<text>") -> AssessmentConfig:
    """The settings in `text`; AssessmentConfigError listing every located problem."""
    return read_checked(text, filename, _read, AssessmentConfigError)


def load_file(path: Path) -> AssessmentConfig:
    return load_text(path.read_text(encoding="utf-8"), str(path))


def assessment_config(path: Path | None = None) -> AssessmentConfig:
    """The current settings (re-read when the file changed)."""
    return when_changed(path or ASSESSMENT_FILE, load_file)
